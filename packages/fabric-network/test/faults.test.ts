// Fault cases against a real one-organization network (1 orderer, 1 peer, native
// processes): a port taken by another process, a peer that crashes while starting, and
// the Fabric binaries missing. Each test tears down what it started.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLedgerError } from '@ledgerkit/core';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { FabricNetwork } from '../src/index.js';
import { claimNetworkDir, processesOfNetwork } from '../src/testing.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ledgerkit-fabric-faults-'));
  await claimNetworkDir(dir);
});

afterEach(async () => {
  await (await FabricNetwork.open(dir).catch(() => undefined))?.down({ purge: true });
  expect(await processesOfNetwork(dir)).toEqual([]);
  await rm(dir, { recursive: true, force: true });
});

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );
}

test('a port taken by another process is PORT_IN_USE naming the port and component', async () => {
  const network = await FabricNetwork.up({ dir, orgs: ['Acme'], channel: 'faults' });
  const peer = (await network.status()).components.find((component) => component.kind === 'peer');
  await network.down();
  const squatter = createServer();
  await new Promise<void>((resolve) => squatter.listen(peer?.ports.operations, '127.0.0.1', resolve));
  try {
    const error = await failure(FabricNetwork.up({ dir }));
    expect(isLedgerError(error, 'UNAVAILABLE')).toBe(true);
    expect((error as { details: Record<string, unknown> }).details).toMatchObject({
      reason: 'PORT_IN_USE',
      component: 'peer0.acme',
      port: peer?.ports.operations,
    });
  } finally {
    await new Promise((resolve) => squatter.close(resolve));
  }
  // Once the port is free again the same network comes back.
  expect((await (await FabricNetwork.up({ dir })).status()).healthy).toBe(true);
});

test('a peer that crashes while starting is PROCESS_CRASHED with its log tail', async () => {
  const network = await FabricNetwork.up({ dir, orgs: 1, channel: 'faults' });
  await network.down();
  // Take away the peer's TLS key: it exits at start.
  await rm(join(dir, 'crypto/peerOrganizations/org1.example.com/peers/peer0.org1.example.com/tls/server.key'));
  const error = await failure(FabricNetwork.up({ dir }));
  expect(isLedgerError(error, 'UNAVAILABLE')).toBe(true);
  const details = (error as { details: Record<string, unknown> }).details;
  expect(details).toMatchObject({ reason: 'PROCESS_CRASHED', component: 'peer0.org1' });
  expect(String(details.logTail)).toMatch(/server\.key|TLS|tls/);
});

test('missing binaries with building turned off are BINARY_MISSING', async () => {
  const home = join(dir, 'empty-home');
  const error = await failure(FabricNetwork.up({ dir: join(dir, 'net'), home, build: false }));
  expect(isLedgerError(error, 'NOT_FOUND')).toBe(true);
  expect((error as { details: Record<string, unknown> }).details).toMatchObject({
    reason: 'BINARY_MISSING',
    missing: ['peer', 'orderer', 'configtxgen', 'cryptogen', 'osnadmin', 'configtxlator'],
  });
});

test('invalid options fail before anything starts', async () => {
  for (const options of [{ orgs: ['Org 1'] }, { orgs: 0 }, { orderers: 2 as 1 }, { channel: 'Bad_Channel' }]) {
    const error = await failure(FabricNetwork.up({ dir, ...options }));
    expect(isLedgerError(error, 'INVALID_ARGUMENT')).toBe(true);
  }
  expect(await processesOfNetwork(dir)).toEqual([]);
});

test('an invalid endorsement policy or chaincode name is rejected before any lifecycle step', async () => {
  const network = await FabricNetwork.up({ dir, orgs: 1, channel: 'faults' });
  for (const options of [
    { name: 'cc', path: dir, policy: "AND('Org9MSP.peer')" },
    { name: 'cc', path: dir, policy: 'AND(' },
    { name: 'Bad Name', path: dir },
  ]) {
    const error = await failure(network.deployChaincode(options));
    expect(isLedgerError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect((error as { details: Record<string, unknown> }).details.reason).toBe('BAD_OPTION');
  }
});
