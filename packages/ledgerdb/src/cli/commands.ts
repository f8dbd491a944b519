// The `ledgerdb` data commands on commander. Each checks its own input before it opens the
// ledger, so bad input never touches the database; each prints human text by default and
// one JSON document (JSON lines for export) under --json.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { InvalidArgumentError, type JsonObject, LedgerError, type Verification } from '@ledgerkit/core';
import { Command } from 'commander';
import { formatJournalExport, type JournalExportFormat } from '../journal-export.js';
import type { LedgerDatabase } from '../ledger-database.js';
import type { StorageDriver } from '../storage/driver.js';
import type { AuditReport, CommitSummary, Digest, DocumentRevision, RevisionProof } from '../types.js';
import {
  parseRevision,
  readDigestFile,
  readDocument,
  readPrivateKeyFile,
  readProofFile,
  readPublicKeyFile,
} from './inputs.js';
import type { CliIo } from './io.js';
import { createProgress, exitCodes, formatValue, printFields, printJson, printJsonLine, printTable } from './output.js';
import { addCommonOptions, type CommonOptions, cliAction, mergedOptions, withExamples } from './program.js';

/** The options that say which ledger to open; on every command that opens one, and before it. */
export interface DatabaseOptions extends CommonOptions {
  db?: string;
  postgres?: string;
  schema?: string;
  signingKey?: string;
}

/** How a command uses the database. */
export type DatabaseUse =
  /** Opens it, creating the SQLite file when missing. */
  | 'create'
  /** Opens an existing SQLite file only. */
  | 'existing';

/**
 * Adds `--db`, `--postgres`, `--schema` and `--signing-key` to a command (the program has
 * them too, for `ledgerdb --db FILE <command>`).
 *
 * @param command - the command
 * @returns the same command
 */
export function addDatabaseOptions(command: Command): Command {
  return command
    .option('--db <file>', "the ledger's SQLite file")
    .option('--postgres <url>', 'a PostgreSQL ledger instead (default: $DATABASE_URL when --db is not given)')
    .option('--schema <name>', 'PostgreSQL schema (default: ledgerdb)')
    .option('--signing-key <file>', "the owner's Ed25519 private key (PEM); digests are signed with it");
}

/**
 * Every data command (create-table ... export, verify-proof), to add to the program.
 *
 * @param io - where they write and read
 * @returns the commands, in the order --help lists them
 */
export function createDataCommands(io: CliIo): Command[] {
  /** A command that opens the ledger: the options, then `run` with the open ledger, closed after. */
  const ledgerCommand = (
    name: string,
    description: string,
    use: DatabaseUse,
    examples: readonly string[],
    run: (ledger: () => Promise<LedgerDatabase>, args: string[], options: Record<string, unknown>) => Promise<number>,
  ): Command => {
    const command = addCommonOptions(addDatabaseOptions(new Command(name).description(description)));
    withExamples(command, examples);
    command.action(
      cliAction(io, async (...args: unknown[]) => {
        const self = args.at(-1) as Command;
        const options = mergedOptions<DatabaseOptions & Record<string, unknown>>(self);
        let opened: Promise<LedgerDatabase> | undefined;
        let exitCode: number;
        try {
          exitCode = await run(
            () => {
              opened ??= openDatabase(name, use, options, io);
              return opened;
            },
            self.processedArgs.filter((arg): arg is string => typeof arg === 'string'),
            options,
          );
        } catch (error) {
          if (opened !== undefined) await closeAfterFailure(opened);
          throw error;
        }
        // A failed close is this command's failure only when nothing failed before it.
        if (opened !== undefined) await (await opened).close();
        return exitCode;
      }),
    );
    return command;
  };

  /** Closes the ledger after the command failed; that first error is the one reported. */
  const closeAfterFailure = async (opened: Promise<LedgerDatabase>) => {
    try {
      await (await opened).close();
    } catch {
      // The open itself failed, or the close failed after the command did: already explained.
    }
  };

  const json = (options: Record<string, unknown>) => options.json === true;

  const createTable = ledgerCommand(
    'create-table',
    'Create a table (creates the SQLite file if it does not exist)',
    'create',
    ['shipments --db app.ledger', 'shipments --postgres postgres://ledger@db/ledger --json'],
    async (ledger, [table = ''], options) => {
      const open = await ledger();
      await open.createTable(table);
      printTableEntry(await tableEntry(open, table), json(options));
      return exitCodes.ok;
    },
  ).argument('<table>', 'the table name (letters, digits, _)');

  const createIndex = ledgerCommand(
    'create-index',
    'Create an equality index on a document path (e.g. owner.id)',
    'existing',
    ['shipments owner.id --db app.ledger'],
    async (ledger, [table = '', path = ''], options) => {
      const open = await ledger();
      await open.createIndex(table, path);
      printTableEntry(await tableEntry(open, table), json(options));
      return exitCodes.ok;
    },
  )
    .argument('<table>', 'the table')
    .argument('<path>', 'a dotted path into the documents');

  const printTableEntry = (entry: { table: string; indexes: string[] }, asJson: boolean) => {
    if (asJson) printJson(io, entry);
    else
      printFields(io, [
        ['table', entry.table],
        ['indexes', entry.indexes],
      ]);
  };

  const printCommitted = (committed: CommittedRevision, table: string, asJson: boolean) => {
    if (asJson) printJson(io, committed);
    else
      printFields(io, [
        ['document', `${table}/${committed.id}`],
        ['version', committed.version],
        ['txId', committed.txId],
        ['block', committed.seq],
        ['hash', committed.hash],
      ]);
  };

  const insert = ledgerCommand(
    'insert',
    'Insert a document; prints its id and where it was committed',
    'existing',
    [
      `shipments '{"sku":"A-1","qty":5}' --db app.ledger`,
      'shipments --file shipment.json --db app.ledger --json',
      `shipments - --db app.ledger < shipment.json`,
    ],
    async (ledger, [table = '', argument], options) => {
      const data = await readDocument(argument, options.file as string | undefined, io);
      const { value: id, commit } = await (await ledger()).transaction((tx) => tx.insert(table, data));
      printCommitted(committedRevision(commit, table, id), table, json(options));
      return exitCodes.ok;
    },
  )
    .argument('<table>', 'the table')
    .argument('[json]', 'the document, a JSON object; - reads it from standard input')
    .option('-f, --file <file>', 'read the document from this file instead');

  const update = ledgerCommand(
    'update',
    "Replace a document's data; prints where it was committed",
    'existing',
    [
      `shipments 4pVkYQ2rDwH8mZ3sT6uX1a '{"sku":"A-1","qty":6}' --db app.ledger`,
      'shipments ID - --db app.ledger < new.json',
    ],
    async (ledger, [table = '', id = '', argument], options) => {
      const data = await readDocument(argument, options.file as string | undefined, io);
      const { commit } = await (await ledger()).transaction((tx) => tx.update(table, id, data));
      printCommitted(committedRevision(commit, table, id), table, json(options));
      return exitCodes.ok;
    },
  )
    .argument('<table>', 'the table')
    .argument('<id>', 'the document id')
    .argument('[json]', 'the new data, a JSON object; - reads it from standard input')
    .option('-f, --file <file>', 'read the document from this file instead');

  const remove = ledgerCommand(
    'delete',
    'Delete a document (its history stays); prints where it was committed',
    'existing',
    ['shipments 4pVkYQ2rDwH8mZ3sT6uX1a --db app.ledger'],
    async (ledger, [table = '', id = ''], options) => {
      const { commit } = await (await ledger()).transaction((tx) => tx.delete(table, id));
      printCommitted(committedRevision(commit, table, id), table, json(options));
      return exitCodes.ok;
    },
  )
    .argument('<table>', 'the table')
    .argument('<id>', 'the document id');

  const get = ledgerCommand(
    'get',
    "Print a document's current data",
    'existing',
    ['shipments 4pVkYQ2rDwH8mZ3sT6uX1a --db app.ledger', 'shipments 4pVkYQ2rDwH8mZ3sT6uX1a --db app.ledger --json'],
    async (ledger, [table = '', id = ''], options) => {
      const data = await (await ledger()).get(table, id);
      if (data === undefined) {
        throw new LedgerError('NOT_FOUND', `document ${table}/${id} does not exist`, { details: { table, id } });
      }
      if (json(options)) printJson(io, data);
      else printDocument(io, data);
      return exitCodes.ok;
    },
  )
    .argument('<table>', 'the table')
    .argument('<id>', 'the document id');

  const history = ledgerCommand(
    'history',
    'Print every revision of a document, oldest first',
    'existing',
    ['shipments 4pVkYQ2rDwH8mZ3sT6uX1a --db app.ledger'],
    async (ledger, [table = '', id = ''], options) => {
      const revisions = await (await ledger()).history(table, id);
      if (revisions.length === 0) {
        throw new LedgerError('NOT_FOUND', `document ${table}/${id} has no history`, { details: { table, id } });
      }
      if (json(options)) printJson(io, revisions);
      else printHistory(io, revisions);
      return exitCodes.ok;
    },
  )
    .argument('<table>', 'the table')
    .argument('<id>', 'the document id');

  const digest = ledgerCommand(
    'digest',
    "Print the journal's digest (signed with --signing-key)",
    'existing',
    ['--db app.ledger', '--db app.ledger --signing-key owner.pem --json > digest.json'],
    async (ledger, _args, options) => {
      const value = await (await ledger()).digest();
      if (json(options)) printJson(io, value);
      else printDigest(io, value);
      return exitCodes.ok;
    },
  );

  const proof = ledgerCommand(
    'proof',
    'Print an inclusion proof of a revision against the current digest (save it with --json)',
    'existing',
    [
      'shipments 4pVkYQ2rDwH8mZ3sT6uX1a --db app.ledger',
      'shipments 4pVkYQ2rDwH8mZ3sT6uX1a --revision 0 --digest digest.json --db app.ledger --json > proof.json',
    ],
    async (ledger, [table = '', id = ''], options) => {
      const requested = options.revision === undefined ? undefined : parseRevision(options.revision as string);
      const against =
        options.digest === undefined ? undefined : await readDigestFile(options.digest as string, '--digest', io);
      const open = await ledger();
      const version = requested ?? (await open.revision(table, id)).metadata.version;
      const value = await open.proof(table, id, version, against);
      if (json(options)) printJson(io, value);
      else printProof(io, value);
      return exitCodes.ok;
    },
  )
    .argument('<table>', 'the table')
    .argument('<id>', 'the document id')
    .option('--revision <n>', 'the document version to prove (default: the latest)')
    .option('--digest <file>', 'prove against this earlier digest (printed by digest --json) instead');

  const audit = ledgerCommand(
    'audit',
    'Re-derive every hash in the database and report the first mismatch (exit 3 when one is found)',
    'existing',
    ['--db app.ledger', '--db app.ledger --against digest.json --json'],
    async (ledger, _args, options) => {
      const against =
        options.against === undefined ? undefined : await readDigestFile(options.against as string, '--against', io);
      const open = await ledger();
      createProgress(io, json(options)).step('auditing the journal', { command: 'audit' });
      const report = await open.audit(against === undefined ? {} : { against });
      if (json(options)) printJson(io, report);
      else printAudit(io, report);
      return report.ok ? exitCodes.ok : exitCodes.verificationFailed;
    },
  ).option('--against <file>', 'also check the journal against a digest you trust (printed by digest --json)');

  const exportCommand = ledgerCommand(
    'export',
    'Print every block with its revisions (JSON lines under --json); with --format, write a verifiable journal export',
    'existing',
    [
      '--db app.ledger',
      '--db app.ledger --json > journal.jsonl',
      '--db app.ledger --format jsonl --out journal-export.jsonl',
      '--db app.ledger --from 2026-01-01T00:00:00Z --to 2026-02-01T00:00:00Z --format ion --out january.ion',
    ],
    async (ledger, _args, options) => {
      const from = options.from === undefined ? undefined : parseBound(options.from as string, '--from');
      const to = options.to === undefined ? undefined : parseBound(options.to as string, '--to');
      const format = options.format as string | undefined;
      if (format !== undefined && format !== 'jsonl' && format !== 'ion') {
        throw new InvalidArgumentError('--format', `--format must be jsonl or ion, got '${format}'`);
      }
      if (format === undefined && (options.out !== undefined || from !== undefined || to !== undefined)) {
        throw new InvalidArgumentError(
          '--format',
          '--out, --from and --to write a verifiable export: name its --format',
        );
      }
      const open = await ledger();
      if (format !== undefined) {
        const records = await open.exportJournal({
          ...(from === undefined ? {} : { from }),
          ...(to === undefined ? {} : { to }),
        });
        const text = formatJournalExport(records, format as JournalExportFormat);
        const out = options.out as string | undefined;
        if (out === undefined || out === '-') {
          io.stdout(text);
          return exitCodes.ok;
        }
        await writeFile(out, text);
        const header = records[0] as { fromSeq: number; toSeq: number; fromLeaf: number; toLeaf: number };
        const { fromSeq, toSeq, fromLeaf, toLeaf } = header;
        const summary = { out, format, fromSeq, toSeq, fromLeaf, toLeaf, records: records.length };
        if (json(options)) printJson(io, summary);
        else {
          printFields(io, [
            ['out', out],
            ['format', format],
            ['blocks', `${header.fromSeq}..${header.toSeq}`],
            ['leaves', `${header.fromLeaf}..${header.toLeaf - 1}`],
            ['records', records.length],
          ]);
        }
        return exitCodes.ok;
      }
      if (!json(options)) io.stdout(`${'BLOCK'.padEnd(7)}${'TXID'.padEnd(24)}${'TIME'.padEnd(26)}REVISIONS\n`);
      for await (const block of open.export()) {
        if (json(options)) printJsonLine(io, block);
        else {
          const { seq, txId, txTime } = block.block;
          const revisions = block.revisions.map((revision) => {
            const { table, id, version } = revision.metadata;
            return `${table}/${id}@${version}`;
          });
          io.stdout(`${String(seq).padEnd(7)}${txId.padEnd(24)}${txTime.padEnd(26)}${revisions.join(' ')}\n`);
        }
      }
      return exitCodes.ok;
    },
  )
    .option('--format <format>', 'write a verifiable journal export: jsonl (JSON Lines) or ion (Ion text)')
    .option('--out <file>', 'the export file (default: standard output)')
    .option('--from <block|time>', 'first block of the export: a block number or an ISO 8601 time')
    .option('--to <block|time>', 'last block of the export: a block number or an ISO 8601 time');

  const redact = ledgerCommand(
    'redact',
    "Redact an earlier revision's data (QLDB redact_revision); the redaction is journaled",
    'existing',
    ['people 4pVkYQ2rDwH8mZ3sT6uX1a --revision 0 --db app.ledger', 'people p1 --revision 2 --db app.ledger --json'],
    async (ledger, [table = '', id = ''], options) => {
      const version = parseRevision(String(options.revision));
      const commit = await (await ledger()).redactRevision(table, id, version);
      if (json(options)) printJson(io, commit);
      else {
        printFields(io, [
          ['redacted', `${table}/${id}@${version}`],
          ['revisionHash', commit.redactions?.[0]?.revisionHash],
          ['txId', commit.txId],
          ['block', commit.seq],
          ['blockHash', commit.blockHash],
        ]);
      }
      return exitCodes.ok;
    },
  )
    .argument('<table>', 'the table')
    .argument('<id>', 'the document id')
    .requiredOption('--revision <n>', 'the version to redact (not the latest)');

  const verifyProof = addCommonOptions(
    new Command('verify-proof')
      .description('Check a proof offline, without any database (exit 3 when it does not verify)')
      .requiredOption('--proof <file>', 'a proof printed by proof --json (- for standard input)')
      .requiredOption('--digest <file>', 'the digest it is checked against, printed by digest --json (- for stdin)')
      .option('--public-key <file>', "also require the digest's signature by this Ed25519 key (PEM)"),
  );
  withExamples(verifyProof, [
    '--proof proof.json --digest digest.json',
    '--proof proof.json --digest digest.json --public-key owner.pub.pem --json',
    '--proof - --digest digest.json < proof.json',
  ]);
  verifyProof.action(
    cliAction(io, async (_local: unknown, self: Command) => {
      const options = mergedOptions<
        DatabaseOptions & { proof: string; digest: string; publicKey?: string } & CommonOptions
      >(self);
      for (const [key, flag] of [
        ['db', '--db'],
        ['postgres', '--postgres'],
        ['signingKey', '--signing-key'],
      ] as const) {
        if (options[key] !== undefined)
          throw new InvalidArgumentError(flag, `verify-proof works offline and takes no ${flag}`);
      }
      if (options.proof === '-' && options.digest === '-') {
        throw new InvalidArgumentError('--proof', 'only one of --proof and --digest can be - (standard input)');
      }
      const proofValue = await readProofFile(options.proof, '--proof', io);
      const digestValue = await readDigestFile(options.digest, '--digest', io);
      // Loaded here, not at the top: the verifier alone, no node:sqlite.
      const { verifyRevisionProof } = await import('../verifier.js');
      const verification = verifyRevisionProof(
        proofValue,
        digestValue,
        options.publicKey === undefined
          ? {}
          : { publicKey: await readPublicKeyFile(options.publicKey, '--public-key') },
      );
      if (options.json) printJson(io, verification);
      else printVerification(io, verification);
      return verification.ok ? exitCodes.ok : exitCodes.verificationFailed;
    }),
  );

  return [
    createTable,
    createIndex,
    insert,
    update,
    remove,
    get,
    history,
    digest,
    proof,
    verifyProof,
    audit,
    exportCommand,
    redact,
  ];
}

/**
 * Opens the ledger the options name: `--db FILE`, or `--postgres URL` (else `$DATABASE_URL`
 * when no `--db` is given), signing digests with `--signing-key`.
 */
export async function openDatabase(
  command: string,
  use: DatabaseUse,
  options: DatabaseOptions,
  io: CliIo,
): Promise<LedgerDatabase> {
  const postgres = options.postgres ?? (options.db === undefined ? io.env?.DATABASE_URL || undefined : undefined);
  if (options.db !== undefined && options.postgres !== undefined) {
    throw new InvalidArgumentError('argv', `${command} takes one of --db FILE or --postgres URL, not both`);
  }
  if (options.db === undefined && postgres === undefined) {
    throw new InvalidArgumentError('argv', `${command} needs --db FILE (or --postgres URL, or DATABASE_URL)`);
  }
  if (options.schema !== undefined && postgres === undefined) {
    throw new InvalidArgumentError('--schema', '--schema applies to --postgres only');
  }
  if (options.db !== undefined && use === 'existing' && !existsSync(options.db)) {
    throw new LedgerError('NOT_FOUND', `database ${options.db} does not exist (create-table creates it)`, {
      details: { path: options.db },
    });
  }
  const signingKey =
    options.signingKey === undefined ? undefined : await readPrivateKeyFile(options.signingKey, '--signing-key');
  let storage: StorageDriver | undefined;
  if (postgres !== undefined) {
    // Loaded only when asked for: SQLite users need no `pg`.
    const { postgresStorage } = await import('../storage/postgres.js');
    storage = postgresStorage({ connectionString: postgres, schema: options.schema ?? 'ledgerdb' });
  }
  // Loaded here, not at the top: verify-proof and --help must run without node:sqlite.
  const { openLedgerDatabase: openLedger } = await import('../ledger-database.js');
  return openLedger({
    ...(storage === undefined ? { path: options.db as string } : { storage }),
    ...(signingKey === undefined ? {} : { signingKey }),
  });
}

async function tableEntry(ledger: LedgerDatabase, table: string): Promise<{ table: string; indexes: string[] }> {
  const entry = (await ledger.tables()).find((candidate) => candidate.name === table);
  return { table, indexes: entry?.indexes ?? [] };
}

interface CommittedRevision {
  id: string;
  txId: string;
  seq: number;
  version: number;
  hash: string;
}

/** The one revision a single-document transaction committed, as insert, update and delete print it. */
function committedRevision(commit: CommitSummary | undefined, table: string, id: string): CommittedRevision {
  const revision = commit?.revisions.find((candidate) => candidate.table === table && candidate.id === id);
  if (commit === undefined || revision === undefined) {
    throw new LedgerError('INTERNAL', `the transaction on ${table}/${id} committed no revision`);
  }
  return { id, txId: commit.txId, seq: commit.seq, version: revision.version, hash: revision.hash };
}

/** A document as aligned `path  value` lines, nested objects flattened to dotted paths. */
function printDocument(io: CliIo, data: JsonObject): void {
  const fields: [string, unknown][] = [];
  const walk = (value: unknown, path: string) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
      for (const [key, inner] of Object.entries(value)) walk(inner, path ? `${path}.${key}` : key);
    } else {
      fields.push([path, value]);
    }
  };
  walk(data, '');
  if (fields.length === 1 && fields[0]?.[0] === '') io.stdout('(empty document)\n');
  else printFields(io, fields);
}

function printHistory(io: CliIo, revisions: readonly DocumentRevision[]): void {
  printTable(
    io,
    ['VERSION', 'TXID', 'TIME', 'HASH', 'DATA'],
    revisions.map((revision) => [
      revision.metadata.version,
      revision.metadata.txId,
      revision.metadata.txTime,
      revision.hash,
      revision.data !== undefined
        ? formatValue(revision.data)
        : revision.dataHash === undefined
          ? '(deleted)'
          : `(redacted, dataHash ${revision.dataHash})`,
    ]),
  );
}

function printDigest(io: CliIo, digest: Digest): void {
  printFields(io, [
    ['ledger', digest.ledger],
    ['treeSize', digest.treeSize],
    ['rootHash', digest.rootHash],
    ['tip block', digest.tip === null ? '(empty journal)' : digest.tip.seq],
    ['tip hash', digest.tip?.blockHash],
    ['signature', digest.signature ?? '(unsigned)'],
  ]);
}

function printProof(io: CliIo, proof: RevisionProof): void {
  const { table, id, version } = proof.revision.metadata;
  printFields(io, [
    ['revision', `${table}/${id}@${version}`],
    ['leafIndex', proof.leafIndex],
    ['leafHash', proof.leafHash],
    ['treeSize', proof.treeSize],
    ['rootHash', proof.rootHash],
    ['auditPath', `${proof.auditPath.length} hashes`],
  ]);
  io.stdout('Save the proof with --json > proof.json and check it with verify-proof.\n');
}

function printVerification(io: CliIo, verification: Verification): void {
  printTable(
    io,
    ['CHECK', 'RESULT', 'DETAIL'],
    verification.checks.map((check) => [check.name, check.ok ? 'ok' : 'FAILED', check.detail]),
  );
  io.stdout(verification.ok ? 'verified\n' : 'NOT VERIFIED\n');
}

function printAudit(io: CliIo, report: AuditReport): void {
  printFields(io, [
    ['result', report.ok ? 'ok' : 'MISMATCH'],
    ['treeSize', report.treeSize],
    ['blocks', report.blocks],
    ['revisions', report.revisions],
    ['rootHash', report.rootHash],
    [
      'first mismatch',
      report.firstMismatch === undefined
        ? undefined
        : `${report.firstMismatch.reason} (leaf ${report.firstMismatch.leaf ?? '-'})`,
    ],
  ]);
}

/** `--from`/`--to` of export: a block number, or an ISO 8601 time. */
function parseBound(text: string, option: string): number | Date {
  if (/^\d{1,15}$/.test(text)) return Number(text);
  const time = /^\d{4}-\d{2}-\d{2}/.test(text) ? new Date(text) : new Date(Number.NaN);
  if (Number.isNaN(time.getTime())) {
    throw new InvalidArgumentError(option, `${option} must be a block number or an ISO 8601 time, got '${text}'`);
  }
  return time;
}
