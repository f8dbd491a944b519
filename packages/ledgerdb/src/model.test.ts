// Random sequences of operations against a plain in-memory model: after each run the
// ledger must agree with the model on every document and history, audit clean, and
// prove every revision and every digest transition.
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { openLedgerDatabase } from './ledger-database.js';
import type { Digest } from './types.js';
import { verifyConsistencyProof, verifyRevisionProof } from './verifier.js';

type Operation =
  | { kind: 'insert'; table: 'a' | 'b'; value: number }
  | { kind: 'update'; pick: number; value: number }
  | { kind: 'delete'; pick: number }
  | { kind: 'transaction'; values: number[] };

const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({
    kind: fc.constant('insert' as const),
    table: fc.constantFrom('a' as const, 'b' as const),
    value: fc.integer({ min: -2, max: 2 }),
  }),
  fc.record({ kind: fc.constant('update' as const), pick: fc.nat(), value: fc.integer({ min: -2, max: 2 }) }),
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({
    kind: fc.constant('transaction' as const),
    values: fc.array(fc.integer(), { minLength: 1, maxLength: 5 }),
  }),
);

test('the ledger agrees with a simple model over random operation sequences', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 40 }), async (operations) => {
      const ledger = await openLedgerDatabase({ name: 'model' });
      await ledger.createTable('a');
      await ledger.createTable('b');
      await ledger.createIndex('a', 'value');
      const documents = new Map<string, { table: string; versions: (number | null)[] }>();
      const live = () => [...documents].filter(([, doc]) => doc.versions.at(-1) !== null);
      const digests: Digest[] = [];
      for (const op of operations) {
        if (op.kind === 'insert') {
          const { value: id } = await ledger.transaction((tx) => tx.insert(op.table, { value: op.value }));
          documents.set(id, { table: op.table, versions: [op.value] });
        } else if (op.kind === 'transaction') {
          const { value: ids } = await ledger.transaction(async (tx) => {
            const out: string[] = [];
            for (const value of op.values) out.push(await tx.insert('b', { value }));
            return out;
          });
          for (const [i, id] of ids.entries()) documents.set(id, { table: 'b', versions: [op.values[i] as number] });
        } else {
          const candidates = live();
          if (candidates.length === 0) continue;
          const [id, doc] = candidates[op.pick % candidates.length] as [
            string,
            { table: string; versions: (number | null)[] },
          ];
          if (op.kind === 'update') {
            await ledger.transaction((tx) => tx.update(doc.table, id, { value: op.value }));
            doc.versions.push(op.value);
          } else {
            await ledger.transaction((tx) => tx.delete(doc.table, id));
            doc.versions.push(null);
          }
        }
        digests.push(await ledger.digest());
      }
      const digest = await ledger.digest();
      for (const [id, doc] of documents) {
        const current = doc.versions.at(-1);
        expect(await ledger.get(doc.table, id)).toEqual(current === null ? undefined : { value: current });
        const history = await ledger.history(doc.table, id);
        expect(history.map((revision) => revision.data?.value ?? null)).toEqual(doc.versions);
        for (const revision of history) {
          const proof = await ledger.proof(doc.table, id, revision.metadata.version, digest);
          expect(verifyRevisionProof(proof, digest).ok).toBe(true);
        }
      }
      for (const [value, expected] of [0, 1, -1].map((v) => [
        v,
        live().filter(([, d]) => d.table === 'a' && d.versions.at(-1) === v).length,
      ])) {
        expect(await ledger.find('a', { value: value as number })).toHaveLength(expected as number);
      }
      for (let i = 1; i < digests.length; i++) {
        const proof = await ledger.consistencyProof(digests[i - 1] as Digest, digests[i] as Digest);
        expect(verifyConsistencyProof(proof, digests[i - 1] as Digest, digests[i] as Digest).ok).toBe(true);
      }
      expect((await ledger.audit()).ok).toBe(true);
      await ledger.close();
    }),
    { numRuns: 60 },
  );
});
