// The `ledgerdb` commands. Each checks its own input before it opens the ledger, so bad
// input never touches the database, and returns its exit code.
import { LedgerError } from '@ledgerkit/core';
import type { LedgerDatabase } from '../ledger-database.js';
import type { CommitSummary } from '../types.js';
import { verifyRevisionProof } from '../verifier.js';
import { parseDocument, parseVersion, readDigestFile, readProofFile, readPublicKeyFile } from './inputs.js';
import { type CliOutput, exitCodes, printJson, printJsonLine } from './output.js';

/** Options that belong to particular commands (the global ones are handled by `runCli`). */
export interface CommandOptions {
  version?: string;
  proof?: string;
  digest?: string;
  'public-key'?: string;
  against?: string;
}

/** Names of the command-specific options. */
export type CommandOptionName = keyof CommandOptions;

/** What a command gets to run. */
export interface CommandContext {
  /**
   * A positional argument by its name in the usage (`'TABLE'`); the runner has checked
   * that all are present.
   */
  operand(name: string): string;
  /** Command-specific options as given. */
  options: Readonly<CommandOptions>;
  output: CliOutput;
  /** Opens the ledger named by --db, once; the runner closes it. */
  ledger(): Promise<LedgerDatabase>;
}

/** How a command uses the database given by --db. */
export type DatabaseUse =
  /** Opens it, creating the file when missing. */
  | 'create'
  /** Opens an existing file only. */
  | 'existing'
  /** Never opens one, and refuses --db. */
  | 'none';

/** One `ledgerdb` command. */
export interface Command {
  /** Positional arguments, in order, as named in the usage. */
  operands: readonly string[];
  /** Command-specific options it accepts. */
  options: readonly CommandOptionName[];
  database: DatabaseUse;
  /** Runs the command; resolves to its exit code. */
  run(context: CommandContext): Promise<number>;
}

/** Every command, by name. */
export const commands: ReadonlyMap<string, Command> = new Map<string, Command>([
  [
    'create-table',
    {
      operands: ['TABLE'],
      options: [],
      database: 'create',
      async run(context) {
        const table = context.operand('TABLE');
        const ledger = await context.ledger();
        await ledger.createTable(table);
        printJson(context.output, await tableEntry(ledger, table));
        return exitCodes.ok;
      },
    },
  ],
  [
    'create-index',
    {
      operands: ['TABLE', 'PATH'],
      options: [],
      database: 'existing',
      async run(context) {
        const table = context.operand('TABLE');
        const ledger = await context.ledger();
        await ledger.createIndex(table, context.operand('PATH'));
        printJson(context.output, await tableEntry(ledger, table));
        return exitCodes.ok;
      },
    },
  ],
  [
    'insert',
    {
      operands: ['TABLE', 'JSON'],
      options: [],
      database: 'existing',
      async run(context) {
        const table = context.operand('TABLE');
        const data = parseDocument(context.operand('JSON'), 'JSON');
        const ledger = await context.ledger();
        const { value: id, commit } = await ledger.transaction((tx) => tx.insert(table, data));
        printJson(context.output, committedRevision(commit, table, id));
        return exitCodes.ok;
      },
    },
  ],
  [
    'update',
    {
      operands: ['TABLE', 'ID', 'JSON'],
      options: [],
      database: 'existing',
      async run(context) {
        const table = context.operand('TABLE');
        const id = context.operand('ID');
        const data = parseDocument(context.operand('JSON'), 'JSON');
        const ledger = await context.ledger();
        const { commit } = await ledger.transaction((tx) => tx.update(table, id, data));
        printJson(context.output, committedRevision(commit, table, id));
        return exitCodes.ok;
      },
    },
  ],
  [
    'delete',
    {
      operands: ['TABLE', 'ID'],
      options: [],
      database: 'existing',
      async run(context) {
        const table = context.operand('TABLE');
        const id = context.operand('ID');
        const ledger = await context.ledger();
        const { commit } = await ledger.transaction((tx) => tx.delete(table, id));
        printJson(context.output, committedRevision(commit, table, id));
        return exitCodes.ok;
      },
    },
  ],
  [
    'get',
    {
      operands: ['TABLE', 'ID'],
      options: [],
      database: 'existing',
      async run(context) {
        const table = context.operand('TABLE');
        const id = context.operand('ID');
        const ledger = await context.ledger();
        const data = await ledger.get(table, id);
        if (data === undefined) {
          throw new LedgerError('NOT_FOUND', `document ${table}/${id} does not exist`, { details: { table, id } });
        }
        printJson(context.output, data);
        return exitCodes.ok;
      },
    },
  ],
  [
    'history',
    {
      operands: ['TABLE', 'ID'],
      options: [],
      database: 'existing',
      async run(context) {
        const table = context.operand('TABLE');
        const id = context.operand('ID');
        const ledger = await context.ledger();
        const revisions = await ledger.history(table, id);
        if (revisions.length === 0) {
          throw new LedgerError('NOT_FOUND', `document ${table}/${id} has no history`, { details: { table, id } });
        }
        printJson(context.output, revisions);
        return exitCodes.ok;
      },
    },
  ],
  [
    'digest',
    {
      operands: [],
      options: [],
      database: 'existing',
      async run(context) {
        const ledger = await context.ledger();
        printJson(context.output, await ledger.digest());
        return exitCodes.ok;
      },
    },
  ],
  [
    'proof',
    {
      operands: ['TABLE', 'ID'],
      options: ['version', 'digest'],
      database: 'existing',
      async run(context) {
        const table = context.operand('TABLE');
        const id = context.operand('ID');
        const requested = context.options.version === undefined ? undefined : parseVersion(context.options.version);
        const digest =
          context.options.digest === undefined ? undefined : await readDigestFile(context.options.digest, '--digest');
        const ledger = await context.ledger();
        const version = requested ?? (await ledger.revision(table, id)).metadata.version;
        printJson(context.output, await ledger.proof(table, id, version, digest));
        return exitCodes.ok;
      },
    },
  ],
  [
    'verify-proof',
    {
      operands: [],
      options: ['proof', 'digest', 'public-key'],
      database: 'none',
      async run(context) {
        const proof = await readProofFile(requireOption(context, 'proof'), '--proof');
        const digest = await readDigestFile(requireOption(context, 'digest'), '--digest');
        const publicKeyPath = context.options['public-key'];
        const verification = verifyRevisionProof(
          proof,
          digest,
          publicKeyPath === undefined ? {} : { publicKey: await readPublicKeyFile(publicKeyPath, '--public-key') },
        );
        printJson(context.output, verification);
        return verification.ok ? exitCodes.ok : exitCodes.verificationFailed;
      },
    },
  ],
  [
    'audit',
    {
      operands: [],
      options: ['against'],
      database: 'existing',
      async run(context) {
        const against =
          context.options.against === undefined
            ? undefined
            : await readDigestFile(context.options.against, '--against');
        const ledger = await context.ledger();
        const report = await ledger.audit(against === undefined ? {} : { against });
        printJson(context.output, report);
        return report.ok ? exitCodes.ok : exitCodes.verificationFailed;
      },
    },
  ],
  [
    'export',
    {
      operands: [],
      options: [],
      database: 'existing',
      async run(context) {
        const ledger = await context.ledger();
        for await (const block of ledger.export()) printJsonLine(context.output, block);
        return exitCodes.ok;
      },
    },
  ],
]);

async function tableEntry(ledger: LedgerDatabase, table: string): Promise<{ table: string; indexes: string[] }> {
  const entry = (await ledger.tables()).find((candidate) => candidate.name === table);
  return { table, indexes: entry?.indexes ?? [] };
}

/** The one revision a single-document transaction committed, as insert, update and delete print it. */
function committedRevision(
  commit: CommitSummary | undefined,
  table: string,
  id: string,
): { id: string; txId: string; seq: number; version: number; hash: string } {
  const revision = commit?.revisions.find((candidate) => candidate.table === table && candidate.id === id);
  if (commit === undefined || revision === undefined) {
    throw new LedgerError('INTERNAL', `the transaction on ${table}/${id} committed no revision`);
  }
  return { id, txId: commit.txId, seq: commit.seq, version: revision.version, hash: revision.hash };
}

function requireOption(context: CommandContext, name: 'proof' | 'digest'): string {
  const value = context.options[name];
  if (value === undefined) {
    throw new LedgerError('INVALID_ARGUMENT', `missing --${name} FILE`, { details: { argument: `--${name}` } });
  }
  return value;
}
