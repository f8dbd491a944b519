// The fast backends of the scenario: ledgerdb embedded (the operator's service on an
// in-memory SQLite ledger) and Ethereum on Hardhat's in-process EDR chain (one Ledger per account).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonObject } from '@ledgerkit/core';
import { connectEthereum, type EthereumLedger } from '@ledgerkit/ethereum';
import { openLedger } from '@ledgerkit/ledgerdb';
import { LedgerClient } from '@ledgerkit/ledgerdb/client';
import { createServer, createToken, parseRoles, readTokensFile, TokenRegistry } from '@ledgerkit/ledgerdb/server';
import type { Eip1193Provider } from 'ethers';
import { createHardhatRuntimeEnvironment } from 'hardhat/hre';
import {
  batchesTable,
  deploySupplyChainContract,
  ethereumSupplyChain,
  LedgerdbSupplyChainService,
  supplyChainRules,
} from '../src/index.ts';
import type { Parties, StartBackend } from './scenario.ts';

const participants = { acme: 'manufacturer', haulage: 'carrier', shop: 'retailer', audit: 'auditor' } as const;

export const startLedgerdb: StartBackend = async () => {
  const service = await LedgerdbSupplyChainService.open(await openLedger({ name: 'supply-chain' }), { participants });
  const parties: Parties = {
    manufacturer: service.as('acme'),
    carrier: service.as('haulage'),
    retailer: service.as('shop'),
    auditor: service.as('audit'),
  };
  return {
    parties,
    stop: () => service.close(),
    // The operator publishes its digest; the auditor keeps the one it saw.
    pinAnchor: async () => ({
      type: 'ledgerdb-digest',
      digest: (await service.ledger.evaluate({ method: 'digest', args: [] })) as JsonObject,
    }),
  };
};

/**
 * The operator's service on a remote ledger: `ledgerdb serve` (in process, on a loopback port,
 * over a fresh SQLite ledger) enforces the same rules on its `batches` table; the service talks
 * to it through a verifying `LedgerClient` with its own token.
 */
export async function startServedService() {
  const dir = await mkdtemp(join(tmpdir(), 'ledgerkit-supply-chain-'));
  const tokensPath = join(dir, 'tokens.json');
  const tokens: Record<string, string> = {};
  for (const name of ['supply-chain-service', 'other-writer']) {
    const roles = parseRoles(['read:batches', 'write:batches', 'auditor']);
    tokens[name] = (await createToken(tokensPath, name, roles)).token;
  }
  const database = await openLedger({ path: join(dir, 'supply-chain.ledger'), name: 'supply-chain' });
  await database.createTable(batchesTable);
  const server = await createServer({
    ledger: database,
    tokens: new TokenRegistry((await readTokensFile(tokensPath)).tokens),
    closeLedger: true,
    rules: supplyChainRules(participants),
  });
  const url = await server.listen({ port: 0, host: '127.0.0.1' });
  const service = LedgerdbSupplyChainService.connect(
    await LedgerClient.connect({ url, token: tokens['supply-chain-service'] as string }),
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
  const parties: Parties = {
    manufacturer: service.as('acme'),
    carrier: service.as('haulage'),
    retailer: service.as('shop'),
    auditor: service.as('audit'),
  };
  return {
    parties,
    stop,
    pinAnchor: async () => ({
      type: 'ledgerdb-digest',
      digest: (await service.ledger.evaluate({ method: 'digest', args: [] })) as JsonObject,
    }),
  };
};

export const startEthereum: StartBackend = async () => {
  const hre = await createHardhatRuntimeEnvironment({});
  const connection = await hre.network.create();
  const provider = connection.provider as unknown as Eip1193Provider;
  const accounts = (await provider.request({ method: 'eth_accounts', params: [] })) as string[];
  const [adminAccount, maker, carrier, retailer, auditor] = accounts;
  if (!adminAccount || !maker || !carrier || !retailer || !auditor) throw new Error('EDR has fewer than 5 accounts');
  const admin = await connectEthereum({ provider, account: 0 });
  const ledgers: EthereumLedger[] = [admin];
  const { address, abi } = await deploySupplyChainContract(admin, {
    [maker]: 'manufacturer',
    [carrier]: 'carrier',
    [retailer]: 'retailer',
    [auditor]: 'auditor',
  });
  // One ledger per account, all on the same in-process chain.
  const as = async (account: number) => {
    const ledger = await connectEthereum({ provider, account, contracts: { SupplyChain: { address, abi } } });
    ledgers.push(ledger);
    return ethereumSupplyChain(ledger);
  };
  const parties: Parties = {
    manufacturer: await as(1),
    carrier: await as(2),
    retailer: await as(3),
    auditor: await as(4),
  };
  return {
    parties,
    // A block hash the auditor read itself (in production: from a second node or a light client).
    pinAnchor: async () => {
      const head = (await provider.request({ method: 'eth_getBlockByNumber', params: ['latest', false] })) as {
        number: string;
        hash: string;
      };
      return { type: 'ethereum-block', number: Number(BigInt(head.number)), hash: head.hash };
    },
    stop: async () => {
      for (const ledger of ledgers) await ledger.close();
      await connection.close();
    },
  };
};
