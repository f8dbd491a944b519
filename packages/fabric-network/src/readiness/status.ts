// What runs and how it is: each component's process, health endpoint, height and log tail,
// and each node's metrics.

import { describeChaincode } from '../chaincode/lifecycle.js';
import { chaincodeComponent } from '../chaincode/server.js';
import { healthy, logTail, readPid } from '../internal/processes.js';
import { networkPaths } from '../internal/topology.js';
import { isOurs } from '../process/supervise.js';
import { channelOrgs, liveOrgs, type NetworkContext } from '../state/context.js';
import type { ComponentStatus, NetworkStatus } from '../types.js';
import { type NodeHealth, readNodeHealth } from './health.js';
import { ordererHeight, peerHeight } from './heights.js';
import { accepts } from './waits.js';

/** Every component's process, health, ports, height and log tail (what {@link FabricNetwork.status} returns). */
export async function networkStatus(ctx: NetworkContext): Promise<NetworkStatus> {
  const spec = ctx.spec;
  const paths = networkPaths(ctx.dir);
  const components: ComponentStatus[] = [];
  const probe = async (
    id: string,
    kind: ComponentStatus['kind'],
    mspId: string,
    ports: Record<string, number>,
    healthPort: number | undefined,
    heightOf: (() => Promise<number | undefined>) | undefined,
  ): Promise<ComponentStatus> => {
    const pid = await readPid(paths.pid(id));
    const running = pid !== undefined && (await isOurs(ctx, pid));
    const isHealthy =
      running && (healthPort === undefined ? await accepts(ports.listen as number) : await healthy(healthPort));
    const height = isHealthy && heightOf ? await heightOf().catch(() => undefined) : undefined;
    const status: ComponentStatus = { id, kind, mspId, running, healthy: isHealthy, ports, logFile: paths.log(id) };
    if (running && pid !== undefined) status.pid = pid;
    if (healthPort !== undefined) status.healthUrl = `http://127.0.0.1:${healthPort}/healthz`;
    if (height !== undefined) status.height = height;
    if (!isHealthy) status.logTail = await logTail(paths.log(id), 15);
    return status;
  };
  const jobs: Promise<ComponentStatus>[] = [];
  for (const orderer of spec.orderers) {
    jobs.push(
      probe(orderer.id, 'orderer', spec.ordererOrg.mspId, orderer.ports, orderer.ports.operations, () =>
        ordererHeight(ctx, orderer),
      ),
    );
  }
  for (const org of liveOrgs(ctx)) {
    for (const peer of org.peers) {
      jobs.push(probe(peer.id, 'peer', org.mspId, peer.ports, peer.ports.operations, () => peerHeight(ctx, org, peer)));
    }
  }
  for (const org of liveOrgs(ctx)) {
    if (org.ca) jobs.push(probe(org.ca.id, 'ca', org.mspId, org.ca.ports, org.ca.ports.operations, undefined));
  }
  for (const chaincode of spec.chaincodes) {
    jobs.push(
      probe(
        chaincodeComponent(chaincode.name),
        'chaincode',
        channelOrgs(ctx)
          .map((org) => org.mspId)
          .join(','),
        { listen: chaincode.port },
        undefined,
        undefined,
      ),
    );
  }
  components.push(...(await Promise.all(jobs)));
  return {
    dir: ctx.dir,
    channel: spec.channel,
    fabricVersion: spec.fabricVersion,
    healthy: components.every((component) => component.healthy),
    components,
    chaincodes: spec.chaincodes.map(describeChaincode),
  };
}

/** Health and key metrics of each orderer, peer and CA server (what {@link FabricNetwork.nodeHealth} returns). */
export async function nodesHealth(ctx: NetworkContext): Promise<NodeHealth[]> {
  const paths = networkPaths(ctx.dir);
  const running = async (id: string) => {
    const pid = await readPid(paths.pid(id));
    return pid !== undefined && (await isOurs(ctx, pid));
  };
  const nodes: Parameters<typeof readNodeHealth>[0][] = [];
  for (const orderer of ctx.spec.orderers) {
    nodes.push({
      id: orderer.id,
      kind: 'orderer',
      mspId: ctx.spec.ordererOrg.mspId,
      running: await running(orderer.id),
      operationsPort: orderer.ports.operations,
    });
  }
  for (const org of liveOrgs(ctx)) {
    for (const peer of org.peers) {
      nodes.push({
        id: peer.id,
        kind: 'peer',
        mspId: org.mspId,
        running: await running(peer.id),
        operationsPort: peer.ports.operations,
      });
    }
    if (org.ca) {
      nodes.push({
        id: org.ca.id,
        kind: 'ca',
        mspId: org.mspId,
        running: await running(org.ca.id),
        operationsPort: org.ca.ports.operations,
      });
    }
  }
  return Promise.all(nodes.map((node) => readNodeHealth(node, ctx.spec.channel)));
}

/** Ids of every running component: orderers, peers, chaincode servers, CAs. */
export function componentIds(ctx: NetworkContext): string[] {
  return [
    ...ctx.spec.orderers.map((orderer) => orderer.id),
    ...liveOrgs(ctx).flatMap((org) => org.peers.map((peer) => peer.id)),
    ...ctx.spec.chaincodes.map((chaincode) => chaincodeComponent(chaincode.name)),
    ...liveOrgs(ctx).flatMap((org) => (org.ca ? [org.ca.id] : [])),
  ];
}
