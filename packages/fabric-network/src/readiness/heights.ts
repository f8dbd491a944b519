// Channel heights as the orderers and peers report them, and peers that lost their ledger.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from '../internal/exec.js';
import { networkPaths, type OrdererSpec, type OrgSpec, type PeerSpec } from '../internal/topology.js';
import { peerCommand } from '../process/commands.js';
import { osnadminArgs } from '../process/config.js';
import type { NetworkContext } from '../state/context.js';

/** The channel height one peer reports (`peer channel getinfo`). */
export async function peerHeight(ctx: NetworkContext, org: OrgSpec, peer: PeerSpec): Promise<number | undefined> {
  const { stdout, stderr } = await peerCommand(
    ctx,
    org,
    peer,
    ['channel', 'getinfo', '-c', ctx.spec.channel],
    'reading the channel height',
  );
  const match = /"height":(\d+)/.exec(`${stdout}${stderr}`);
  return match ? Number(match[1]) : undefined;
}

/** The channel height one orderer reports (`osnadmin channel list`). */
export async function ordererHeight(ctx: NetworkContext, orderer: OrdererSpec): Promise<number | undefined> {
  const { stdout } = await runCommand(
    ctx.binaries.paths.osnadmin,
    ['channel', 'list', '--channelID', ctx.spec.channel, ...osnadminArgs(ctx, orderer)],
    { purpose: 'reading the orderer channel height' },
  );
  const match = /"height":\s*(\d+)/.exec(stdout);
  return match ? Number(match[1]) : undefined;
}

/** Joined peers whose ledger directory no longer exists. */
export async function peersWithoutLedger(ctx: NetworkContext): Promise<string[]> {
  const paths = networkPaths(ctx.dir);
  const peers = ctx.spec.orgs.flatMap((org) => org.peers).filter((peer) => ctx.spec.joined.includes(peer.id));
  const missing = await Promise.all(
    peers.map(async (peer) => {
      const ledger = join(paths.data, peer.id, 'production', 'ledgersData');
      return (await stat(ledger).catch(() => undefined)) === undefined;
    }),
  );
  return peers.filter((_, index) => missing[index]).map((peer) => peer.id);
}
