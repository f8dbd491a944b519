import { InvalidArgumentError, type JsonObject, type LedgerKind, type Receipt, type Revision } from '@ledgerkit/core';

/** One thing `ledgerkit verify` checks: a receipt or revision, with evidence when the file had it. */
export interface VerifySubject {
  /** What the file holds at this place. */
  subject: Receipt | Revision;
  /** The untrusted evidence of a verification bundle; absent for a bare receipt or revision. */
  evidence?: JsonObject;
  /** The backend that wrote it. */
  backend: LedgerKind;
  /** Where it is in the input, e.g. `item 3`, for messages. */
  where: string;
}

const knownBackends: readonly string[] = ['ledgerdb', 'ethereum', 'fabric'];

/**
 * Reads the subjects of an input document: a Receipt, a Revision, a `VerificationBundle`, or
 * a JSON array of any of these (an exported history or provenance file).
 *
 * @param text - the input as text
 * @param name - the file name, for messages (`-` for stdin)
 * @returns the subjects, in input order
 * @throws InvalidArgumentError naming the problem: not JSON, an empty array, an unknown
 *   document or backend
 */
export function readSubjects(text: string, name: string): VerifySubject[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidArgumentError('FILE', `${name} is not JSON (${reason}); a truncated file cannot be verified`);
  }
  if (!Array.isArray(document)) return [readOne(document, name)];
  if (document.length === 0) throw new InvalidArgumentError('FILE', `${name} is an empty array: nothing to verify`);
  return document.map((item, index) => readOne(item, `${name} item ${index}`));
}

function readOne(value: unknown, where: string): VerifySubject {
  if (!isObject(value)) {
    throw new InvalidArgumentError(
      'FILE',
      `${where} is not a receipt, revision or verification bundle (got ${kindOf(value)})`,
    );
  }
  if (value.format === 'ledgerkit.verification-bundle') {
    if (value.version !== 1) {
      throw new InvalidArgumentError(
        'FILE',
        `${where}: verification bundle version ${String(value.version)} is unknown to this ledgerkit (it reads 1); upgrade ledgerkit`,
      );
    }
    if (!isObject(value.evidence))
      throw new InvalidArgumentError('FILE', `${where}: the verification bundle has no evidence object`);
    const subject = subjectOf(value.subject, `${where} subject`);
    return { subject, evidence: value.evidence as JsonObject, backend: backendOf(subject, where), where };
  }
  if (typeof value.format === 'string') {
    throw new InvalidArgumentError('FILE', `${where}: unknown document format '${value.format}'`);
  }
  const subject = subjectOf(value, where);
  return { subject, backend: backendOf(subject, where), where };
}

function subjectOf(value: unknown, where: string): Receipt | Revision {
  if (isObject(value) && 'receipt' in value && 'key' in value) {
    if (!isReceiptShaped(value.receipt))
      throw new InvalidArgumentError('FILE', `${where}: the revision's receipt is not a receipt`);
    return value as unknown as Revision;
  }
  if (isReceiptShaped(value)) return value as unknown as Receipt;
  throw new InvalidArgumentError(
    'FILE',
    `${where} is not a receipt (backend, ledger, txId, position), a revision (key, version, value, receipt) or a verification bundle`,
  );
}

function isReceiptShaped(value: unknown): boolean {
  return isObject(value) && typeof value.backend === 'string' && 'txId' in value && 'position' in value;
}

function backendOf(subject: Receipt | Revision, where: string): LedgerKind {
  const backend = 'receipt' in subject ? subject.receipt.backend : subject.backend;
  if (!knownBackends.includes(backend)) {
    throw new InvalidArgumentError(
      'FILE',
      `${where}: unknown backend '${String(backend)}' (known: ${knownBackends.join(', ')})`,
    );
  }
  return backend;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  return Array.isArray(value) ? 'a nested array' : value === null ? 'null' : typeof value;
}

/**
 * Whether the input is a ledgerdb journal export (`ledgerdb export --format`), which
 * `ledgerkit verify` checks as one subject: `jsonl` when its first line is the export's JSON
 * header, `ion` when it is Ion text naming the export format, else undefined.
 *
 * @param text - the input as text
 * @returns the export's text format, or undefined for any other document
 */
export function journalExportKind(text: string): 'jsonl' | 'ion' | undefined {
  const firstLine = text.slice(0, text.indexOf('\n') >>> 0).trim();
  if (firstLine.startsWith('{"')) {
    try {
      const header = JSON.parse(firstLine) as unknown;
      return isObject(header) && header.format === 'ledgerdb.journal-export' ? 'jsonl' : undefined;
    } catch {
      return undefined;
    }
  }
  return /^\s*\{\s*type\s*:\s*"header"\s*,\s*format\s*:\s*"ledgerdb\.journal-export"/.test(text) ? 'ion' : undefined;
}
