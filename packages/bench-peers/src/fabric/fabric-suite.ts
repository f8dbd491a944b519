import { createPrivateKey } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { type Contract, connect, hash, signers } from '@hyperledger/fabric-gateway';
import { connectFabric, type FabricLedger } from '@ledgerkit/fabric';
import { FabricNetwork } from '@ledgerkit/fabric-network';
import { claimNetworkDir } from '@ledgerkit/fabric-network/testing';
import { alternate, quantile, workloadResult } from '../stats.ts';
import type { Suite, SuiteContext } from '../suite.ts';
import { measureRound } from './measure-round.ts';
import { stopOnce } from './stop-once.ts';

// The @ledgerkit/fabric tests' key-value chaincode (Put/Get), deployed as a chaincode server.
const chaincodePath = fileURLToPath(new URL('../../../fabric/test/fixtures/ledger-chaincode', import.meta.url));
const chaincode = 'bench';
const channel = 'bench';
const ledgerkit = 'ledgerkit';
const baseline = 'fabric-gateway';

/**
 * Fabric: submit and evaluate through `@ledgerkit/fabric` against raw
 * `@hyperledger/fabric-gateway` on a local network (native orderer and peers from
 * `@ledgerkit/fabric-network`), with 1 and 2 endorsing organizations and 1 and 16 concurrent
 * clients: same gateway peer, identity, chaincode and deadlines; rounds alternate the two.
 * One network at a time, each stopped (and its directory removed) before the next starts.
 */
export const fabricSuite: Suite = {
  id: 'fabric',
  title: 'Fabric: @ledgerkit/fabric vs raw @hyperledger/fabric-gateway',
  async run(context) {
    context.record.systems.push(
      {
        id: ledgerkit,
        label: '@ledgerkit/fabric (FabricLedger.submit / evaluate)',
        settings: { receipt: 'block number and transaction index (qscc block read)', retries: 'on UNAVAILABLE' },
      },
      {
        id: baseline,
        label: '@hyperledger/fabric-gateway (Contract.submitTransaction / evaluateTransaction)',
        settings: { identity: 'same as ledgerkit (Org1 user)', peer: 'same gateway peer' },
      },
    );
    context.record.notes.push(
      'Each network: 1 Raft orderer (BatchTimeout 500 ms, at most 50 transactions a block), 1 peer per ' +
        'organization, LevelDB, the chaincode as a Node chaincode server; the default endorsement policy ' +
        '(a majority of organizations: with 2 organizations both endorse every submit).',
      'Closed loop: each client sends its next call when the previous one returned; send rate counts ' +
        'calls started per second between the first and the last start (Caliper’s send rate).',
    );
    for (const orgs of context.quick ? [1] : [1, 2]) await onNetwork(orgs, context);
  },
};

async function onNetwork(orgs: number, context: SuiteContext): Promise<void> {
  const { log, quick, rounds } = context;
  const dir = await mkdtemp(join(context.dir, `fabric-${orgs}-org-`));
  let network: FabricNetwork | undefined;
  const closers: (() => unknown)[] = [];
  const stop = async () => {
    for (const close of closers.reverse())
      await Promise.resolve()
        .then(close)
        .catch(() => {});
    await network?.down({ purge: true }).catch((error: unknown) => log(`teardown: ${String(error)}`));
    // A start that failed half-way left no `network` but may have left processes.
    await (await FabricNetwork.open(dir).catch(() => undefined))?.down({ purge: true }).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  };
  // Also stops the network when the run is interrupted.
  const stopper = stopOnce(context, stop);
  try {
    // fabric-network's own leftover sweep skips networks whose owner process is alive.
    await claimNetworkDir(dir);
    log(`starting a ${orgs}-organization network`);
    network = await FabricNetwork.up({ dir, orgs, peersPerOrg: 1, orderers: 1, channel });
    stopper.throwIfStopped();
    await network.deployChaincode({ name: chaincode, path: chaincodePath });
    const org1 = network.organization('Org1');
    const ledger = await connectFabric({
      connectionProfile: org1.connectionProfilePath,
      chaincode,
      retry: { retries: 40, baseDelayMs: 250, maxDelayMs: 500 },
    });
    closers.push(() => ledger.close());
    // The baseline as fabric-gateway's documentation shows it: same peer, identity and deadlines.
    const client = new grpc.Client(
      org1.peerEndpoint,
      grpc.credentials.createSsl(await readFile(org1.tlsRootCertPath)),
      {
        'grpc.ssl_target_name_override': 'localhost',
      },
    );
    closers.push(() => client.close());
    const gateway = connect({
      client,
      identity: { mspId: org1.mspId, credentials: await readFile(org1.user.certificatePath) },
      signer: signers.newPrivateKeySigner(createPrivateKey(await readFile(org1.user.privateKeyPath))),
      hash: hash.sha256,
      evaluateOptions: () => ({ deadline: Date.now() + 15_000 }),
      endorseOptions: () => ({ deadline: Date.now() + 30_000 }),
      submitOptions: () => ({ deadline: Date.now() + 15_000 }),
      commitStatusOptions: () => ({ deadline: Date.now() + 60_000 }),
    });
    closers.push(() => gateway.close());
    const contract = gateway.getNetwork(channel).getContract(chaincode);
    await warmUp(ledger, contract);
    const blockRead = await qsccBlockReadMs(ledger, gateway.getNetwork(channel).getContract('qscc'));

    const readKeys = Array.from({ length: 16 }, (_, n) => `warm-raw-${n}`);
    for (const clients of quick ? [1, 4] : [1, 16]) {
      const submits = quick ? clients * 2 : clients === 1 ? 8 : clients * 6;
      const evaluates = quick ? 20 : Math.max(100, clients * 40);
      const shape = `${orgs} endorsing org${orgs === 1 ? '' : 's'}, ${clients} client${clients === 1 ? '' : 's'}`;
      stopper.throwIfStopped();
      const submitRounds = await alternate(
        [
          {
            id: ledgerkit,
            round: (round) =>
              measureRound(
                (n) => ledger.submit({ method: 'Put', args: [`sdk-${clients}-${round}-${n}`, { round, n }] }),
                submits,
                clients,
              ),
          },
          {
            id: baseline,
            round: (round) =>
              measureRound(
                (n) => contract.submitTransaction('Put', `raw-${clients}-${round}-${n}`, JSON.stringify({ round, n })),
                submits,
                clients,
              ),
          },
        ],
        rounds,
      );
      context.record.workloads.push(
        workloadResult(
          {
            id: `submit-orgs-${orgs}-clients-${clients}`,
            title: `Submit, ${shape}`,
            description:
              `Put of a new key with a small JSON value, submitted and waited for until committed (commit status), ` +
              `${submits} per round from ${clients} concurrent client${clients === 1 ? '' : 's'}.`,
            unit: 'transactions',
            notes: [
              `ledgerkit's receipt reads the committed block back through qscc GetBlockByNumber to name the ` +
                `transaction's index: measured alone on this network, p50 ${blockRead.p50.toFixed(1)} ms, ` +
                `p99 ${blockRead.p99.toFixed(1)} ms.`,
            ],
          },
          submitRounds,
          [[ledgerkit, baseline]],
        ),
      );
      log(`submit, ${shape}: done`);
      stopper.throwIfStopped();
      let read = 0;
      const nextKey = () => readKeys[read++ % readKeys.length] as string;
      const evaluateRounds = await alternate(
        [
          {
            id: ledgerkit,
            round: () => measureRound(() => ledger.evaluate({ method: 'Get', args: [nextKey()] }), evaluates, clients),
          },
          {
            id: baseline,
            round: () => measureRound(() => contract.evaluateTransaction('Get', nextKey()), evaluates, clients),
          },
        ],
        rounds,
      );
      context.record.workloads.push(
        workloadResult(
          {
            id: `evaluate-orgs-${orgs}-clients-${clients}`,
            title: `Evaluate, ${shape}`,
            description: `Get of one of 16 existing keys (evaluated on the gateway peer, not ordered), ${evaluates} per round.`,
            unit: 'evaluations',
          },
          evaluateRounds,
          [[ledgerkit, baseline]],
        ),
      );
      log(`evaluate, ${shape}: done`);
    }
  } finally {
    await stopper.stop();
  }
}

/** Discovery learns the chaincode, connections open, the JIT settles; writes the read keys. */
async function warmUp(ledger: FabricLedger, contract: Contract): Promise<void> {
  await ledger.submit({ method: 'Put', args: ['warm-up', { n: 0 }] });
  await Promise.all(
    Array.from({ length: 16 }, (_, n) =>
      Promise.all([
        contract.submitTransaction('Put', `warm-raw-${n}`, '{"n":0}'),
        ledger.submit({ method: 'Put', args: [`warm-sdk-${n}`, { n: 0 }] }),
      ]),
    ),
  );
}

/** Latency of the block read a ledgerkit receipt adds to a submit, alone. */
async function qsccBlockReadMs(ledger: FabricLedger, qscc: Contract): Promise<{ p50: number; p99: number }> {
  const height = (await ledger.submit({ method: 'Put', args: ['height', { n: 0 }] })).position.block;
  const times: number[] = [];
  for (let n = 0; n < 40; n++) {
    const begin = performance.now();
    await qscc.evaluateTransaction('GetBlockByNumber', channel, String(Math.max(0, height - (n % 8))));
    times.push(performance.now() - begin);
  }
  times.sort((a, b) => a - b);
  return { p50: quantile(times, 0.5), p99: quantile(times, 0.99) };
}
