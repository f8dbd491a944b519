// The journal's digest and the proofs that check against it: revision, block, consistency.
import { LedgerError } from '@ledgerkit/core';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { LedgerDatabase } from '../../ledger-database.js';
import type { Digest, RevisionProof } from '../../types.js';
import { canRead, requireRead } from '../access.js';
import type { ProofKind, ServerMetrics } from '../metrics.js';
import { AtSize, BlockParams, ConsistencyQuery, RevisionParams } from '../schemas.js';
import { reservedTablePrefix } from '../transactions.js';

/** What the proof routes need of the server. */
export interface ProofRoutesContext {
  ledger: LedgerDatabase;
  metrics: ServerMetrics | undefined;
}

/** Registers /v1/digest, the revision and block proofs and /v1/consistency. */
export function registerProofRoutes(app: FastifyInstance, { ledger, metrics }: ProofRoutesContext): void {
  const timed = async <T>(kind: ProofKind, work: Promise<T>): Promise<T> => {
    if (!metrics) return work;
    const started = performance.now();
    const result = await work;
    metrics.proofDuration.observe({ kind }, (performance.now() - started) / 1000);
    return result;
  };
  const treeSizeOf = async (query: { treeSize?: string }): Promise<Digest | undefined> => {
    if (query.treeSize === undefined) return undefined;
    const treeSize = Number(query.treeSize);
    return { ledger: ledger.name, treeSize, rootHash: await ledger.rootHashAt(treeSize), tip: null };
  };

  app.get('/v1/digest', { schema: { summary: "The journal's current digest (any token)" } }, async () =>
    ledger.digest(),
  );

  app.get<{ Params: Static<typeof RevisionParams>; Querystring: Static<typeof AtSize> }>(
    '/v1/tables/:table/documents/:id/revisions/:version/proof',
    {
      schema: {
        summary: 'Inclusion proof of a revision; auditors get it without the revision',
        params: RevisionParams,
        querystring: AtSize,
      },
    },
    async (request) => {
      const { table, id, version } = request.params;
      const { principal } = request;
      const reader = canRead(principal, table);
      if (!reader && !(principal.auditor && !table.startsWith(reservedTablePrefix))) requireRead(principal, table);
      const proof = await timed(
        'revision',
        treeSizeOf(request.query).then((at) => ledger.proof(table, id, Number(version), at)),
      );
      if (reader) return proof;
      // Auditors check that a leaf hash they hold is in the journal; they never see data.
      const { revision: _withheld, ...hashesOnly } = proof;
      return hashesOnly as Omit<RevisionProof, 'revision'>;
    },
  );

  app.get<{ Params: Static<typeof BlockParams>; Querystring: Static<typeof AtSize> }>(
    '/v1/blocks/:seq/proof',
    {
      schema: {
        summary: 'Inclusion proof of a block (transaction): what receipts are verified with',
        params: BlockParams,
        querystring: AtSize,
      },
    },
    async (request) =>
      timed(
        'block',
        treeSizeOf(request.query).then((at) => ledger.blockProof(Number(request.params.seq), at)),
      ),
  );

  app.get<{ Querystring: Static<typeof ConsistencyQuery> }>(
    '/v1/consistency',
    {
      schema: {
        summary: 'RFC 9162 consistency proof from the journal at `from` leaves to `to` (default: current)',
        querystring: ConsistencyQuery,
      },
    },
    async (request) => {
      const from = Number(request.query.from);
      const newDigest =
        request.query.to === undefined ? await ledger.digest() : await treeSizeOf({ treeSize: request.query.to });
      const target = newDigest as Digest;
      if (from > target.treeSize) {
        throw new LedgerError('INVALID_ARGUMENT', `from (${from}) is beyond to (${target.treeSize})`, {
          details: { path: '/from' },
        });
      }
      return timed(
        'consistency',
        ledger.rootHashAt(from).then((rootHash) => {
          const oldDigest: Digest = { ledger: ledger.name, treeSize: from, rootHash, tip: null };
          return ledger.consistencyProof(oldDigest, target);
        }),
      );
    },
  );
}
