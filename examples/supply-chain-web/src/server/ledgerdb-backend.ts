// The centralized model: the logistics operator's service on an embedded ledgerdb database
// (in memory by default, a file with --ledgerdb-path). The service holds the directory of
// identities; the page acts as one of them.
import { isLedgerError, type JsonObject, type Ledger, type Revision, type VerificationBundle } from '@ledgerkit/core';
import { batchesTable, LedgerdbSupplyChainService } from '@ledgerkit/example-supply-chain';
import { type Digest, type LedgerDatabase, openLedgerDatabase } from '@ledgerkit/ledgerdb';
import { type Backend, type Participant, people } from './backend.ts';

/**
 * Opens the operator's service on an embedded ledgerdb database.
 *
 * @param path - database file; in memory when absent
 * @returns the backend
 * @throws LedgerError when the database cannot be opened
 */
export async function startLedgerdbBackend(path?: string): Promise<Backend> {
  const database = await openLedgerDatabase({ name: 'supply-chain', ...(path ? { path } : {}) });
  const participants: Participant[] = people.map((person) => ({ ...person, party: person.name }));
  const service = await LedgerdbSupplyChainService.open(database, {
    participants: Object.fromEntries(participants.map(({ party, role }) => [party, role])),
  });
  const ledger = service.ledger as Ledger<LedgerDatabase>;
  return {
    kind: 'ledgerdb',
    trustModel: 'centralized',
    description:
      "The logistics operator's service enforces the rules on its ledgerdb journal; an auditor trusts a digest of that journal.",
    participants,
    as: (name) => service.as(name),
    batchIds: async () => {
      // Every batch is active or received; `find` needs a condition.
      const ids: string[] = [];
      for (const status of ['active', 'received']) {
        const entries = (await ledger.evaluate({ method: 'find', args: [batchesTable, { status }] })) as Array<{
          id: string;
        }>;
        ids.push(...entries.map((entry) => entry.id));
      }
      return ids.sort();
    },
    registered: () => {},
    bundles: async (id, anchor) => {
      const revisions = await ledger.history(`${batchesTable}/${id}`);
      const pinned = anchor?.type === 'ledgerdb-digest' ? (anchor.digest as unknown as Digest) : undefined;
      return Promise.all(
        revisions.map(async (revision) => {
          if (!pinned) return ledger.evidence(revision);
          try {
            return await bundleAt(ledger.native, revision, pinned.treeSize);
          } catch (error) {
            // Written after the pinned digest: no proof can lead there. The current evidence
            // fails against the pinned anchor, which tells the auditor to pin a newer one.
            if (isLedgerError(error, 'INVALID_ARGUMENT')) {
              return ledger.evidence(revision);
            }
            throw error;
          }
        }),
      );
    },
    currentAnchor: async () => ({
      type: 'ledgerdb-digest',
      digest: (await database.digest()) as unknown as JsonObject,
    }),
    close: () => service.close(),
  };
}

/**
 * A revision's evidence leading to the journal at `treeSize` leaves (the digest an auditor
 * pinned earlier), instead of to the current digest: the same reads `Ledger.verify` makes
 * with an anchor, kept as a file the browser verifies.
 */
async function bundleAt(database: LedgerDatabase, revision: Revision, treeSize: number): Promise<VerificationBundle> {
  const current = await database.digest();
  const digest: Digest =
    current.treeSize === treeSize
      ? current
      : { ledger: current.ledger, treeSize, rootHash: await database.rootHashAt(treeSize), tip: null };
  const slash = revision.key.indexOf('/');
  const block = await database.blockProof(revision.receipt.position.block, digest);
  const body = await database.proof(
    revision.key.slice(0, slash),
    revision.key.slice(slash + 1),
    revision.version,
    digest,
  );
  const evidence = {
    digest,
    block: block.block,
    blockLeafIndex: block.leafIndex,
    inclusion: { treeSize: block.treeSize, auditPath: block.auditPath },
    revision: body.revision,
  };
  return {
    format: 'ledgerkit.verification-bundle',
    version: 1,
    subject: revision,
    evidence: JSON.parse(JSON.stringify(evidence)) as JsonObject,
  };
}
