// Browser-safe: no Node built-ins, no Buffer (the `./verify` subpath bundles this module).
import { hashLeaf, type JsonObject, toHex } from '@ledgerkit/core';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { DocumentRevision, RevisionBody } from '../types.js';
import { canonicalize } from './canonical-json.js';

/**
 * Journal formats. 1: a revision's leaf holds its data. 2: the leaf holds the data's hash
 * (`dataHash`) and the data is stored beside it, so it can be redacted. A ledger records its
 * format when it is created (storage setting `journal_format`); ledgers older than the
 * setting are format 1.
 */
export type JournalFormat = 1 | 2;

/** The format new ledgers are created with. */
export const currentJournalFormat: JournalFormat = 2;

/**
 * `dataHash` of a revision: SHA-256 of the UTF-8 bytes of its data's RFC 8785 JSON, lowercase
 * hex. No leaf prefix: it is not a tree node, and independent verifiers recompute it with a
 * plain SHA-256.
 *
 * @param dataJson - the data's canonical JSON
 * @returns the hash
 */
export function dataHashOf(dataJson: string): string {
  return bytesToHex(sha256(new TextEncoder().encode(dataJson)));
}

/** Whether a revision body is of format 2 (it carries `dataHash`). */
export function hasDataHash(body: RevisionBody): boolean {
  return typeof body.dataHash === 'string';
}

/** A revision is a delete when it has neither data nor a data hash (the same in both formats). */
export function isDeleteRevision(body: Pick<RevisionBody, 'data' | 'dataHash'>): boolean {
  return body.data === undefined && body.dataHash === undefined;
}

/**
 * The canonical JSON that is hashed into a revision's leaf: the whole body in format 1; the
 * body without `data` in format 2 (its `dataHash` commits to the data).
 *
 * @param body - a revision body of either format
 * @returns the leaf's bytes as text
 * @throws InvalidArgumentError when the body is not plain JSON
 */
export function revisionLeafText(body: RevisionBody): string {
  if (typeof body === 'object' && body !== null && typeof body.dataHash === 'string' && 'data' in body) {
    const { data: _data, ...leaf } = body;
    return canonicalize(leaf, 'revision');
  }
  return canonicalize(body, 'revision');
}

/**
 * A stored revision's body with its data: the leaf's bytes parsed, plus the data kept beside
 * a format-2 leaf (none once redacted). Keys in RFC 8785 order.
 *
 * @param body - the leaf's bytes
 * @param data - the data stored beside a format-2 leaf, null or undefined when none
 */
export function storedRevisionBody(body: string, data: string | null | undefined): RevisionBody {
  const parsed = JSON.parse(body) as RevisionBody;
  if (typeof data !== 'string' || parsed.dataHash === undefined) return parsed;
  return {
    blockAddress: parsed.blockAddress,
    data: JSON.parse(data) as JsonObject,
    dataHash: parsed.dataHash,
    metadata: parsed.metadata,
  };
}

/**
 * The committed view of a stored revision: its body (with its data, if any) and leaf hash.
 *
 * @param stored - the leaf's bytes and the data stored beside it
 */
export function committedRevision(stored: { body: string; data?: string | null }): DocumentRevision {
  return { ...storedRevisionBody(stored.body, stored.data), hash: toHex(hashLeaf(stored.body)) };
}
