import {
  isLedgerError,
  MerkleTree,
  toHex,
  type VerificationCheck,
  verification,
  verifyConsistency,
  verifyInclusion,
} from '@ledgerkit/core';
import { Command } from 'commander';
import { addCommonOptions, type CliOutput, cliAction, exitCodes, withExamples } from '../program/conventions.js';
import { integerIn } from '../program/inputs.js';
import { printJson } from '../program/output.js';

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Number of supply-chain events to append. */
  events: number;
  /** Receives the human-readable walkthrough. */
  print: (text: string) => void;
}

/** What the demo proved, as JSON. */
export interface DemoResult {
  ok: boolean;
  events: number;
  digest: { treeSize: number; rootHash: string };
  checks: VerificationCheck[];
}

const steps = ['registered', 'picked-up', 'checkpoint', 'checkpoint', 'handed-over', 'received'] as const;

function event(i: number): string {
  return JSON.stringify({
    asset: 'pallet-42',
    seq: i,
    step: steps[i % steps.length],
    temperatureC: 4 + (i % 3),
    at: new Date(Date.UTC(2026, 0, 1, 8, i)).toISOString(),
  });
}

/**
 * A self-contained walkthrough of verifiable logging on an RFC 9162 Merkle tree, in this
 * process and without a ledger backend: the checks an auditor makes on a log it does not
 * trust. The published CLI cannot depend on the repository's private example app, so the
 * three-backend supply-chain demo is the repository's `npm run demo`, not this command.
 */
export function runDemo(options: DemoOptions): DemoResult {
  const { print } = options;
  const tree = new MerkleTree();
  const entries: string[] = [];
  for (let i = 0; i < options.events; i++) {
    entries.push(event(i));
    tree.append(entries[i] as string);
  }
  const earlierSize = Math.max(1, Math.floor(options.events / 2));
  const earlier = { treeSize: earlierSize, rootHash: toHex(tree.root(earlierSize)) };
  const digest = { treeSize: tree.size, rootHash: toHex(tree.root()) };
  print(`Appended ${tree.size} supply-chain events for pallet-42 to an append-only Merkle log.\n`);
  print(`An auditor saved the digest at ${earlier.treeSize} events: ${earlier.rootHash}\n`);
  print(`Current digest at ${digest.treeSize} events:          ${digest.rootHash}\n\n`);

  const checks: VerificationCheck[] = [];
  const check = (name: string, detail: string, run: () => void, expectFailure = false) => {
    try {
      run();
      checks.push({ name, ok: !expectFailure, detail: expectFailure ? `accepted: ${detail}` : detail });
    } catch (error) {
      if (!isLedgerError(error, 'MERKLE_PROOF_INVALID') || !expectFailure) throw error;
      checks.push({ name, ok: true, detail: `${detail}: rejected (${error.code})` });
    }
    const last = checks[checks.length - 1] as VerificationCheck;
    print(`${last.ok ? 'ok  ' : 'FAIL'} ${name}: ${last.detail}\n`);
  };

  const target = Math.min(3, tree.size - 1);
  check('inclusion-proof', `event ${target} is in the log with root ${digest.rootHash.slice(0, 16)}...`, () =>
    verifyInclusion({
      leafHash: tree.leafHash(target),
      leafIndex: target,
      treeSize: tree.size,
      auditPath: tree.inclusionProof(target),
      rootHash: digest.rootHash,
    }),
  );
  check('consistency-proof', `the log at ${digest.treeSize} extends the saved digest at ${earlier.treeSize}`, () =>
    verifyConsistency({
      oldSize: earlier.treeSize,
      newSize: digest.treeSize,
      oldRoot: earlier.rootHash,
      newRoot: digest.rootHash,
      proof: tree.consistencyProof(earlier.treeSize),
    }),
  );

  // The operator quietly lowers the temperature recorded in event `target` (hiding a
  // cold-chain excursion) and rebuilds the log from the edited events.
  const forged = new MerkleTree();
  for (const [i, entry] of entries.entries()) {
    const edited = { ...(JSON.parse(entry) as { temperatureC: number }) };
    edited.temperatureC -= 3;
    forged.append(i === target ? JSON.stringify(edited) : entry);
  }
  check(
    'tampered-event-detected',
    `a rewritten event ${target} is checked against the saved digest`,
    () =>
      verifyConsistency({
        oldSize: earlier.treeSize > target ? earlier.treeSize : tree.size,
        newSize: forged.size,
        oldRoot: earlier.treeSize > target ? earlier.rootHash : digest.rootHash,
        newRoot: toHex(forged.root()),
        proof: forged.consistencyProof(earlier.treeSize > target ? earlier.treeSize : tree.size),
      }),
    true,
  );
  const result = verification(checks);
  print(
    `\n${result.ok ? 'All checks passed' : 'Some checks FAILED'}: the log is verifiable without trusting its operator.\n`,
  );
  print(
    'This walkthrough runs on a Merkle tree in this process. The supply-chain app on ledgerdb, Ethereum and\n' +
      'Fabric, side by side, is `npm run demo` in a clone of the ledgerkit repository.\n',
  );
  return { ok: result.ok, events: tree.size, digest, checks: result.checks };
}

/**
 * The `ledgerkit demo` command.
 *
 * @param io - where to write
 * @returns the command
 */
export function createDemoCommand(io: CliOutput): Command {
  const command = new Command('demo')
    .description(
      'An in-process walkthrough of verifiable logging on an RFC 9162 Merkle tree (no ledger backend): ' +
        'append supply-chain events, take a digest, prove inclusion and consistency, and catch a tampered event',
    )
    .option('--events <n>', 'number of supply-chain events to append (2 to 1000000)', integerIn(2, 1_000_000), 8);
  addCommonOptions(command, 'one JSON document: {ok, events, digest, checks}');
  command.addHelpText(
    'after',
    '\nThe supply-chain app on ledgerdb, Ethereum and Fabric side by side is `npm run demo` in a\n' +
      'clone of the ledgerkit repository. Exit code 3 when a check fails.',
  );
  withExamples(command, ['', '--events 100 --json']);
  return command.action(
    cliAction(io, async (options: { events: number; json?: boolean }) => {
      const result = runDemo({ events: options.events, print: options.json ? () => {} : io.stdout });
      if (options.json) printJson(io, result);
      return result.ok ? exitCodes.ok : exitCodes.verificationFailed;
    }),
  );
}
