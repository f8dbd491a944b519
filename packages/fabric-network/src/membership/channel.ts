// Channel operations: joining orderers (osnadmin) and peers (peer channel join) to the channel.
import { runCommand } from '../internal/exec.js';
import { networkPaths, type OrdererSpec, type OrgSpec, type PeerSpec } from '../internal/topology.js';
import { commandOutput, peerCommand, retryTransient } from '../process/commands.js';
import { osnadminArgs } from '../process/config.js';
import { type NetworkContext, save } from '../state/context.js';

/** Joins an orderer to the channel from the genesis block (osnadmin), retrying while its admin listener starts. */
export async function joinOrderer(ctx: NetworkContext, orderer: OrdererSpec): Promise<void> {
  const spec = ctx.spec;
  const block = networkPaths(ctx.dir).genesisBlock(spec.channel);
  // /healthz can answer before the admin listener accepts: a refused connection is retried,
  // for up to 30 s (a loaded two-core machine starts the listener late).
  await retryTransient(() =>
    runCommand(
      ctx.binaries.paths.osnadmin,
      ['channel', 'join', '--channelID', spec.channel, '--config-block', block, ...osnadminArgs(ctx, orderer)],
      { purpose: `joining ${orderer.id} to channel '${spec.channel}'` },
    ).catch((error: unknown) => {
      if (commandOutput(error).includes('already exists')) return undefined;
      throw error;
    }),
  );
  spec.joined.push(orderer.id);
  await save(ctx);
}

/** Joins a peer to the channel from the genesis block as its organization's admin. */
export async function joinPeer(ctx: NetworkContext, org: OrgSpec, peer: PeerSpec): Promise<void> {
  const spec = ctx.spec;
  const block = networkPaths(ctx.dir).genesisBlock(spec.channel);
  try {
    await peerCommand(ctx, org, peer, ['channel', 'join', '-b', block], `joining ${peer.id} to '${spec.channel}'`);
  } catch (error) {
    if (!commandOutput(error).includes('already exists')) throw error;
  }
  if (!spec.joined.includes(peer.id)) spec.joined.push(peer.id);
  await save(ctx);
}
