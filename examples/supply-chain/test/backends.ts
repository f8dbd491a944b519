// The fast backends of the scenario: ledgerdb embedded (the operator's service on an
// in-memory SQLite ledger) and Ethereum on Hardhat's in-process EDR chain (one Ledger per account).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonObject } from '@ledgerkit/core';
import { openLedgerDatabase } from '@ledgerkit/ledgerdb';
import { LedgerdbClient } from '@ledgerkit/ledgerdb/client';
import { createServer, createToken, parseRoles, readTokensFile, TokenRegistry } from '@ledgerkit/ledgerdb/server';
import { startEdrSupplyChain } from '../src/edr-supply-chain.ts';
import { batchesTable, LedgerdbSupplyChainService, supplyChainRules } from '../src/index.ts';
import type { Parties, StartBackend } from './scenario.ts';

const participants = { acme: 'manufacturer', haulage: 'carrier', shop: 'retailer', audit: 'auditor' } as const;

/** The scenario's four parties on the operator's service, whichever ledger it runs on. */
function ledgerdbBackend(
  service: LedgerdbSupplyChainService,
  stop: () => Promise<void>,
): Awaited<ReturnType<StartBackend>> {
  const parties: Parties = {
    manufacturer: service.as('acme'),
    carrier: service.as('haulage'),
    retailer: service.as('shop'),
    auditor: service.as('audit'),
  };
  return {
    parties,
    stop,
    // The operator publishes its digest; the auditor keeps the one it saw.
    pinAnchor: async () => ({
      type: 'ledgerdb-digest',
      digest: (await service.ledger.evaluate({ method: 'digest', args: [] })) as JsonObject,
    }),
  };
}

export const startLedgerdb: StartBackend = async () => {
  const service = await LedgerdbSupplyChainService.open(await openLedgerDatabase({ name: 'supply-chain' }), {
    participants,
  });
  return ledgerdbBackend(service, () => service.close());
};

/**
 * The operator's service on a remote ledger: `ledgerdb serve` (in process, on a loopback port,
 * over a fresh SQLite ledger) enforces the same rules on its `batches` table; the service talks
 * to it through a verifying `LedgerdbClient` with its own token.
 */
export async function startServedService() {
  const dir = await mkdtemp(join(tmpdir(), 'ledgerkit-supply-chain-'));
  const tokensPath = join(dir, 'tokens.json');
  const tokens: Record<string, string> = {};
  for (const name of ['supply-chain-service', 'other-writer']) {
    const roles = parseRoles(['read:batches', 'write:batches', 'auditor']);
    tokens[name] = (await createToken(tokensPath, name, roles)).token;
  }
  const database = await openLedgerDatabase({ path: join(dir, 'supply-chain.ledger'), name: 'supply-chain' });
  await database.createTable(batchesTable);
  const server = await createServer({
    ledger: database,
    tokens: new TokenRegistry((await readTokensFile(tokensPath)).tokens),
    closeLedger: true,
    rules: supplyChainRules(participants),
  });
  const url = await server.listen({ port: 0, host: '127.0.0.1' });
  const service = LedgerdbSupplyChainService.connect(
    await LedgerdbClient.connect({ url, token: tokens['supply-chain-service'] as string }),
    { participants },
  );
  return {
    service,
    url,
    tokens,
    stop: async () => {
      await service.close();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export const startLedgerdbServer: StartBackend = async () => {
  const { service, stop } = await startServedService();
  return ledgerdbBackend(service, stop);
};

export const startEthereum: StartBackend = async () => {
  // One ledger per account, all on the same in-process chain.
  const chain = await startEdrSupplyChain(['manufacturer', 'carrier', 'retailer', 'auditor']);
  const [manufacturer, carrier, retailer, auditor] = chain.parties;
  const parties: Parties = {
    manufacturer: manufacturer.supplyChain,
    carrier: carrier.supplyChain,
    retailer: retailer.supplyChain,
    auditor: auditor.supplyChain,
  };
  // A block hash the auditor read itself (in production: from a second node or a light client).
  return { parties, pinAnchor: chain.headAnchor, stop: chain.stop };
};
