// The chaincode lifecycle: package, install, approve and commit a chaincode-as-a-service
// definition, a new definition for an endorsement policy change, approvals for joining organizations.
import { createHash } from 'node:crypto';
import { cp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { FabricNetworkError } from '../errors.js';
import { runCommand } from '../internal/exec.js';
import { freePorts } from '../internal/ports.js';
import { type ChaincodeRecord, networkPaths, type OrgSpec, type PeerSpec } from '../internal/topology.js';
import { commandOutput, peerCommand } from '../process/commands.js';
import { ordererArgs } from '../process/config.js';
import { channelOrgs, findOrg, mspIds, mutate, type NetworkContext, save, usedPorts } from '../state/context.js';
import type { DeployChaincodeOptions, DeployedChaincode } from '../types.js';
import { collectionsConfig } from './collections.js';
import { endorsementPolicy } from './policy.js';
import { checkChaincodeProject } from './project.js';
import { ensureChaincodeServer, resolveShimCli, stopChaincodeServer } from './server.js';

/** Packages, installs, approves and commits a chaincode and starts its server (what {@link FabricNetwork.deployChaincode} does). */
export async function deployChaincode(
  ctx: NetworkContext,
  options: DeployChaincodeOptions,
): Promise<DeployedChaincode> {
  const spec = ctx.spec;
  const { name } = options;
  const version = options.version ?? '1.0';
  if (!/^[a-z][a-z0-9_-]{0,49}$/.test(name)) {
    throw new FabricNetworkError(
      'BAD_OPTION',
      `invalid chaincode name '${name}': use lower-case letters, digits, '_' and '-', starting with a letter`,
      { option: 'name', value: name },
    );
  }
  if (!/^[A-Za-z0-9_.+-]{1,40}$/.test(version)) {
    throw new FabricNetworkError('BAD_OPTION', `invalid chaincode version '${version}'`, {
      option: 'version',
      value: version,
    });
  }
  const policy = endorsementPolicy(options.policy, mspIds(ctx));
  const collections = collectionsConfig(options.collections, mspIds(ctx));
  const path = resolve(options.path);
  const _shimCli = resolveShimCli(path);
  // Before anything is packaged or installed: an unbuilt project would only fail once its server starts.
  await checkChaincodeProject(path);
  const previous = spec.chaincodes.find((chaincode) => chaincode.name === name);
  const sequence = (previous?.sequence ?? 0) + 1;
  const port = previous?.port ?? ((await freePorts(1, { exclude: usedPorts(ctx) }))[0] as number);
  const label = `${name}_${version}`;
  const packageDir = join(networkPaths(ctx.dir).chaincodes, name, `${label}-${sequence}`);
  await rm(packageDir, { recursive: true, force: true });
  await mkdir(packageDir, { recursive: true });
  await writeFile(
    join(packageDir, 'connection.json'),
    JSON.stringify({ address: `127.0.0.1:${port}`, dial_timeout: '10s', tls_required: false }),
  );
  await writeFile(join(packageDir, 'metadata.json'), JSON.stringify({ type: 'ccaas', label }));
  const collectionsFile = collections === undefined ? undefined : join(packageDir, 'collections.json');
  if (collectionsFile) await writeFile(collectionsFile, collections as string);
  await runCommand('tar', ['-czf', 'code.tar.gz', 'connection.json'], { cwd: packageDir, purpose: 'packaging' });
  const packageFile = join(packageDir, `${label}.tgz`);
  await runCommand('tar', ['-czf', packageFile, 'metadata.json', 'code.tar.gz'], {
    cwd: packageDir,
    purpose: 'packaging',
  });
  const packageId = `${label}:${createHash('sha256')
    .update(await readFile(packageFile))
    .digest('hex')}`;

  await Promise.all(
    channelOrgs(ctx).flatMap((org) =>
      org.peers.map(async (peer) => {
        try {
          await peerCommand(ctx, org, peer, ['lifecycle', 'chaincode', 'install', packageFile], 'chaincode install');
        } catch (error) {
          if (!commandOutput(error).includes('already successfully installed')) throw error;
        }
      }),
    ),
  );
  const record: ChaincodeRecord = { name, version, sequence, label, packageId, path, policy, port };
  if (previous) await stopChaincodeServer(ctx, previous);
  await ensureChaincodeServer(ctx, record, 30_000);
  try {
    await approveAndCommit(ctx, record, collectionsFile);
  } catch (error) {
    // Not recorded in network.json, so nothing else would ever stop this server.
    await stopChaincodeServer(ctx, record);
    throw error;
  }
  spec.chaincodes = [...spec.chaincodes.filter((chaincode) => chaincode.name !== name), record];
  await save(ctx);
  return describeChaincode(record);
}

/** Commits a chaincode's next definition with a new policy (what {@link FabricNetwork.updateEndorsementPolicy} does). */
export async function updateEndorsementPolicy(
  ctx: NetworkContext,
  name: string,
  policy: string,
  options: { approvers?: readonly string[] } = {},
): Promise<DeployedChaincode> {
  return mutate(ctx, async () => {
    const previous = ctx.spec.chaincodes.find((chaincode) => chaincode.name === name);
    if (!previous) {
      throw new FabricNetworkError('BAD_OPTION', `no chaincode '${name}' is deployed on this network`, {
        option: 'name',
        value: name,
        chaincodes: ctx.spec.chaincodes.map((chaincode) => chaincode.name),
      });
    }
    const resolved = endorsementPolicy(policy, mspIds(ctx));
    const inChannel = channelOrgs(ctx);
    const approvers = (options.approvers ?? inChannel.map((org) => org.mspId)).map((approver) => {
      const org = findOrg(ctx, approver, 'approvers');
      if (!inChannel.includes(org)) {
        throw new FabricNetworkError('BAD_OPTION', `${org.name} is not in the channel, so it cannot approve`, {
          option: 'approvers',
          value: approver,
        });
      }
      return org;
    });
    if (approvers.length === 0) {
      throw new FabricNetworkError('BAD_OPTION', 'a chaincode definition needs at least one approver', {
        option: 'approvers',
      });
    }
    const record: ChaincodeRecord = { ...previous, sequence: previous.sequence + 1, policy: resolved };
    // The same package under the new sequence, where joinChannel and up find it.
    const from = packageDir(ctx, previous);
    const to = packageDir(ctx, record);
    await rm(to, { recursive: true, force: true });
    await cp(from, to, { recursive: true });
    const collections = join(to, 'collections.json');
    const hasCollections = (await stat(collections).catch(() => undefined)) !== undefined;
    await approveAndCommit(ctx, record, hasCollections ? collections : undefined, approvers);
    ctx.spec.chaincodes = ctx.spec.chaincodes.map((chaincode) => (chaincode.name === name ? record : chaincode));
    await save(ctx);
    for (const org of inChannel.filter((candidate) => !approvers.includes(candidate))) {
      await approveForOrg(ctx, org, record);
    }
    return describeChaincode(record);
  });
}

/**
 * Approves a chaincode definition as each of `orgs`' admins, then the last of them commits it
 * with their peers' endorsements (the channel's LifecycleEndorsement policy decides whether
 * they are enough).
 */
export async function approveAndCommit(
  ctx: NetworkContext,
  record: ChaincodeRecord,
  collectionsFile: string | undefined,
  orgs: readonly OrgSpec[] = channelOrgs(ctx),
): Promise<void> {
  const spec = ctx.spec;
  const { name, version, sequence, packageId, policy } = record;
  const common = [
    '--channelID',
    spec.channel,
    '--name',
    name,
    '--version',
    version,
    '--sequence',
    String(sequence),
    '--signature-policy',
    policy,
    ...(collectionsFile ? ['--collections-config', collectionsFile] : []),
    ...ordererArgs(ctx),
  ];
  await Promise.all(
    orgs.map((org) =>
      peerCommand(
        ctx,
        org,
        org.peers[0] as PeerSpec,
        ['lifecycle', 'chaincode', 'approveformyorg', '--package-id', packageId, ...common],
        `approving chaincode '${name}' for ${org.mspId}`,
      ),
    ),
  );
  const endorsers = orgs.flatMap((org) => {
    const peer = org.peers[0] as PeerSpec;
    return [
      '--peerAddresses',
      `127.0.0.1:${peer.ports.listen}`,
      '--tlsRootCertFiles',
      join(networkPaths(ctx.dir).peerDir(org, peer), 'tls', 'ca.crt'),
    ];
  });
  const committer = orgs[orgs.length - 1] as OrgSpec;
  await peerCommand(
    ctx,
    committer,
    committer.peers[0] as PeerSpec,
    ['lifecycle', 'chaincode', 'commit', ...common, ...endorsers],
    `committing chaincode '${name}'`,
  );
}

/** The organization approves a committed chaincode definition, so its peers run the chaincode. */
export async function approveForOrg(ctx: NetworkContext, org: OrgSpec, chaincode: ChaincodeRecord): Promise<void> {
  const collections = join(
    networkPaths(ctx.dir).chaincodes,
    chaincode.name,
    `${chaincode.label}-${chaincode.sequence}`,
    'collections.json',
  );
  const hasCollections = (await stat(collections).catch(() => undefined)) !== undefined;
  await peerCommand(
    ctx,
    org,
    org.peers[0] as PeerSpec,
    [
      'lifecycle',
      'chaincode',
      'approveformyorg',
      '--package-id',
      chaincode.packageId,
      '--channelID',
      ctx.spec.channel,
      '--name',
      chaincode.name,
      '--version',
      chaincode.version,
      '--sequence',
      String(chaincode.sequence),
      '--signature-policy',
      chaincode.policy,
      ...(hasCollections ? ['--collections-config', collections] : []),
      ...ordererArgs(ctx),
    ],
    `approving chaincode '${chaincode.name}' for ${org.mspId}`,
  );
}

/** Installs the package of every deployed chaincode on one peer (as deployChaincode did). */
export async function installChaincodes(ctx: NetworkContext, org: OrgSpec, peer: PeerSpec): Promise<void> {
  const chaincodes = networkPaths(ctx.dir).chaincodes;
  for (const { name, label, sequence } of ctx.spec.chaincodes) {
    const packageFile = join(chaincodes, name, `${label}-${sequence}`, `${label}.tgz`);
    try {
      await peerCommand(ctx, org, peer, ['lifecycle', 'chaincode', 'install', packageFile], 'chaincode install');
    } catch (error) {
      if (!commandOutput(error).includes('already successfully installed')) throw error;
    }
  }
}

/** The folder of a chaincode definition's package (`chaincodes/<name>/<label>-<sequence>`). */
export function packageDir(ctx: NetworkContext, chaincode: ChaincodeRecord): string {
  return join(networkPaths(ctx.dir).chaincodes, chaincode.name, `${chaincode.label}-${chaincode.sequence}`);
}

/** A committed chaincode as the public API shows it. */
export function describeChaincode(record: ChaincodeRecord): DeployedChaincode {
  return {
    name: record.name,
    version: record.version,
    sequence: record.sequence,
    packageId: record.packageId,
    policy: record.policy,
    address: `127.0.0.1:${record.port}`,
  };
}
