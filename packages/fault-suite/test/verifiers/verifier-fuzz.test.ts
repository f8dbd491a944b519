// Property-based fuzzing (fast-check) of every verifier with thousands of random mutations
// of valid inputs per run, bounded in time: the golden vectors of each backend
// (packages/<backend>/testdata) and proofs from a real ledgerdb ledger are the seeds. No
// mutation may make a verifier throw or reject its promise, and no mutation of a field the
// verdict is bound to may verify. Fields a verifier does not bind (served conveniences,
// optional claims, equivalent encodings) are listed below, each with its reason; they are
// mutated too, for exceptions.
import { readdirSync, readFileSync } from 'node:fs';
import type { TrustAnchor } from '@ledgerkit/core';
import { verifyEthereumReceipt, verifyStateProof } from '@ledgerkit/ethereum/verify';
import { verifyFabricReceipt } from '@ledgerkit/fabric/verify';
import { asLedger, openLedgerDatabase } from '@ledgerkit/ledgerdb';
import { verifyConsistencyProof, verifyLedgerdbReceipt, verifyRevisionProof } from '@ledgerkit/ledgerdb/verify';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { expect, test } from 'vitest';
import { reportAndAssert } from '../../src/report.ts';
import { type FuzzOutcome, type FuzzTarget, fuzzVerifier } from './fuzz.ts';
import type { Mutation, Path } from './mutate.ts';

/**
 * Mutations per verifier (FAULT_FUZZ_RUNS scales it). A count, not a time budget: the same
 * work on every machine, so a busy CI machine runs slower instead of failing a speed bar.
 */
const runsPerVerifier = Number(process.env.FAULT_FUZZ_RUNS ?? 2_000);
// Generous: two cores shared with every other package's tests in CI.
const fuzzTimeoutMs = 300_000;
/**
 * The fast-check seed: fixed by default, so CI runs the same mutations (a slower machine a
 * prefix of them) and a failure reproduces; FAULT_FUZZ_SEED explores others.
 */
const fuzzSeed = Number(process.env.FAULT_FUZZ_SEED ?? 21);

interface Bundle {
  subject: any;
  evidence: any;
  anchor?: TrustAnchor;
}

function readJson(url: URL): any {
  return JSON.parse(readFileSync(url, 'utf8'));
}

function vectorFiles(pkg: string, dir: string): URL[] {
  const base = new URL(`../../../${pkg}/testdata/${dir}`, import.meta.url);
  return readdirSync(base)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => new URL(name, base));
}

/** The valid golden bundles of a backend (ledgerdb and Fabric: `valid-*.json`; Ethereum: `valid/`). */
function goldenBundles(pkg: 'ledgerdb' | 'fabric' | 'ethereum'): Bundle[] {
  if (pkg === 'ethereum') {
    return vectorFiles(pkg, 'receipts/valid/').map((url) => {
      const vector = readJson(url);
      return {
        subject: vector.subject,
        evidence: vector.evidence,
        ...(vector.anchor ? { anchor: vector.anchor } : {}),
      };
    });
  }
  return vectorFiles(pkg, 'receipts/')
    .map(readJson)
    .filter((vector) => vector.expect.ok === true)
    .map((vector) => ({
      subject: vector.bundle.subject,
      evidence: vector.bundle.evidence,
      ...(vector.anchor ? { anchor: vector.anchor } : {}),
    }));
}

function valueAt(value: unknown, path: Path): unknown {
  let node = value;
  for (const step of path) node = (node as Record<string | number, unknown> | null | undefined)?.[step];
  return node;
}

/** Whether a mutated timestamp still names the seed's instant, with a zone (the same claim, spelled otherwise). */
function sameInstant(mutated: unknown, seed: unknown, path: Path): boolean {
  const after = String(valueAt(mutated, path));
  return /(?:Z|[+-]\d{2}:?\d{2})$/i.test(after) && Date.parse(after) === Date.parse(String(valueAt(seed, path)));
}

/** The base64 body of a PEM text (armor lines and whitespace dropped). */
function pemBody(pem: unknown): string {
  return String(pem)
    .split('\n')
    .filter((line) => !line.startsWith('-----'))
    .join('')
    .trim();
}

/** The mutated value at `path` is an empty list (no claims). */
function emptied(value: unknown, path: Path): boolean {
  const at = valueAt(value, path);
  return Array.isArray(at) && at.length === 0;
}

function sameQuantity(a: unknown, b: unknown): boolean {
  try {
    return BigInt(a as string) === BigInt(b as string);
  } catch {
    return false;
  }
}

/** A journal-format-2 revision body: its leaf commits to `dataHash`, not to the data. */
const hasDataHash = (body: unknown) => typeof body === 'object' && body !== null && 'dataHash' in body;
const joined = (path: Path) => path.map((step) => (typeof step === 'number' ? '*' : step)).join('.');
/** Removing a field, or setting it to undefined (the same to every reader). */
const isDelete = (mutation: Mutation) =>
  mutation.kind === 'delete' || (mutation.kind === 'retype' && mutation.replacement === undefined);
/**
 * `version: 1` may be absent: verifiers treat an absent version as 1. With
 * `revisionVersionBound` false, a revision's own version is a claim of its place in the key's
 * history that one receipt cannot prove (docs/trust.md): any other non-negative integer is
 * unbound, but a negative or non-integer one must fail `revision-format`.
 */
const versionField = (p: string, mutation: Mutation, seed: Bundle, mutated: Bundle, revisionVersionBound = true) => {
  if (!/^subject(\.receipt)?\.version$/.test(p)) return false;
  // Absent or null: read as version 1 (`version ?? 1`).
  if (p === 'subject.receipt.version' || !('receipt' in seed.subject) || 'backend' in seed.subject) {
    return isDelete(mutation) || (mutation.kind === 'retype' && mutation.replacement === null);
  }
  if (revisionVersionBound) return false;
  const version = mutated.subject.version;
  return Number.isSafeInteger(version) && version >= 0;
};
/** No anchor: absent, or a falsy value, which every verifier reads as absent. */
const noAnchor = (p: string, mutation: Mutation) =>
  p === 'anchor' && (isDelete(mutation) || (mutation.kind === 'retype' && !mutation.replacement));

async function run<Input>(scenario: string, target: FuzzTarget<Input>): Promise<FuzzOutcome> {
  const runs = target.maxRuns ?? runsPerVerifier;
  const outcome = await fuzzVerifier({ ...target, budgetMs: Number.POSITIVE_INFINITY, maxRuns: runs, seed: fuzzSeed });
  const accepted = [...new Set(outcome.accepted)];
  const thrown = outcome.thrown.map((entry) => `${entry.description}: ${String(entry.error).split('\n')[0]}`);
  if (accepted.length > 0 || thrown.length > 0) {
    console.error(`${scenario} findings:\n  ${[...new Set([...thrown, ...accepted])].slice(0, 40).join('\n  ')}`);
  }
  reportAndAssert({
    scenario,
    acknowledged: outcome.boundRuns,
    present: outcome.boundRuns - outcome.accepted.length,
    lost: outcome.accepted.length,
    duplicates: 0,
    errorsByCode: outcome.errorsByCode,
    recoveryMs: null,
    ok: outcome.thrown.length === 0,
  });
  console.log(
    `${scenario}: ${outcome.runs} mutations in ${outcome.elapsedMs} ms (seed ${fuzzSeed}); verified at unbound paths: ${[...outcome.acceptedUnbound].sort().join(', ') || 'none'}`,
  );
  expect(thrown).toEqual([]);
  expect(accepted).toEqual([]);
  expect(outcome.runs).toBeGreaterThanOrEqual(runs);
  return outcome;
}

/** Commit receipts of a real ledger with today's evidence (revision bodies), beside the golden ones. */
async function ledgerdbReceiptSeeds(): Promise<Bundle[]> {
  const database = await openLedgerDatabase({ path: ':memory:', name: 'fuzz' });
  try {
    await database.createTable('orders');
    const ledger = asLedger(database);
    await ledger.submit({ method: 'insert', args: ['orders', { n: 0 }, { id: 'a' }] });
    const receipt = await ledger.submit({
      method: 'execute',
      args: [
        [
          { op: 'update', table: 'orders', id: 'a', data: { n: 1 } },
          { op: 'insert', table: 'orders', id: 'b', data: { n: 2 } },
        ],
      ],
    });
    const bundle = await ledger.evidence(receipt);
    return [{ subject: bundle.subject, evidence: bundle.evidence }];
  } finally {
    await database.close();
  }
}

test('ledgerdb receipts and revisions (verifyLedgerdbReceipt)', { timeout: fuzzTimeoutMs }, async () => {
  await run<Bundle>('verify-fuzz.ledgerdb-receipt', {
    seeds: [...goldenBundles('ledgerdb'), ...(await ledgerdbReceiptSeeds())],
    verify: (input) => verifyLedgerdbReceipt(input.subject, input.evidence, input.anchor),
    bound: (path, mutation, seed, mutated) => {
      const p = joined(path);
      if (versionField(p, mutation, seed, mutated)) return false;
      // Without the anchor (or its key) the verifier uses the served digest, and says so.
      if (noAnchor(p, mutation) || (p === 'anchor.publicKey' && isDelete(mutation))) return false;
      // With an anchor the served digest is not used; the signature is checked only against
      // a pinned key, and the tip is a served convenience, not part of the root.
      if (p.startsWith('evidence.digest') && seed.anchor !== undefined) return false;
      if (/^evidence\.digest\.(signature|tip)/.test(p)) return false;
      // The leaf index and block hash are given twice (receipt and evidence): one may be absent.
      if (/^(evidence\.blockLeafIndex|subject\.proof\.blockLeafIndex|subject\.proof\.blockHash)$/.test(p)) {
        return !isDelete(mutation) && valueAt(mutated, path) !== null;
      }
      // A PEM key's armor lines are not the key.
      if (p === 'anchor.publicKey' && pemBody(valueAt(seed, path)) === pemBody(valueAt(mutated, path))) return false;
      // Only `deleted: true` claims a deletion: other values and absence are the same claim.
      if (p === 'subject.deleted' && valueAt(mutated, path) !== true) return false;
      // Evidence written before it carried revision bodies proves a commit receipt's revision
      // hashes and leaf indexes, not their table/id/version labels (the check says so).
      if (/^subject\.proof\.revisions\.\*\.(table|id|version)$/.test(p) && seed.evidence.revisions === undefined) {
        return false;
      }
      // Without revision bodies the evidence is the older format, still accepted.
      if (p === 'evidence.revisions' && isDelete(mutation)) return false;
      // A null body is one the backend withheld (a table the reader may not read): its label
      // is then unproven, and the check says so.
      if (p === 'evidence.revisions.*' && valueAt(mutated, path) === null) return false;
      // Journal format 2: a body without its data but with its dataHash is a redacted revision,
      // whose hash is what the leaf commits to (the check says "redacted").
      if (
        /^evidence\.revisions\.\*\.data$/.test(p) &&
        isDelete(mutation) &&
        hasDataHash(valueAt(seed, path.slice(0, -1)))
      ) {
        return false;
      }
      // A value that is absent or null is the same claim (a deletion's or a redaction's).
      if (
        p === 'subject.value' &&
        (valueAt(seed, path) ?? null) === null &&
        (valueAt(mutated, path) ?? null) === null
      ) {
        return false;
      }
      return true;
    },
  });
});

test('ledgerdb revision and consistency proofs (verifyRevisionProof, verifyConsistencyProof)', {
  timeout: fuzzTimeoutMs,
}, async () => {
  const ledger = await openLedgerDatabase({ path: ':memory:' });
  try {
    await ledger.createTable('orders');
    for (let i = 0; i < 12; i++) {
      await ledger.transaction((tx) => tx.insert('orders', { i, note: `order ${i}` }, { id: `o${i}` }));
    }
    const old = await ledger.digest();
    for (let i = 0; i < 9; i++) await ledger.transaction((tx) => tx.update('orders', `o${i}`, { i, updated: true }));
    const digest = await ledger.digest();
    const seeds = [];
    for (const [id, version] of [
      ['o0', 1],
      ['o5', 0],
      ['o11', 0],
    ] as const) {
      seeds.push({ proof: await ledger.proof('orders', id, version, digest), digest });
    }
    const consistencySeed = seeds.length;
    seeds.push({ proof: await ledger.consistencyProof(old, digest), old, digest });
    await run<any>('verify-fuzz.ledgerdb-proofs', {
      seeds,
      verify: (input, seed) =>
        seed === consistencySeed
          ? verifyConsistencyProof(input.proof, input.old, input.digest)
          : verifyRevisionProof(input.proof, input.digest),
      // Signatures are checked only against a pinned key, and a digest's tip is not part of
      // its root; nor is its ledger name, which only a signature binds (a revision proof
      // compares it with nothing; a consistency proof with the other digest's).
      bound: (path, mutation, seed) => {
        const p = joined(path);
        if (/^(digest|old)\.(signature|tip)/.test(p)) return false;
        // Journal format 2: a revision without its data but with its dataHash is redacted;
        // its hash is what the proof proves (the data-hash check says "redacted").
        if (
          p === 'proof.revision.data' &&
          isDelete(mutation) &&
          hasDataHash(valueAt(seed as Bundle, path.slice(0, -1)))
        ) {
          return false;
        }
        return !(p === 'digest.ledger' && !('old' in (seed as object)));
      },
    });
  } finally {
    await ledger.close();
  }
});

test('Fabric blocks and envelopes (verifyFabricReceipt)', { timeout: fuzzTimeoutMs }, async () => {
  await run<Bundle>('verify-fuzz.fabric-receipt', {
    seeds: goldenBundles('fabric'),
    verify: (input) => verifyFabricReceipt(input.subject, input.evidence, input.anchor),
    // Fabric verification decodes and checks signatures of whole blocks: twice the time.
    bound: (path, mutation, seed, mutated) => {
      const p = joined(path);
      // A revision's own version number: a claim one receipt cannot prove (docs/trust.md).
      if (versionField(p, mutation, seed, mutated, false)) return false;
      if (noAnchor(p, mutation)) return false;
      // Supporting evidence: only the previous block's header (hash chain) and its commit-hash
      // metadata are used, and it may be absent; witness copies may be absent or repeated.
      if (p.startsWith('evidence.previousBlock')) return false;
      // Instants are compared: another spelling of the same instant ("T" as a space) is the
      // same claim. (A time without a zone is refused: it would be read in the machine's zone.)
      if (/^subject(\.receipt)?\.timestamp$/.test(p) && sameInstant(mutated, seed, path)) return false;
      // A witness copy is compared on what each peer writes itself (validation codes, commit
      // hash); its other bytes are the orderer's block, checked once in \`block\`.
      if (p.startsWith('evidence.witnessBlocks')) return false;
      // The receipt's proof fields are optional claims, checked when present: none, or an
      // object without them, claims nothing.
      if (/^subject(\.receipt)?\.proof(\.|$)/.test(p) && isDelete(mutation)) return false;
      if (/^subject(\.receipt)?\.proof$/.test(p) && mutation.kind === 'retype') return false;
      // Index -1 means "unknown" (legacy receipts): the transaction is found by its id, so
      // -1 instead of the index, or the right index instead of -1, claims nothing false.
      if (/^subject(\.receipt)?\.position\.index$/.test(p)) {
        if (valueAt(seed, path) === -1 || valueAt(mutated, path) === -1) return false;
      }
      // A root certificate's PEM armor and its own signature are not part of the trust decision.
      if (p.startsWith('anchor.roots.') && (mutation.kind === 'char' || mutation.kind === 'duplicate-array')) {
        return false;
      }
      return true;
    },
  });
});

/** RPC fields the node serves alongside the hashed data (recomputed or unused by the verifier). */
const servedConveniences =
  /(^|\.)(hash|blockHash|blockNumber|transactionIndex|logIndex|transactionHash|blockTimestamp|removed|from|gasPrice|effectiveGasPrice|size|totalDifficulty|uncles|contractAddress|gasUsed|to)$/;

test('Ethereum receipts, headers and account/storage proofs (verifyEthereumReceipt)', {
  timeout: fuzzTimeoutMs,
}, async () => {
  await run<Bundle>('verify-fuzz.ethereum-receipt', {
    seeds: goldenBundles('ethereum'),
    verify: (input) => verifyEthereumReceipt(input.subject, input.evidence, input.anchor),
    bound: (path, mutation, seed, mutated) => {
      const p = joined(path);
      // A revision's own version number: a claim one receipt cannot prove (docs/trust.md).
      if (versionField(p, mutation, seed, mutated, false)) return false;
      if (noAnchor(p, mutation)) return false;
      if (p.startsWith('evidence.') && servedConveniences.test(p)) return false;
      // The same quantity written differently (0x0 / 000) is the same header field.
      if (sameQuantity(valueAt(seed, path), valueAt(mutated, path))) return false;
      // The receipt's proof fields are optional claims: checked when present.
      if (/^subject(\.receipt)?\.proof\.[a-zA-Z]+$/.test(p) && isDelete(mutation)) return false;
      // The block's transaction objects and withdrawals are served for reading; the verdict
      // rests on the header chain, the receipts trie and the state proof.
      if (/^evidence\.block\.(transactions|withdrawals)/.test(p)) return false;
      // An absent difficulty is 0 (post-merge), as in the header.
      if (/^evidence\.(headers\.\*|block)\.difficulty$/.test(p) && valueAt(mutated, path) == null) return false;
      // Without an anchor the newest served header is the anchor: anything in it is "served".
      if (seed.anchor === undefined && path[0] === 'evidence' && path[1] === 'headers') {
        const last = (seed.evidence.headers as unknown[]).length - 1;
        if (path[2] === last) return false;
      }
      // Repeated proof nodes or storage proofs add nothing; fewer storage proofs claim less.
      if (p.startsWith('evidence.stateProof') && mutation.kind === 'duplicate-array') return false;
      if (
        p === 'evidence.stateProof.storageProof' &&
        (isDelete(mutation) || emptied(mutated, path) || mutation.kind === 'truncate-array')
      ) {
        return false;
      }
      // Without an anchor, fewer (or no) headers up to the served head prove the same.
      if (seed.anchor === undefined && p === 'evidence.headers') return false;
      // The event ABI is served: a change to its signature fails the topic check; other
      // changes (a key name, whitespace) decode the same log.
      if (p === 'evidence.event' && mutation.kind === 'char') return false;
      // The timestamp is checked against the block's: another spelling of the same instant is the same claim.
      if (/^subject(\.receipt)?\.timestamp$/.test(p) && sameInstant(mutated, seed, path)) return false;
      // Confirmations are the depth the submitter waited for: the anchor proves at least
      // that many, so a claim of fewer (down to 1), or of as many as the anchor proves, holds.
      if (/^subject(\.receipt)?\.proof\.confirmations$/.test(p)) {
        const claimed = valueAt(mutated, path);
        // null, as JSON writes an absent claim, is the default (1).
        if (claimed === null) return false;
        const receipt = 'receipt' in seed.subject ? seed.subject.receipt : seed.subject;
        const head =
          seed.anchor !== undefined
            ? (seed.anchor as { number: number }).number
            : receipt.position.block + seed.evidence.headers.length;
        return !(
          Number.isSafeInteger(claimed) &&
          (claimed as number) >= 1 &&
          (claimed as number) <= head - receipt.position.block + 1
        );
      }
      // An address is the same in any letter case.
      if (/^subject(\.receipt)?\.proof\.contract$/.test(p)) {
        return String(valueAt(mutated, path)).toLowerCase() !== String(valueAt(seed, path)).toLowerCase();
      }
      // The method name is proven by the ABI fragments the evidence carries (the older
      // evidence format has none: only the call's recipient is checked then); an empty name
      // claims no function.
      if (/^subject(\.receipt)?\.proof\.method$/.test(p)) {
        const method = valueAt(mutated, path);
        if (typeof method !== 'string' || method === 'constructor') return true;
        return method !== '' && seed.evidence.functions !== undefined;
      }
      // Without function fragments the evidence is the older format, still accepted.
      if (p === 'evidence.functions' && isDelete(mutation)) return false;
      // A repeated or reordered fragment offers the same functions.
      if (p === 'evidence.functions' && ['duplicate-array', 'swap-array'].includes(mutation.kind)) return false;
      return true;
    },
  });
});

test('Ethereum eth_getProof answers (verifyStateProof)', { timeout: fuzzTimeoutMs }, async () => {
  const vectors = readJson(new URL('../../../ethereum/testdata/execution-apis/eth_getProof.json', import.meta.url))
    .vectors as { proof: any }[];
  await run<{ stateRoot: string; proof: any }>('verify-fuzz.ethereum-state-proof', {
    // Each vector's state root is the hash of its first account-proof node (the trie's root).
    seeds: vectors.map((vector) => ({
      stateRoot: `0x${bytesToHex(keccak_256(hexToBytes(String(vector.proof.accountProof[0]).slice(2))))}`,
      proof: vector.proof,
    })),
    verify: async (input) => ({
      ok: (await verifyStateProof(input.stateRoot, input.proof)).every((check) => check.ok),
    }),
    bound: (path, mutation, seed, mutated) => {
      const p = joined(path);
      // Nodes are found by hash: repeated or reordered nodes prove the same.
      if (/^proof\.(accountProof|storageProof\.\*\.proof)$/.test(p) && mutation.kind !== 'truncate-array') {
        return mutation.kind !== 'duplicate-array' && mutation.kind !== 'swap-array';
      }
      // Fewer storage proofs claim less (the account proof still binds the rest).
      if (
        p === 'proof.storageProof' &&
        (isDelete(mutation) || emptied(mutated, path) || ['truncate-array', 'duplicate-array'].includes(mutation.kind))
      ) {
        return false;
      }
      if (p === 'proof.storageProof.*' && isDelete(mutation)) return false;
      // The same quantity written differently (0x1 / 001) is the same claim.
      const before = valueAt(seed, path);
      const after = valueAt(mutated, path);
      if (sameQuantity(before, after)) return false;
      // A zero slot is proven by absence, which holds for every key on the same trie path.
      if (/^proof\.storageProof\.\*\.key$/.test(p)) {
        const slot = valueAt(seed, path.slice(0, -1)) as { value?: string };
        if (sameQuantity(slot.value, '0x0')) return false;
      }
      return true;
    },
  });
});
