import { createPrivateKey, type KeyObject } from 'node:crypto';
import { basename, extname } from 'node:path';
import { InvalidArgumentError, LedgerError, type RetryOptions } from '@ledgerkit/core';
import { currentJournalFormat, type JournalFormat } from '../internal/revision-format.js';
import type { StorageDriver, StorageWriter } from '../storage/driver.js';
import { sqliteStorage } from '../storage/sqlite.js';
import type { Limits } from '../types.js';

/** Options of {@link openLedgerDatabase}. */
export interface OpenLedgerDatabaseOptions {
  /** SQLite file of the embedded driver; `:memory:` (the default) for a throwaway ledger. */
  path?: string;
  /** Another storage driver instead of `path`. */
  storage?: StorageDriver;
  /** Ledger name written into digests and blocks (default: the file name, or `ledger`). */
  name?: string;
  /** The owner's Ed25519 private key; when given, every digest is signed. */
  signingKey?: KeyObject | string;
  /** Transaction limits; unset ones keep QLDB's defaults. */
  limits?: Partial<Limits>;
  /** Retry policy of `transaction()` on OCC conflicts (default: 4 retries, QLDB backoff). */
  retry?: RetryOptions;
  /**
   * Memory for the Merkle nodes appended since opening (default 128 MiB, about 2 million
   * leaves), so proofs of recent revisions need no storage reads.
   */
  proofCacheBytes?: number;
  /**
   * Journal format of a ledger this call creates (default 2). Format 2 leaves commit to a
   * hash of each revision's data, so revisions can be redacted; format 1 leaves hold the
   * data itself, as ledgerdb wrote before redaction existed (only for ledgers that older
   * readers must verify). An existing ledger keeps the format it was created with; naming
   * another is `INVALID_ARGUMENT`.
   */
  journalFormat?: JournalFormat;
}

/** Default limits: QLDB's. */
export const defaultLimits: Readonly<Limits> = Object.freeze({
  documentsPerTransaction: 40,
  documentBytes: 128 * 1024,
  transactionMs: 30_000,
  indexesPerTable: 5,
});

/** The options of {@link openLedgerDatabase}, checked, with their defaults. */
export interface LedgerSettings {
  storage: StorageDriver;
  /** The name a new ledger gets. */
  proposedName: string;
  /** The name the caller asked for, if any: an existing ledger must have it. */
  requestedName: string | undefined;
  limits: Readonly<Limits>;
  retry: RetryOptions;
  proofCacheBytes: number;
  signingKey: KeyObject | undefined;
  /** The journal format the caller asked for, if any. */
  journalFormat: JournalFormat | undefined;
}

/**
 * Checks the options of {@link openLedgerDatabase} before anything is opened.
 *
 * @throws `INVALID_ARGUMENT` naming the first bad option
 */
export function checkOpenOptions(options: OpenLedgerDatabaseOptions): LedgerSettings {
  const path = options.path ?? ':memory:';
  const storage = options.storage ?? sqliteStorage({ path });
  const proposedName = options.name ?? (path === ':memory:' ? 'ledger' : basename(path, extname(path)));
  if (!/^[A-Za-z0-9_.-]{1,128}$/.test(proposedName)) {
    throw new InvalidArgumentError('name', `ledger name ${JSON.stringify(proposedName)} is invalid`);
  }
  const limits = { ...defaultLimits, ...options.limits };
  for (const [key, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new InvalidArgumentError(`limits.${key}`, `limit ${key} must be a positive integer, got ${value}`);
    }
  }
  const retries = options.retry?.retries;
  if (retries !== undefined && (!Number.isSafeInteger(retries) || retries < 0)) {
    throw new InvalidArgumentError('retry.retries', `retries must be a non-negative integer, got ${retries}`);
  }
  const proofCacheBytes = options.proofCacheBytes ?? 128 * 1024 * 1024;
  if (!Number.isSafeInteger(proofCacheBytes) || proofCacheBytes < 0) {
    throw new InvalidArgumentError('proofCacheBytes', `proofCacheBytes must be a non-negative integer`);
  }
  let signingKey: KeyObject | undefined;
  if (options.signingKey !== undefined) {
    signingKey = typeof options.signingKey === 'string' ? createPrivateKey(options.signingKey) : options.signingKey;
    if (signingKey.asymmetricKeyType !== 'ed25519') {
      throw new InvalidArgumentError('signingKey', `signingKey must be an Ed25519 private key`);
    }
  }
  if (options.journalFormat !== undefined && options.journalFormat !== 1 && options.journalFormat !== 2) {
    throw new InvalidArgumentError('journalFormat', `journalFormat must be 1 or 2, got ${options.journalFormat}`);
  }
  return {
    storage,
    proposedName,
    requestedName: options.name,
    limits,
    retry: options.retry ?? {},
    proofCacheBytes,
    signingKey,
    journalFormat: options.journalFormat,
  };
}

/**
 * The ledger's name and journal format, recorded in storage when the ledger is created: both
 * are part of every block and leaf, so they never change afterwards.
 *
 * @throws `INVALID_ARGUMENT` when the storage holds another ledger than the one named, or
 * another journal format than the one asked for; `UNSUPPORTED` for an unknown format
 */
export async function identifyLedger(
  writer: StorageWriter,
  settings: Pick<LedgerSettings, 'proposedName' | 'requestedName' | 'journalFormat'>,
): Promise<{ name: string; format: JournalFormat }> {
  const stored = await writer.meta('ledger_name');
  if (stored === undefined) await writer.setMeta('ledger_name', settings.proposedName);
  else if (settings.requestedName !== undefined && settings.requestedName !== stored) {
    throw new InvalidArgumentError('name', `this storage holds ledger ${stored}, not ${settings.requestedName}`, {
      stored,
    });
  }
  const format = await journalFormatOf(writer, settings.journalFormat);
  return { name: stored ?? settings.proposedName, format };
}

/**
 * The journal format of the ledger in storage, recorded on first open: `requested` (default
 * {@link currentJournalFormat}) for a new ledger, 1 for a ledger that predates the setting.
 *
 * @throws `UNSUPPORTED` for a format this version does not know; `INVALID_ARGUMENT` when
 * `requested` differs from the ledger's
 */
async function journalFormatOf(writer: StorageWriter, requested: JournalFormat | undefined): Promise<JournalFormat> {
  const stored = await writer.meta('journal_format');
  let format: JournalFormat;
  if (stored === undefined) {
    // A journal written before the setting existed is format 1, whatever is asked.
    const { treeSize } = await writer.head();
    format = treeSize === 0 ? (requested ?? currentJournalFormat) : 1;
    await writer.setMeta('journal_format', String(format));
  } else if (stored === '1' || stored === '2') {
    format = Number(stored) as JournalFormat;
  } else {
    throw new LedgerError(
      'UNSUPPORTED',
      `this ledger uses journal format ${stored}; this ledgerdb reads formats 1 and 2 (upgrade ledgerdb)`,
      { details: { journalFormat: stored } },
    );
  }
  if (requested !== undefined && requested !== format) {
    throw new InvalidArgumentError('journalFormat', `this ledger uses journal format ${format}, not ${requested}`, {
      journalFormat: format,
    });
  }
  return format;
}
