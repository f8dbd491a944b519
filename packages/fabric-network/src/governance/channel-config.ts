import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sleep } from '@ledgerkit/core';
import type { FabricBinaries } from '../binaries.js';
import { FabricNetworkError } from '../errors.js';
import { runCommand } from '../internal/exec.js';
import { type NetworkSpec, networkPaths, type OrgSpec } from '../internal/topology.js';
import { GovernanceError } from './governance-error.js';

/** The channel configuration as `configtxlator proto_decode --type common.Config` prints it. */
export type ChannelConfigJson = {
  sequence: string;
  channel_group: ConfigGroupJson;
  [key: string]: unknown;
};

/** One config group of {@link ChannelConfigJson}. */
export interface ConfigGroupJson {
  groups: Record<string, ConfigGroupJson>;
  policies: Record<string, { mod_policy: string; policy: unknown; version: string }>;
  values: Record<string, { mod_policy: string; value: unknown; version: string }>;
  mod_policy: string;
  version: string;
}

/** What a submitted config update changed. */
export interface ConfigUpdateResult {
  /** The channel header's transaction id of the new config block's envelope, or the update's SHA-256 when it has none. */
  txId: string;
  /** The config block's number. */
  blockNumber: number;
  /** The channel config's sequence after the update. */
  sequence: number;
  /** MSP ids of the admins who signed. */
  signers: string[];
}

// The orderer answers a refused config update with BAD_REQUEST or FORBIDDEN and says why.
const refused = /BAD_REQUEST|FORBIDDEN|not satisfied|implicit policy evaluation failed|signature set did not satisfy/;

/**
 * Reads, changes and submits a network's channel configuration with Fabric's own tools:
 * `peer channel fetch config` (from the orderer), `configtxlator` (decode, encode,
 * compute_update), `peer channel signconfigtx` per signing admin and `peer channel update`.
 * The orderer validates every update against the policies in the current configuration,
 * so an update without enough admin signatures is refused by Fabric, not by us.
 */
export class ChannelConfigurator {
  readonly #dir: string;
  readonly #binaries: FabricBinaries;

  /**
   * @param dir - the network directory
   * @param binaries - the Fabric binaries (peer, configtxlator)
   */
  constructor(dir: string, binaries: FabricBinaries) {
    this.#dir = dir;
    this.#binaries = binaries;
  }

  async #spec(): Promise<NetworkSpec> {
    return JSON.parse(await readFile(networkPaths(this.#dir).spec, 'utf8')) as NetworkSpec;
  }

  #org(spec: NetworkSpec, name: string): OrgSpec {
    const org = spec.orgs.find((candidate) => candidate.name === name || candidate.mspId === name);
    if (!org) {
      throw new FabricNetworkError('BAD_OPTION', `no organization '${name}' in this network`, {
        option: 'organization',
        organizations: spec.orgs.map((candidate) => candidate.name),
      });
    }
    return org;
  }

  /** Environment of `peer` CLI commands acting as an organization's admin. */
  #adminEnv(org: OrgSpec): NodeJS.ProcessEnv {
    const paths = networkPaths(this.#dir);
    const peer = org.peers[0];
    return {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? this.#dir,
      FABRIC_CFG_PATH: paths.peerConfigDir,
      FABRIC_LOGGING_SPEC: 'WARN',
      CORE_PEER_LOCALMSPID: org.mspId,
      CORE_PEER_MSPCONFIGPATH: paths.userMsp(org, 'Admin'),
      CORE_PEER_TLS_ENABLED: 'true',
      ...(peer
        ? {
            CORE_PEER_ADDRESS: `127.0.0.1:${peer.ports.listen}`,
            CORE_PEER_TLS_ROOTCERT_FILE: join(paths.peerDir(org, peer), 'tls', 'ca.crt'),
          }
        : {}),
    };
  }

  #ordererArgs(spec: NetworkSpec): string[] {
    const orderer = spec.orderers[0];
    if (!orderer) throw new FabricNetworkError('NETWORK_MISMATCH', 'the network has no orderer', { dir: this.#dir });
    return [
      '-o',
      `127.0.0.1:${orderer.ports.listen}`,
      '--tls',
      '--cafile',
      join(networkPaths(this.#dir).ordererDir(spec, orderer), 'tls', 'ca.crt'),
    ];
  }

  async #workDir(): Promise<string> {
    const base = join(this.#dir, 'governance', 'work');
    await mkdir(base, { recursive: true });
    return mkdtemp(join(base, 'update-'));
  }

  /** Runs configtxlator; a decode writes to a file (its default, /dev/stdout, cannot be opened on a pipe or socket). */
  async #translator(args: string[], purpose: string): Promise<string> {
    const decode = args[0] === 'proto_decode';
    const output = decode ? join(await this.#workDir(), 'decoded.json') : undefined;
    try {
      await runCommand(this.#binaries.paths.configtxlator, output ? [...args, '--output', output] : args, {
        purpose,
        timeoutMs: 60_000,
      });
      return output ? await readFile(output, 'utf8') : '';
    } finally {
      if (output) await rm(join(output, '..'), { recursive: true, force: true });
    }
  }

  /** Fetches the newest config block as `reader`'s admin and decodes it. */
  async #fetch(
    spec: NetworkSpec,
    reader: OrgSpec,
    work: string,
  ): Promise<{ config: ChannelConfigJson; blockNumber: number; txId: string }> {
    const block = join(work, `config-${Date.now()}.pb`);
    await runCommand(
      this.#binaries.paths.peer,
      ['channel', 'fetch', 'config', block, '-c', spec.channel, ...this.#ordererArgs(spec)],
      { env: this.#adminEnv(reader), purpose: 'fetching the channel config block', timeoutMs: 60_000 },
    );
    const decoded = JSON.parse(
      await this.#translator(['proto_decode', '--input', block, '--type', 'common.Block'], 'decoding the config block'),
    ) as {
      header: { number: string };
      data: {
        data: { payload: { header: { channel_header: { tx_id?: string } }; data: { config: ChannelConfigJson } } }[];
      };
    };
    const envelope = decoded.data.data[0];
    if (!envelope) throw new FabricNetworkError('COMMAND_FAILED', 'the config block holds no envelope', { block });
    return {
      config: envelope.payload.data.config,
      blockNumber: Number(decoded.header.number),
      txId: envelope.payload.header.channel_header.tx_id ?? '',
    };
  }

  /**
   * The current channel configuration, read from the orderer.
   *
   * @param reader - a member organization whose admin reads it
   * @returns the decoded config and its sequence number
   * @throws FabricNetworkError COMMAND_FAILED, BAD_OPTION (unknown organization)
   */
  async read(reader: string): Promise<{ config: ChannelConfigJson; sequence: number; blockNumber: number }> {
    const spec = await this.#spec();
    const work = await this.#workDir();
    try {
      const { config, blockNumber } = await this.#fetch(spec, this.#org(spec, reader), work);
      return { config, sequence: Number(config.sequence), blockNumber };
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  /**
   * Changes the channel configuration: fetches it, lets `change` edit the decoded copy,
   * computes the update, has each of `signers`' admins sign it (the last one submits it)
   * and waits until the orderer's newest config block carries it.
   *
   * @param change - edits the decoded config in place
   * @param signers - organizations (name or MSP id) whose admins sign, in order; the first one reads
   * @param purpose - what the update is for, in error messages
   * @returns the new config block's number and sequence and the update's id
   * @throws GovernanceError CONFIG_UPDATE_REJECTED when the orderer refuses the update (its policy is
   *   not satisfied by the signatures); FabricNetworkError COMMAND_FAILED, BAD_OPTION
   */
  async update(
    change: (config: ChannelConfigJson) => void,
    signers: readonly string[],
    purpose: string,
  ): Promise<ConfigUpdateResult> {
    if (signers.length === 0) {
      throw new FabricNetworkError('BAD_OPTION', `a config update (${purpose}) needs at least one signer`, {
        option: 'signers',
      });
    }
    const spec = await this.#spec();
    const orgs = signers.map((name) => this.#org(spec, name));
    const work = await this.#workDir();
    try {
      const before = await this.#fetch(spec, orgs[0] as OrgSpec, work);
      const updated = structuredClone(before.config);
      change(updated);
      const original = join(work, 'original.json');
      const modified = join(work, 'modified.json');
      await writeFile(original, JSON.stringify(before.config));
      await writeFile(modified, JSON.stringify(updated));
      for (const name of ['original', 'modified']) {
        await this.#translator(
          [
            'proto_encode',
            '--input',
            join(work, `${name}.json`),
            '--type',
            'common.Config',
            '--output',
            join(work, `${name}.pb`),
          ],
          `encoding the ${name} config`,
        );
      }
      const updatePb = join(work, 'update.pb');
      await this.#translator(
        [
          'compute_update',
          '--channel_id',
          spec.channel,
          '--original',
          join(work, 'original.pb'),
          '--updated',
          join(work, 'modified.pb'),
          '--output',
          updatePb,
        ],
        `computing the config update (${purpose})`,
      );
      const updateJson = JSON.parse(
        await this.#translator(
          ['proto_decode', '--input', updatePb, '--type', 'common.ConfigUpdate'],
          'decoding the update',
        ),
      ) as unknown;
      const envelopeJson = join(work, 'envelope.json');
      const envelope = join(work, 'envelope.pb');
      await writeFile(
        envelopeJson,
        JSON.stringify({
          payload: {
            header: { channel_header: { channel_id: spec.channel, type: 2 } },
            data: { config_update: updateJson },
          },
        }),
      );
      await this.#translator(
        ['proto_encode', '--input', envelopeJson, '--type', 'common.Envelope', '--output', envelope],
        'encoding the update envelope',
      );
      const updateHash = createHash('sha256')
        .update(await readFile(updatePb))
        .digest('hex');
      for (const org of orgs.slice(0, -1)) {
        await runCommand(this.#binaries.paths.peer, ['channel', 'signconfigtx', '-f', envelope], {
          env: this.#adminEnv(org),
          purpose: `${org.mspId} admin signing the config update`,
        });
      }
      const submitter = orgs[orgs.length - 1] as OrgSpec;
      try {
        await runCommand(
          this.#binaries.paths.peer,
          ['channel', 'update', '-f', envelope, '-c', spec.channel, ...this.#ordererArgs(spec)],
          {
            env: this.#adminEnv(submitter),
            purpose: `submitting the config update (${purpose})`,
            timeoutMs: 60_000,
          },
        );
      } catch (error) {
        const output = String((error as FabricNetworkError).details?.output ?? '');
        if (refused.test(output)) {
          throw new GovernanceError(
            'CONFIG_UPDATE_REJECTED',
            `the orderer refused the config update (${purpose}) signed by ${orgs.map((org) => org.mspId).join(', ')}: ${lastLine(output)}`,
            { purpose, signers: orgs.map((org) => org.mspId), sequence: Number(before.config.sequence), output },
            error,
          );
        }
        throw error;
      }
      // The update is ordered into a new config block; wait until the orderer serves it.
      const deadline = Date.now() + 60_000;
      for (;;) {
        const after = await this.#fetch(spec, orgs.find((org) => org !== undefined) as OrgSpec, work).catch(
          () => undefined,
        );
        if (after && Number(after.config.sequence) > Number(before.config.sequence)) {
          return {
            txId: after.txId || updateHash,
            blockNumber: after.blockNumber,
            sequence: Number(after.config.sequence),
            signers: orgs.map((org) => org.mspId),
          };
        }
        if (Date.now() > deadline) {
          throw new FabricNetworkError('START_TIMEOUT', `the config update (${purpose}) was not committed in 60 s`, {
            purpose,
          });
        }
        await sleep(250);
      }
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }
}

function lastLine(output: string): string {
  const lines = output.trim().split('\n');
  return (lines.find((line) => /Error:/.test(line)) ?? lines[lines.length - 1] ?? '').trim();
}

/**
 * The Application group's Admins policy as a signature policy: `n` of the listed MSPs' admins.
 *
 * @param n - how many admin signatures are needed
 * @param mspIds - the member organizations
 * @returns the policy value for the decoded config JSON
 */
export function adminsPolicy(n: number, mspIds: readonly string[]): unknown {
  return {
    type: 1,
    value: {
      identities: mspIds.map((mspId) => ({
        principal: { msp_identifier: mspId, role: 'ADMIN' },
        principal_classification: 'ROLE',
      })),
      rule: { n_out_of: { n, rules: mspIds.map((_, index) => ({ signed_by: index })) } },
      version: 0,
    },
  };
}

/**
 * The Application group of a decoded channel config.
 *
 * @param config - the decoded config
 * @returns its Application group
 */
export function applicationGroup(config: ChannelConfigJson): ConfigGroupJson {
  const group = config.channel_group.groups.Application;
  if (!group) throw new FabricNetworkError('NETWORK_MISMATCH', 'the channel config has no Application group', {});
  return group;
}
