import {
  InvalidArgumentError,
  isLedgerError,
  type JsonObject,
  type LedgerKind,
  type TrustAnchor,
} from '@ledgerkit/core';
import { loadOptional } from '../load-optional.js';

/** The anchor flags of `ledgerkit verify`. */
export interface AnchorFlags {
  /** `--anchor FILE`. */
  anchor?: string;
  /** `--public-key FILE`. */
  publicKey?: string;
  /** `--anchor-block NUMBER:HASH`. */
  anchorBlock?: string;
  /** `--msp-root MSPID=FILE`, repeatable. */
  mspRoot?: string[];
}

const anchorTypes: readonly string[] = ['ledgerdb-digest', 'ethereum-block', 'fabric-config-block', 'fabric-msp-roots'];

/** Which anchor types verify which backend's receipts. */
export const anchorBackend: Record<TrustAnchor['type'], LedgerKind> = {
  'ledgerdb-digest': 'ledgerdb',
  'ethereum-block': 'ethereum',
  'fabric-config-block': 'fabric',
  'fabric-msp-roots': 'fabric',
};

/**
 * Builds the trust anchor the auditor chose from the command's flags.
 *
 * @param flags - the anchor flags
 * @param readFile - reads a file the flags name
 * @returns the anchor, or undefined when no anchor flag was given
 * @throws InvalidArgumentError naming the flag that is wrong
 */
export async function readAnchor(
  flags: AnchorFlags,
  readFile: (path: string) => Promise<Uint8Array>,
): Promise<TrustAnchor | undefined> {
  const given = [
    flags.anchor && '--anchor',
    flags.anchorBlock && '--anchor-block',
    flags.mspRoot?.length && '--msp-root',
  ].filter(Boolean);
  if (given.length > 1) throw new InvalidArgumentError(String(given[1]), `give one anchor, not ${given.join(' and ')}`);
  let anchor: TrustAnchor | undefined;
  if (flags.anchor) anchor = await anchorFile(flags.anchor, readFile);
  else if (flags.anchorBlock) anchor = anchorBlock(flags.anchorBlock);
  else if (flags.mspRoot?.length) anchor = await mspRoots(flags.mspRoot, readFile);
  if (flags.publicKey !== undefined) {
    if (anchor?.type !== 'ledgerdb-digest') {
      throw new InvalidArgumentError(
        '--public-key',
        '--public-key pins the signer of a ledgerdb digest: give the digest with --anchor',
      );
    }
    const pem = new TextDecoder().decode(await readFile(flags.publicKey)).trim();
    if (
      !/^-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----$/.test(pem) &&
      !/^(0x)?[0-9a-fA-F]{64}$/.test(pem)
    ) {
      throw new InvalidArgumentError(
        '--public-key',
        `${flags.publicKey} is not a PEM public key nor a 32-byte hex Ed25519 key`,
      );
    }
    anchor = { ...anchor, publicKey: `${pem}\n` };
  }
  return anchor;
}

async function anchorFile(path: string, readFile: (path: string) => Promise<Uint8Array>): Promise<TrustAnchor> {
  const bytes = await readFile(path);
  const text = new TextDecoder().decode(bytes);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    if (text.trimStart().startsWith('-----BEGIN CERTIFICATE-----')) {
      throw new InvalidArgumentError(
        '--anchor',
        `${path} is a certificate: pin MSP roots with --msp-root MSPID=${path}`,
      );
    }
    return fabricConfigBlockAnchor(path, bytes);
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new InvalidArgumentError('--anchor', `${path} is JSON but not an anchor object`);
  }
  const record = document as Record<string, unknown>;
  if (typeof record.type === 'string') return trustAnchor(record, path);
  if ('rootHash' in record && 'treeSize' in record) {
    return { type: 'ledgerdb-digest', digest: record as JsonObject };
  }
  if ('parentHash' in record && 'stateRoot' in record) {
    return ethereumBlockAnchor(path, record);
  }
  throw new InvalidArgumentError(
    '--anchor',
    `${path} is not a trust anchor ({type, …}), a signed ledgerdb digest, an Ethereum block header or a Fabric config block`,
  );
}

// The backends own the hashing; their packages load only when such an anchor file is given, so
// a missing adapter is the same UNSUPPORTED error naming the package as verifying its receipts.
async function ethereumBlockAnchor(path: string, header: Record<string, unknown>): Promise<TrustAnchor> {
  const { ethereumBlockHash } = await loadOptional(
    '@ledgerkit/ethereum',
    'an Ethereum block header given with --anchor',
    () => import('@ledgerkit/ethereum/verify'),
  );
  try {
    const { number, hash } = ethereumBlockHash(header);
    return { type: 'ethereum-block', number, hash };
  } catch (error) {
    throw asAnchorError(error, (message) => `${path}: ${message}`);
  }
}

async function fabricConfigBlockAnchor(path: string, bytes: Uint8Array): Promise<TrustAnchor> {
  const { fabricConfigBlockHash } = await loadOptional(
    '@ledgerkit/fabric',
    'a Fabric config block given with --anchor',
    () => import('@ledgerkit/fabric/verify'),
  );
  try {
    return { type: 'fabric-config-block', hash: fabricConfigBlockHash(bytes).hash };
  } catch (error) {
    throw asAnchorError(error, (message, details) =>
      details.headerType === undefined && details.transactions === undefined
        ? `${path}: the anchor file is neither JSON nor a Fabric block (protobuf common.Block)`
        : `${path}: ${message}`,
    );
  }
}

/** A backend's INVALID_ARGUMENT about the anchor file, restated as one about `--anchor`. */
function asAnchorError(
  error: unknown,
  message: (shortMessage: string, details: Readonly<Record<string, unknown>>) => string,
): unknown {
  if (!isLedgerError(error, 'INVALID_ARGUMENT')) return error;
  const { argument: _argument, ...details } = error.details;
  return new InvalidArgumentError('--anchor', message(error.shortMessage, details), details, error);
}

function trustAnchor(record: Record<string, unknown>, path: string): TrustAnchor {
  const type = record.type as string;
  if (!anchorTypes.includes(type)) {
    throw new InvalidArgumentError(
      '--anchor',
      `${path}: unknown anchor type '${type}' (known: ${anchorTypes.join(', ')})`,
    );
  }
  const ok =
    (type === 'ledgerdb-digest' && typeof record.digest === 'object' && record.digest !== null) ||
    (type === 'ethereum-block' && Number.isSafeInteger(record.number) && isHash(record.hash)) ||
    (type === 'fabric-config-block' && typeof record.hash === 'string' && /^[0-9a-fA-F]{64}$/.test(record.hash)) ||
    (type === 'fabric-msp-roots' && typeof record.roots === 'object' && record.roots !== null);
  if (!ok) throw new InvalidArgumentError('--anchor', `${path}: a malformed ${type} anchor`);
  return record as unknown as TrustAnchor;
}

function anchorBlock(text: string): TrustAnchor {
  const match = /^(\d+):(0x[0-9a-fA-F]{64})$/.exec(text);
  if (!match)
    throw new InvalidArgumentError('--anchor-block', `--anchor-block takes NUMBER:0xHASH (32 bytes), got '${text}'`);
  return { type: 'ethereum-block', number: Number(match[1]), hash: (match[2] as string).toLowerCase() };
}

async function mspRoots(specs: string[], readFile: (path: string) => Promise<Uint8Array>): Promise<TrustAnchor> {
  const roots: Record<string, string[]> = {};
  for (const spec of specs) {
    const at = spec.indexOf('=');
    if (at < 1) throw new InvalidArgumentError('--msp-root', `--msp-root takes MSPID=FILE, got '${spec}'`);
    const mspId = spec.slice(0, at);
    const file = spec.slice(at + 1);
    const pems = new TextDecoder()
      .decode(await readFile(file))
      .match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
    if (!pems) throw new InvalidArgumentError('--msp-root', `${file} holds no PEM certificate`);
    roots[mspId] = [...(roots[mspId] ?? []), ...pems.map((pem) => `${pem}\n`)];
  }
  return { type: 'fabric-msp-roots', roots };
}

function isHash(value: unknown): boolean {
  return typeof value === 'string' && /^0x[0-9a-fA-F]{64}$/.test(value);
}
