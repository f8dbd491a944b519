// Starting a whole network (create it when new, start what is not running, join, wait) and stopping it.
import { mkdir, rm } from 'node:fs/promises';
import type { FabricBinaries } from '../binaries.js';
import { installChaincodes } from '../chaincode/lifecycle.js';
import { chaincodeComponent, ensureChaincodeServer } from '../chaincode/server.js';
import { FabricNetworkError } from '../errors.js';
import { generate } from '../generation/generate.js';
import { forgetPid, readPid, stopProcess } from '../internal/processes.js';
import { type NetworkSpec, networkPaths, planNetwork } from '../internal/topology.js';
import { joinOrderer, joinPeer } from '../membership/channel.js';
import { peersWithoutLedger } from '../readiness/heights.js';
import { waitForGossip, waitForRaftLeader } from '../readiness/waits.js';
import { channelOrgs, liveOrgs, type NetworkContext, readSpec } from '../state/context.js';
import type { ProgressEvent, UpOptions } from '../types.js';
import { writeBuilder, writePeerConfig } from './config.js';
import { ensureCaRunning, ensureRunning, isOurs } from './supervise.js';

/**
 * Creates the network in `dir` unless it exists, then starts what is not running, joins the
 * channel and waits until it works. Run holding the network's lock.
 */
export async function startNetwork(
  dir: string,
  options: UpOptions,
  names: string[],
  binaries: FabricBinaries,
  step: ReturnType<typeof makeStepper>,
): Promise<NetworkContext> {
  const paths = networkPaths(dir);
  let spec = await readSpec(dir);
  if (spec) {
    checkSameNetwork(spec, options, names);
  } else {
    spec = await step('crypto material and channel genesis block', async () => {
      const planned = await planNetwork({
        orgs: names,
        peersPerOrg: options.peersPerOrg ?? 1,
        orderers: options.orderers ?? 1,
        channel: options.channel ?? 'ledgerkit',
        fabricVersion: binaries.version,
      });
      await generate(dir, planned, binaries);
      return planned;
    });
  }
  const ctx: NetworkContext = { dir, spec, binaries };
  await writeBuilder(ctx);
  await writePeerConfig(ctx);
  await mkdir(paths.logs, { recursive: true });
  await mkdir(paths.run, { recursive: true });
  const timeout = options.startTimeoutMs ?? 30_000;

  await step(`orderers (${spec.orderers.length}, Raft)`, () =>
    Promise.all(spec.orderers.map((orderer) => ensureRunning(ctx, orderer.id, timeout))),
  );
  const ordererJoins = spec.orderers.filter((orderer) => !spec.joined.includes(orderer.id));
  if (ordererJoins.length > 0) {
    await step(`orderers join channel '${spec.channel}'`, async () => {
      for (const orderer of ordererJoins) await joinOrderer(ctx, orderer);
    });
  }
  await step('Raft leader elected', () => waitForRaftLeader(ctx, timeout));
  const withCa = liveOrgs(ctx).filter((org) => org.ca);
  if (withCa.length > 0) {
    await step(`certificate authorities (${withCa.length})`, () =>
      Promise.all(withCa.map((org) => ensureCaRunning(ctx, org, timeout))),
    );
  }
  const peers = liveOrgs(ctx).flatMap((org) => org.peers);
  // A peer whose ledger directory is gone (deleted while it was down, a new disk) starts
  // empty: it joins the channel again, pulls every block from the orderers, and gets the
  // chaincode packages installed again.
  const wiped = await peersWithoutLedger(ctx);
  if (wiped.length > 0) spec.joined = spec.joined.filter((id) => !wiped.includes(id));
  await step(`peers (${peers.length} in ${liveOrgs(ctx).length} organizations)`, () =>
    Promise.all(peers.map((peer) => ensureRunning(ctx, peer.id, timeout))),
  );
  const peerJoins = channelOrgs(ctx).flatMap((org) =>
    org.peers.filter((peer) => !spec.joined.includes(peer.id)).map((peer) => ({ org, peer })),
  );
  if (peerJoins.length > 0) {
    await step(`peers join channel '${spec.channel}' (anchor peers from the genesis block)`, () =>
      Promise.all(peerJoins.map(({ org, peer }) => joinPeer(ctx, org, peer))),
    );
  }
  const reinstall = peerJoins.filter(({ peer }) => wiped.includes(peer.id));
  if (reinstall.length > 0 && spec.chaincodes.length > 0) {
    await step(`chaincode packages installed again on ${reinstall.map(({ peer }) => peer.id).join(', ')}`, () =>
      Promise.all(reinstall.map(({ org, peer }) => installChaincodes(ctx, org, peer))),
    );
  }
  if (channelOrgs(ctx).flatMap((org) => org.peers).length > 1) {
    await step('gossip: every peer sees every other peer', () => waitForGossip(ctx, timeout));
  }
  if (spec.chaincodes.length > 0) {
    await step(`chaincode servers (${spec.chaincodes.length})`, () =>
      Promise.all(spec.chaincodes.map((chaincode) => ensureChaincodeServer(ctx, chaincode, timeout))),
    );
  }
  return ctx;
}

/** Stops every process of the network (what {@link FabricNetwork.down} does). */
export async function stopNetwork(
  ctx: NetworkContext,
  options: { purge?: boolean } = {},
): Promise<{ stopped: number[] }> {
  const paths = networkPaths(ctx.dir);
  const stopped: number[] = [];
  const stopAll = async (ids: string[]) => {
    await Promise.all(
      ids.map(async (id) => {
        const pid = await readPid(paths.pid(id));
        if (pid !== undefined && (await isOurs(ctx, pid))) {
          await stopProcess(pid);
          stopped.push(pid);
        }
        await forgetPid(paths.pid(id));
      }),
    );
  };
  await stopAll(ctx.spec.chaincodes.map((chaincode) => chaincodeComponent(chaincode.name)));
  await stopAll(ctx.spec.orgs.flatMap((org) => org.peers.map((peer) => peer.id)));
  await stopAll(ctx.spec.orgs.flatMap((org) => (org.ca ? [org.ca.id] : [])));
  await stopAll(ctx.spec.orderers.map((orderer) => orderer.id));
  if (options.purge) await rm(ctx.dir, { recursive: true, force: true });
  return { stopped };
}

/** Refuses `up` options that differ from the network already in the directory. */
export function checkSameNetwork(spec: NetworkSpec, options: UpOptions, names: string[]): void {
  const differences: string[] = [];
  const founding = spec.orgs.filter((org) => !org.added).map((org) => org.name);
  if (options.orgs !== undefined && names.join(',') !== founding.join(','))
    differences.push(`orgs ${founding.join(',')}`);
  if (options.peersPerOrg !== undefined && options.peersPerOrg !== spec.orgs[0]?.peers.length)
    differences.push(`${spec.orgs[0]?.peers.length} peers per org`);
  if (options.orderers !== undefined && options.orderers !== spec.orderers.length)
    differences.push(`${spec.orderers.length} orderers`);
  if (options.channel !== undefined && options.channel !== spec.channel) differences.push(`channel '${spec.channel}'`);
  if (differences.length > 0) {
    throw new FabricNetworkError(
      'NETWORK_MISMATCH',
      `the network in this directory has ${differences.join(', ')}; run 'down --purge' first or choose another --dir`,
      { differences },
    );
  }
}

/** Runs named steps, reporting their start and end (with duration) as progress events. */
export function makeStepper(progress: (event: ProgressEvent) => void) {
  return async <T>(step: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    progress({ type: 'step-start', step });
    try {
      const result = await work();
      progress({ type: 'step-end', step, ok: true, ms: Math.round(performance.now() - started) });
      return result;
    } catch (error) {
      progress({ type: 'step-end', step, ok: false, ms: Math.round(performance.now() - started) });
      throw error;
    }
  };
}
