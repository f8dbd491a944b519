// Readiness: waiting for a process's health, a Raft leader, gossip membership and a peer's catch-up.
import { connect } from 'node:net';
import { sleep } from '@ledgerkit/core';
import { FabricNetworkError } from '../errors.js';
import { logTail, pidAlive, readPid } from '../internal/processes.js';
import { networkPaths, type OrdererSpec, type OrgSpec, type PeerSpec } from '../internal/topology.js';
import { channelOrgs, type NetworkContext } from '../state/context.js';
import { ordererHeight, peerHeight } from './heights.js';

/** Waits until `check` passes; PROCESS_CRASHED with the log tail when the process exits, START_TIMEOUT after `timeoutMs`. */
export async function waitHealthy(
  ctx: NetworkContext,
  id: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const paths = networkPaths(ctx.dir);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    const pid = await readPid(paths.pid(id));
    if (pid === undefined || !pidAlive(pid)) {
      const tailText = await logTail(paths.log(id), 20);
      throw new FabricNetworkError(
        'PROCESS_CRASHED',
        `${id} exited while starting; see its log ${paths.log(id)} (tail in details.logTail)`,
        { component: id, logFile: paths.log(id), logTail: tailText },
      );
    }
    if (Date.now() > deadline) {
      throw new FabricNetworkError(
        'START_TIMEOUT',
        `${id} did not become healthy within ${timeoutMs} ms; see its log ${paths.log(id)}`,
        { component: id, logFile: paths.log(id), logTail: await logTail(paths.log(id), 20) },
      );
    }
    await sleep(100);
  }
}

/** Transactions fail with "no Raft leader" until one is elected; the orderers' metrics say when. */
export async function waitForRaftLeader(ctx: NetworkContext, timeoutMs: number): Promise<void> {
  const pattern = new RegExp(
    `^consensus_etcdraft_is_leader\\{channel="${ctx.spec.channel.replace(/\./g, '\\.')}"\\} 1$`,
    'm',
  );
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answers = await Promise.all(
      ctx.spec.orderers.map(async (orderer) => {
        try {
          const response = await fetch(`http://127.0.0.1:${orderer.ports.operations}/metrics`, {
            signal: AbortSignal.timeout(2000),
          });
          return pattern.test(await response.text());
        } catch {
          return false;
        }
      }),
    );
    if (answers.some(Boolean)) return;
    if (Date.now() > deadline) {
      throw new FabricNetworkError(
        'START_TIMEOUT',
        `the orderers elected no Raft leader for '${ctx.spec.channel}' within ${timeoutMs} ms; see the orderer logs`,
        { logFiles: ctx.spec.orderers.map((orderer) => networkPaths(ctx.dir).log(orderer.id)) },
      );
    }
    await sleep(100);
  }
}

/**
 * A gateway endorses only with peers that gossip told it about (through the anchor
 * peers); the peers' metrics say how many others each one knows on the channel.
 */
export async function waitForGossip(ctx: NetworkContext, timeoutMs: number): Promise<void> {
  const peers = channelOrgs(ctx)
    .flatMap((org) => org.peers)
    .filter((peer) => ctx.spec.joined.includes(peer.id));
  const channel = ctx.spec.channel.replace(/\./g, '\\.');
  const pattern = new RegExp(`^gossip_membership_total_peers_known\\{channel="${channel}"\\} (\\d+)$`, 'm');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const known = await Promise.all(
      peers.map(async (peer) => {
        try {
          const response = await fetch(`http://127.0.0.1:${peer.ports.operations}/metrics`, {
            signal: AbortSignal.timeout(2000),
          });
          return Number(pattern.exec(await response.text())?.[1] ?? 0);
        } catch {
          return 0;
        }
      }),
    );
    if (known.every((count) => count >= peers.length - 1)) return;
    if (Date.now() > deadline) {
      throw new FabricNetworkError(
        'START_TIMEOUT',
        `the peers did not all discover each other through gossip within ${timeoutMs} ms; see the peer logs`,
        {
          known: Object.fromEntries(peers.map((peer, index) => [peer.id, known[index]])),
          expected: peers.length - 1,
        },
      );
    }
    await sleep(200);
  }
}

/** Waits until a joined peer's height reaches the orderer's; returns the height. */
export async function waitForCatchUp(
  ctx: NetworkContext,
  org: OrgSpec,
  peer: PeerSpec,
  timeoutMs: number,
): Promise<number> {
  const target = (await ordererHeight(ctx, ctx.spec.orderers[0] as OrdererSpec)) ?? 1;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const height = await peerHeight(ctx, org, peer).catch(() => undefined);
    if (height !== undefined && height >= target) return height;
    if (Date.now() > deadline) {
      throw new FabricNetworkError(
        'START_TIMEOUT',
        `${peer.id} reached height ${height ?? 0} of ${target} within ${timeoutMs} ms; see its log`,
        { component: peer.id, height, target, logFile: networkPaths(ctx.dir).log(peer.id) },
      );
    }
    await sleep(300);
  }
}

/** Whether a loopback port accepts TCP connections. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
