import { X509Certificate } from 'node:crypto';
import { certificateParts, type DerNode, decodeObjectIdentifier, extensionValue } from '@ledgerkit/core/der';
import type { ClientIdentity, SerializedIdentity } from 'fabric-shim-api';
import { fabricAttributesOid } from './test-identity.js';

// Short names as fabric-shim's certificate parser prints them in `getID()`.
const shortNames: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.5': 'SERIALNUMBER',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'E',
};

function formatName(name: DerNode): string {
  return name.children
    .flatMap((relativeName) => relativeName.children)
    .map((pair) => {
      const [oid, value] = pair.children;
      const type = oid ? decodeObjectIdentifier(oid.content) : '';
      // fabric-shim escapes only the first '/' of a value; so do we, to produce the same id.
      const text = (value?.content.toString('utf8') ?? '').replace('/', '\\/');
      return `/${shortNames[type] ?? type}=${text}`;
    })
    .join('');
}

/**
 * The caller as chaincode sees it through `ctx.clientIdentity`: the same answers as
 * fabric-shim's `ClientIdentity` for the same creator (MSP id + PEM certificate).
 */
export class HarnessClientIdentity implements ClientIdentity {
  readonly #mspId: string;
  readonly #idBytes: Uint8Array;
  readonly #id: string;
  readonly #attributes: Record<string, string>;

  /**
   * @param creator the serialized identity (MSP id and PEM certificate bytes) of the caller.
   * @throws {Error} when the certificate is not PEM, like fabric-shim.
   */
  constructor(creator: SerializedIdentity) {
    this.#mspId = creator.mspid;
    this.#idBytes = creator.idBytes;
    const pem = new TextDecoder().decode(creator.idBytes);
    const match = /-----\s*BEGIN ?[^-]+?-----([\s\S]*?)-----\s*END ?[^-]+?-----/.exec(pem);
    if (!match?.[1]) throw new Error('Failed to find start line or end line of the certificate.');
    const der = Buffer.from(match[1].replace(/\s+/g, ''), 'base64');
    // Parsed only to refuse what is not a certificate, as fabric-shim's parser does.
    new X509Certificate(der);
    const { issuer, subject, extensions } = certificateParts(der);
    this.#id = `x509::${formatName(subject)}::${formatName(issuer)}`;
    const attributes = extensionValue(extensions, fabricAttributesOid);
    const parsed = JSON.parse(attributes?.toString('utf8') ?? '{}') as { attrs?: Record<string, string> };
    this.#attributes = parsed.attrs ?? {};
  }

  /** @returns `x509::{subject DN}::{issuer DN}`, unique within the MSP. */
  getID(): string {
    return this.#id;
  }

  /** @returns the MSP id of the caller. */
  getMSPID(): string {
    return this.#mspId;
  }

  /** @returns the PEM certificate bytes of the caller. */
  getIDBytes(): Uint8Array {
    return this.#idBytes;
  }

  /**
   * @param attributeName the certificate attribute.
   * @returns its value, or `null` when the caller does not have it (or it is empty, like fabric-shim).
   */
  getAttributeValue(attributeName: string): string | null {
    const value = this.#attributes[attributeName];
    return value ? value : null;
  }

  /**
   * @param attributeName the certificate attribute.
   * @param attributeValue the expected value.
   * @returns whether the caller has the attribute with exactly this value.
   */
  assertAttributeValue(attributeName: string, attributeValue: string): boolean {
    const value = this.getAttributeValue(attributeName);
    return value !== null && value === attributeValue;
  }
}
