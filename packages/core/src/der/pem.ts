import { InvalidArgumentError } from '../errors.js';

/**
 * Wraps DER bytes in PEM armour (RFC 7468): base64 in 64-character lines.
 *
 * @param label - the armour label, e.g. `CERTIFICATE`
 * @param der - the DER bytes
 * @returns the PEM text, ending in a newline
 * @example
 * derToPem('CERTIFICATE', certificateDer);
 */
export function derToPem(label: string, der: Uint8Array): string {
  const lines =
    Buffer.from(der)
      .toString('base64')
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * Reads the DER bytes of the first PEM block in `pem`.
 *
 * @param pem - PEM text
 * @param label - when given, the block must carry this label (e.g. `CERTIFICATE`)
 * @returns the DER bytes
 * @throws InvalidArgumentError when no (matching) PEM block is found
 * @example
 * const der = pemToDer(readFileSync('ca.pem', 'utf8'), 'CERTIFICATE');
 */
export function pemToDer(pem: string, label?: string): Buffer {
  const wanted = label === undefined ? '[^-]+' : label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`-----BEGIN (${wanted})-----([\\s\\S]*?)-----END \\1-----`).exec(pem);
  if (!match) {
    throw new InvalidArgumentError('pem', label ? `no PEM ${label} block found` : 'no PEM block found', { label });
  }
  return Buffer.from((match[2] ?? '').replace(/\s+/g, ''), 'base64');
}
