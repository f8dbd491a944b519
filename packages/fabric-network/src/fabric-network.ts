import { createHash, randomBytes } from 'node:crypto';
import { chmod, cp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { retry } from '@ledgerkit/core';
import { ensureFabricBinaries, type FabricBinaries } from './binaries.js';
import { ensureFabricCaBinaries } from './ca/ca-binaries.js';
import { type CaRecord, CertificateAuthority, caPaths, nodeOuConfig } from './ca/certificate-authority.js';
import { type CaAdminCredentials, checkAdminCredentials } from './ca/credentials.js';
import { collectionsConfig, type PrivateDataCollection } from './collections.js';
import { FabricNetworkError } from './errors.js';
import { type NodeHealth, readNodeHealth } from './health.js';
import {
  checkIssueIdentityOptions,
  type IssuedIdentity,
  type IssueIdentityOptions,
  issueIdentityFiles,
} from './identities.js';
import { checkChaincodeProject } from './internal/chaincode-project.js';
import { runCommand } from './internal/exec.js';
import { withFileLock, writeFileAtomic } from './internal/file-lock.js';
import { endorsementPolicy } from './internal/policy.js';
import { freePorts, portInUse, renewReservations, waitForPortFree } from './internal/ports.js';
import {
  forgetPid,
  healthy,
  logTail,
  pidAlive,
  readPid,
  sleep,
  startProcess,
  stopProcess,
} from './internal/processes.js';
import {
  type ChaincodeRecord,
  configtx,
  cryptoConfig,
  type NetworkSpec,
  networkPaths,
  type OrdererSpec,
  type OrgSpec,
  organizationEntry,
  orgNames,
  type PeerSpec,
  planNetwork,
} from './internal/topology.js';

/** Progress of a long operation, for a step list in a terminal or plain log lines. */
export type ProgressEvent =
  | { type: 'step-start'; step: string }
  | { type: 'step-end'; step: string; ok: boolean; ms: number }
  | { type: 'info'; message: string };

/** Options of {@link FabricNetwork.up}. */
export interface UpOptions {
  /** Network directory (crypto, config, ledgers, logs). Default `.ledgerkit/fabric` in the working directory. */
  dir?: string;
  /** Number of organizations (default 2) or their names, e.g. `['Acme', 'Globex']`. */
  orgs?: number | readonly string[];
  /** Peers per organization, 1-4 (default 1). */
  peersPerOrg?: number;
  /** Raft orderers: 1, 3 or 5 (default 1). */
  orderers?: 1 | 3 | 5;
  /** Channel name (default `ledgerkit`). */
  channel?: string;
  /** Cache root for the Fabric binaries (default `$LEDGERKIT_HOME`). */
  home?: string;
  /** Build the binaries when missing (default true). */
  build?: boolean;
  /** Receives progress events. */
  onProgress?: (event: ProgressEvent) => void;
  /** How long each process may take to become healthy (default 30 s). */
  startTimeoutMs?: number;
}

/** Options of {@link FabricNetwork.deployChaincode}. */
export interface DeployChaincodeOptions {
  /** Chaincode name on the channel (lower case, digits, `_`, `-`). */
  name: string;
  /** Version label (default `1.0`). */
  version?: string;
  /**
   * Directory of a Node.js chaincode project (package.json with `main`, dependencies
   * installed, fabric-shim resolvable from it); it is run as a chaincode server.
   */
  path: string;
  /** `'majority'` (default), `'any'`, `'all'` or a signature policy such as `AND('Org1MSP.peer','Org2MSP.peer')`. */
  policy?: string;
  /**
   * Private data collections of the chaincode (`ctx.stub.putPrivateData(name, …)`), written
   * as the collections config file of the lifecycle approve and commit. Upgrading a
   * chaincode must list its existing collections again (Fabric never removes one).
   */
  collections?: readonly PrivateDataCollection[];
}

/** What {@link FabricNetwork.deployChaincode} committed. */
export interface DeployedChaincode {
  name: string;
  version: string;
  sequence: number;
  packageId: string;
  policy: string;
  /** Loopback address the chaincode server listens on. */
  address: string;
}

/** One process of the network as {@link FabricNetwork.status} sees it. */
export interface ComponentStatus {
  /** Component id: `orderer0`, `peer0.org1`, `chaincode-basic`. */
  id: string;
  kind: 'orderer' | 'peer' | 'chaincode' | 'ca';
  /** Organization MSP id. */
  mspId: string;
  pid?: number;
  running: boolean;
  /** Health endpoint answered 200 (orderers, peers) or the port accepts connections (chaincode). */
  healthy: boolean;
  ports: Record<string, number>;
  /** Operations health URL (orderers and peers). */
  healthUrl?: string;
  /** Channel height as this node reports it. */
  height?: number;
  logFile: string;
  /** Last log lines, for a component that is not healthy. */
  logTail?: string;
}

/** Result of {@link FabricNetwork.status}. */
export interface NetworkStatus {
  dir: string;
  channel: string;
  fabricVersion: string;
  /** Every component running and healthy. */
  healthy: boolean;
  components: ComponentStatus[];
  chaincodes: DeployedChaincode[];
}

/** Files a client needs to act as an identity of one organization. */
export interface IdentityFiles {
  /** MSP folder (signcerts/, keystore/, cacerts/). */
  mspDir: string;
  certificatePath: string;
  privateKeyPath: string;
}

/** How to reach one organization's gateway peer and act as its admin or user. */
export interface OrganizationAccess {
  name: string;
  mspId: string;
  /** `127.0.0.1:<port>` of the organization's first peer (its gateway). */
  peerEndpoint: string;
  /**
   * Host name of that peer (`peer0.org1.example.com`), a name its TLS certificate holds: a
   * client connecting to {@link peerEndpoint} by IP address gives it as the TLS server name
   * (`grpc.ssl_target_name_override`, fabric-samples' `PEER_HOST_ALIAS`).
   */
  peerHostAlias: string;
  /** TLS CA certificate of the organization's peers (PEM file). */
  tlsRootCertPath: string;
  /**
   * The organization's folder in the network's `crypto/` directory,
   * `crypto/peerOrganizations/<domain>`, laid out as in fabric-samples' test-network
   * (`organizations/peerOrganizations/<domain>`): `peers/<peer>/tls/ca.crt` and
   * `users/User1@<domain>/msp/{signcerts,keystore}`, so a fabric-samples application runs
   * with `CRYPTO_PATH` set to it.
   */
  cryptoPath: string;
  /** Connection profile JSON written for this organization. */
  connectionProfilePath: string;
  admin: IdentityFiles;
  user: IdentityFiles;
  /**
   * The organization's MSP folder for the channel configuration (`cacerts/`, `tlscacerts/`,
   * NodeOU `config.yaml`): what a config update adding the organization puts in the channel.
   */
  mspDir: string;
  /** Whether the channel configuration holds the organization and its peers joined. */
  inChannel: boolean;
  /** The organization's peers: component id, host name and gateway endpoint. */
  peers: { id: string; host: string; endpoint: string }[];
}

/** Options of {@link FabricNetwork.addOrganization}. */
export interface AddOrganizationOptions {
  /** Organization name: 1-30 letters and digits, starting with a letter. */
  name: string;
  /** MSP id (default `<name>MSP`). */
  mspId?: string;
  /** Number of peers, 1-4 (default 1). */
  peers?: number;
  /** Bootstrap admin of the organization's new Fabric CA. */
  admin: CaAdminCredentials;
}

/** Result of {@link FabricNetwork.addPeer}. */
export interface AddedPeer {
  id: string;
  host: string;
  /** `127.0.0.1:<port>`. */
  endpoint: string;
  /** Whether it joined the channel (its organization is in the channel configuration). */
  joined: boolean;
  /** Channel height it reached (equal to the orderer's when it joined). */
  height?: number;
}

const defaultDir = () => resolve('.ledgerkit', 'fabric');
const networkMarker = 'LEDGERKIT_FABRIC_NETWORK';
// Failures that go away on their own: a listener not up yet, a Raft leader not yet elected.
const transientFailure = /connection refused|no Raft leader|SERVICE_UNAVAILABLE|failed to connect/;
const commandOutput = (error: unknown): string => String((error as FabricNetworkError).details?.output ?? '');

/** Runs a Fabric CLI step, re-running it for up to 30 s while its output shows a transient failure. */
function retryTransient<T>(step: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 30_000;
  return retry(step, {
    retries: Number.MAX_SAFE_INTEGER,
    baseDelayMs: 125,
    maxDelayMs: 1_000,
    jitter: 'none',
    shouldRetry: (error) => Date.now() <= deadline && transientFailure.test(commandOutput(error)),
  });
}
// Fabric's default format without the color codes, since logs go to files.
const logFormat = '%{time:2006-01-02 15:04:05.000 MST} [%{module}] %{shortfunc} -> %{level:.4s} %{id:03x} %{message}';

/**
 * A Hyperledger Fabric network of native processes on loopback ports: Raft orderers,
 * peers of several organizations, one channel, chaincode servers. Processes outlive
 * the Node process that started them; {@link FabricNetwork.open} attaches to a
 * running (or stopped) network by its directory.
 *
 * @example
 * ```ts
 * const net = await FabricNetwork.up({ orgs: 2, dir: '/tmp/net' });
 * await net.deployChaincode({ name: 'basic', path: './chaincode' });
 * const org1 = await net.organization('Org1');
 * await net.down({ purge: true });
 * ```
 */
export class FabricNetwork {
  readonly #dir: string;
  #spec: NetworkSpec;
  readonly #binaries: FabricBinaries;

  private constructor(dir: string, spec: NetworkSpec, binaries: FabricBinaries) {
    this.#dir = dir;
    this.#spec = spec;
    this.#binaries = binaries;
  }

  /** The network directory. */
  get dir(): string {
    return this.#dir;
  }

  /** The channel every peer joined. */
  get channel(): string {
    return this.#spec.channel;
  }

  /** MSP ids of the application organizations in the channel configuration. */
  get mspIds(): string[] {
    return this.#channelOrgs().map((org) => org.mspId);
  }

  #channelOrgs(): OrgSpec[] {
    return this.#spec.orgs.filter((org) => org.inChannel !== false);
  }

  /** The organizations whose processes run: all but those removed from the network. */
  #liveOrgs(): OrgSpec[] {
    return this.#spec.orgs.filter((org) => !org.removed);
  }

  /**
   * Runs a change of the network holding `<dir>/network.lock` (one process at a time), on the
   * state as `network.json` has it now (another process may have changed it since).
   */
  #mutate<T>(work: () => Promise<T>): Promise<T> {
    return lockNetwork(this.#dir, async () => {
      const latest = await readSpec(this.#dir);
      if (latest) this.#spec = latest;
      return work();
    });
  }

  /** Every port the network has recorded for a component, running or not. */
  #usedPorts(): number[] {
    return usedPorts(this.#spec);
  }

  /**
   * Creates the network in `dir` (crypto material, genesis block) unless it exists,
   * then starts every process that is not running, joins the channel and restarts the
   * chaincode servers. Calling it on a running network restarts only what crashed; a
   * restarted peer catches up with the channel from the orderers.
   *
   * @param options - size, channel, directory, progress callback
   * @returns the running network
   * @throws FabricNetworkError BAD_OPTION, NETWORK_MISMATCH, PORT_IN_USE, PROCESS_CRASHED,
   *   START_TIMEOUT, BINARY_MISSING, GO_MISSING, BUILD_FAILED
   * @example
   * ```ts
   * const net = await FabricNetwork.up({ orgs: ['Acme', 'Globex'], orderers: 3, channel: 'trade' });
   * ```
   */
  static async up(options: UpOptions = {}): Promise<FabricNetwork> {
    const dir = resolve(options.dir ?? defaultDir());
    const progress = options.onProgress ?? (() => {});
    const step = makeStepper(progress);
    const names = orgNames(options.orgs ?? 2);
    const binaries = await step('Fabric binaries', () =>
      ensureFabricBinaries({
        ...(options.home === undefined ? {} : { home: options.home }),
        ...(options.build === undefined ? {} : { build: options.build }),
        onProgress: (message) => progress({ type: 'info', message }),
      }),
    );
    await mkdir(dir, { recursive: true });
    return lockNetwork(dir, () => FabricNetwork.#up(dir, options, names, binaries, step));
  }

  static async #up(
    dir: string,
    options: UpOptions,
    names: string[],
    binaries: FabricBinaries,
    step: ReturnType<typeof makeStepper>,
  ): Promise<FabricNetwork> {
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
    const network = new FabricNetwork(dir, spec, binaries);
    await network.#writeBuilder();
    await network.#writePeerConfig();
    await mkdir(paths.logs, { recursive: true });
    await mkdir(paths.run, { recursive: true });
    const timeout = options.startTimeoutMs ?? 30_000;

    await step(`orderers (${spec.orderers.length}, Raft)`, () =>
      Promise.all(spec.orderers.map((orderer) => network.#ensureRunning(orderer.id, timeout))),
    );
    const ordererJoins = spec.orderers.filter((orderer) => !spec.joined.includes(orderer.id));
    if (ordererJoins.length > 0) {
      await step(`orderers join channel '${spec.channel}'`, async () => {
        for (const orderer of ordererJoins) await network.#joinOrderer(orderer);
      });
    }
    await step('Raft leader elected', () => network.#waitForRaftLeader(timeout));
    const withCa = network.#liveOrgs().filter((org) => org.ca);
    if (withCa.length > 0) {
      await step(`certificate authorities (${withCa.length})`, () =>
        Promise.all(withCa.map((org) => network.#ensureCaRunning(org, timeout))),
      );
    }
    const peers = network.#liveOrgs().flatMap((org) => org.peers);
    // A peer whose ledger directory is gone (deleted while it was down, a new disk) starts
    // empty: it joins the channel again, pulls every block from the orderers, and gets the
    // chaincode packages installed again.
    const wiped = await network.#peersWithoutLedger();
    if (wiped.length > 0) spec.joined = spec.joined.filter((id) => !wiped.includes(id));
    await step(`peers (${peers.length} in ${network.#liveOrgs().length} organizations)`, () =>
      Promise.all(peers.map((peer) => network.#ensureRunning(peer.id, timeout))),
    );
    const peerJoins = network
      .#channelOrgs()
      .flatMap((org) => org.peers.filter((peer) => !spec.joined.includes(peer.id)).map((peer) => ({ org, peer })));
    if (peerJoins.length > 0) {
      await step(`peers join channel '${spec.channel}' (anchor peers from the genesis block)`, () =>
        Promise.all(peerJoins.map(({ org, peer }) => network.#joinPeer(org, peer))),
      );
    }
    const reinstall = peerJoins.filter(({ peer }) => wiped.includes(peer.id));
    if (reinstall.length > 0 && spec.chaincodes.length > 0) {
      await step(`chaincode packages installed again on ${reinstall.map(({ peer }) => peer.id).join(', ')}`, () =>
        Promise.all(reinstall.map(({ org, peer }) => network.#installChaincodes(org, peer))),
      );
    }
    if (network.#channelOrgs().flatMap((org) => org.peers).length > 1) {
      await step('gossip: every peer sees every other peer', () => network.#waitForGossip(timeout));
    }
    if (spec.chaincodes.length > 0) {
      await step(`chaincode servers (${spec.chaincodes.length})`, () =>
        Promise.all(spec.chaincodes.map((chaincode) => network.#ensureChaincodeServer(chaincode, timeout))),
      );
    }
    return network;
  }

  /**
   * Attaches to the network stored in `dir`, running or not, without starting anything.
   *
   * @param dir - the network directory given to {@link FabricNetwork.up}
   * @param options - cache root of the binaries
   * @returns the network
   * @throws FabricNetworkError NETWORK_MISMATCH when `dir` holds no network, BINARY_MISSING
   */
  static async open(dir: string = defaultDir(), options: { home?: string } = {}): Promise<FabricNetwork> {
    const absolute = resolve(dir);
    const spec = await readSpec(absolute);
    if (!spec) {
      throw new FabricNetworkError(
        'NETWORK_MISMATCH',
        `no Fabric network in ${absolute}; run 'ledgerkit fabric up --dir ${dir}' first`,
        { dir: absolute },
      );
    }
    const binaries = await ensureFabricBinaries({ ...options, build: false });
    return new FabricNetwork(absolute, spec, binaries);
  }

  /**
   * Reports every component: pid, ports, health endpoint, channel height, and the log
   * tail of any component that is down or unhealthy.
   *
   * @returns the status of each orderer, peer and chaincode server
   */
  async status(): Promise<NetworkStatus> {
    const spec = this.#spec;
    const paths = networkPaths(this.#dir);
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
      const running = pid !== undefined && (await this.#isOurs(pid));
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
          this.#ordererHeight(orderer),
        ),
      );
    }
    for (const org of this.#liveOrgs()) {
      for (const peer of org.peers) {
        jobs.push(
          probe(peer.id, 'peer', org.mspId, peer.ports, peer.ports.operations, () => this.#peerHeight(org, peer)),
        );
      }
    }
    for (const org of this.#liveOrgs()) {
      if (org.ca) jobs.push(probe(org.ca.id, 'ca', org.mspId, org.ca.ports, org.ca.ports.operations, undefined));
    }
    for (const chaincode of spec.chaincodes) {
      jobs.push(
        probe(
          chaincodeComponent(chaincode.name),
          'chaincode',
          this.#channelOrgs()
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
      dir: this.#dir,
      channel: spec.channel,
      fabricVersion: spec.fabricVersion,
      healthy: components.every((component) => component.healthy),
      components,
      chaincodes: spec.chaincodes.map(describeChaincode),
    };
  }

  /**
   * The last lines of one component's log.
   *
   * @param component - a component id from {@link FabricNetwork.status}, e.g. `peer0.org1`
   * @param lines - how many lines (default 100)
   * @returns the log text
   * @throws FabricNetworkError BAD_OPTION for an unknown component
   */
  async logs(component: string, lines = 100): Promise<string> {
    if (!this.components().includes(component)) {
      throw new FabricNetworkError(
        'BAD_OPTION',
        `no component '${component}'; choose one of ${this.components().join(', ')}`,
        { option: 'component', value: component },
      );
    }
    return logTail(networkPaths(this.#dir).log(component), lines);
  }

  /** Ids of every component (orderers, peers, chaincode servers). */
  components(): string[] {
    return [
      ...this.#spec.orderers.map((orderer) => orderer.id),
      ...this.#liveOrgs().flatMap((org) => org.peers.map((peer) => peer.id)),
      ...this.#spec.chaincodes.map((chaincode) => chaincodeComponent(chaincode.name)),
      ...this.#liveOrgs().flatMap((org) => (org.ca ? [org.ca.id] : [])),
    ];
  }

  /**
   * Stops every process of the network (chaincode servers, peers, orderers). The
   * ledgers stay on disk: `up` with the same directory resumes the network.
   *
   * @param options - `purge: true` also deletes the directory (crypto, ledgers, logs)
   * @returns the pids that were stopped
   */
  async down(options: { purge?: boolean } = {}): Promise<{ stopped: number[] }> {
    const paths = networkPaths(this.#dir);
    const stopped: number[] = [];
    const stopAll = async (ids: string[]) => {
      await Promise.all(
        ids.map(async (id) => {
          const pid = await readPid(paths.pid(id));
          if (pid !== undefined && (await this.#isOurs(pid))) {
            await stopProcess(pid);
            stopped.push(pid);
          }
          await forgetPid(paths.pid(id));
        }),
      );
    };
    await stopAll(this.#spec.chaincodes.map((chaincode) => chaincodeComponent(chaincode.name)));
    await stopAll(this.#spec.orgs.flatMap((org) => org.peers.map((peer) => peer.id)));
    await stopAll(this.#spec.orgs.flatMap((org) => (org.ca ? [org.ca.id] : [])));
    await stopAll(this.#spec.orderers.map((orderer) => orderer.id));
    if (options.purge) await rm(this.#dir, { recursive: true, force: true });
    return { stopped };
  }

  /**
   * Access files of one organization: gateway peer endpoint, TLS CA, admin and user identities.
   *
   * @param name - organization name (`Org1`) or MSP id (`Org1MSP`)
   * @returns paths and endpoint
   * @throws FabricNetworkError BAD_OPTION for an unknown organization
   */
  organization(name: string): OrganizationAccess {
    const org = this.#spec.orgs.find((candidate) => candidate.name === name || candidate.mspId === name);
    if (!org) {
      throw new FabricNetworkError('BAD_OPTION', `no organization '${name}' in this network`, {
        option: 'organization',
        organizations: this.#spec.orgs.map((candidate) => candidate.name),
      });
    }
    return organizationAccess(this.#dir, org);
  }

  /**
   * Issues a new identity of an organization, as its Fabric CA would: a fresh ECDSA P-256
   * key and an X.509 certificate signed by the organization's CA, with NodeOU `client` (or
   * `admin`), common name `name` and `attributes` in Fabric CA's attribute extension, so
   * chaincode can authorize with `ctx.clientIdentity.getAttributeValue()`. cryptogen alone
   * cannot put attributes in a certificate. The MSP folder is written under the network
   * directory (`organizations/<Org>/identities/<name>/msp`); use its files like
   * {@link OrganizationAccess.user}. Issuing the same name again replaces the identity.
   *
   * @param options - organization, name, attributes, role
   * @returns the MSP id and the certificate and key files
   * @throws FabricNetworkError BAD_OPTION for an unknown organization, a malformed name,
   *   role or attribute
   * @example
   * ```ts
   * const maker = await net.issueIdentity({ org: 'Org1', name: 'alice', attributes: { role: 'manufacturer' } });
   * // connect({ identity: { mspId: maker.mspId, credentials: await readFile(maker.certificatePath) }, ... })
   * ```
   */
  async issueIdentity(options: IssueIdentityOptions): Promise<IssuedIdentity> {
    checkIssueIdentityOptions(options);
    const org = this.#spec.orgs.find((candidate) => candidate.name === options.org || candidate.mspId === options.org);
    if (!org) {
      throw new FabricNetworkError('BAD_OPTION', `no organization '${String(options.org)}' in this network`, {
        option: 'org',
        value: options.org,
        organizations: this.#spec.orgs.map((candidate) => candidate.name),
      });
    }
    return issueIdentityFiles(this.#dir, org, options);
  }

  /**
   * The Fabric CA of an organization, started if it is not running. Organizations made by
   * {@link FabricNetwork.addOrganization} have one; for an organization `up` created, giving
   * `admin` creates it the first time: a fabric-ca-server that signs with the organization's
   * existing CA key, so what it issues is valid on the channel as it is. Giving `admin` for a
   * CA that exists checks the password by enrolling the admin again.
   *
   * @param org - organization name or MSP id
   * @param options - the CA's bootstrap admin (to create the CA, or to log in again)
   * @returns the CA: register, enroll, reenroll, revoke, generateCrl
   * @throws FabricNetworkError BAD_OPTION (unknown organization), CA_MISSING (no CA and no admin given),
   *   BAD_CREDENTIALS, CA_AUTHENTICATION_FAILED (wrong admin password), PROCESS_CRASHED, START_TIMEOUT
   * @example
   * ```ts
   * const ca = await net.certificateAuthority('Org1', { admin: { name: 'admin', password: 'Passw0rd1' } });
   * const { secret } = await ca.register({ name: 'alice', attributes: { role: 'auditor' } });
   * const alice = await ca.enroll({ name: 'alice', secret }); // alice.certificatePath, alice.notAfter
   * ```
   */
  async certificateAuthority(org: string, options: { admin?: CaAdminCredentials } = {}): Promise<CertificateAuthority> {
    return this.#mutate(() => this.#certificateAuthority(org, options));
  }

  async #certificateAuthority(org: string, options: { admin?: CaAdminCredentials }): Promise<CertificateAuthority> {
    const spec = this.#findOrg(org, 'org');
    if (options.admin) checkAdminCredentials(options.admin);
    if (!spec.ca) {
      if (!options.admin) {
        throw new FabricNetworkError(
          'CA_MISSING',
          `${spec.name} has no certificate authority yet; pass { admin: { name, password } } to create one`,
          { organization: spec.name },
        );
      }
      const [listen, operations] = (await freePorts(2, { exclude: this.#usedPorts() })) as [number, number];
      spec.ca = this.#caRecord(spec, { listen, operations }, options.admin.name, 'cryptogen');
      try {
        await this.#createCa(spec, options.admin);
      } catch (error) {
        await this.#removeCa(spec);
        throw error;
      }
      await this.#save();
      return this.#caOf(spec);
    }
    await this.#ensureCaRunning(spec, 30_000);
    const ca = await this.#caOf(spec);
    if (options.admin) await this.#enrollRegistrar(spec, ca, options.admin);
    return ca;
  }

  /**
   * Adds an organization to the running network, as a new member gets it: its own Fabric CA
   * (a fabric-ca-server process with its own root), an MSP with NodeOUs (`peer`, `admin`,
   * `client`), an admin and a user identity, and its peers with TLS certificates from that CA,
   * started but not joined: the channel accepts them once its configuration holds the
   * organization ({@link FabricNetwork.organizationDefinition} is what a config update adds;
   * then call {@link FabricNetwork.joinChannel}). On failure nothing of it stays.
   *
   * @param options - name, MSP id, number of peers, the CA's bootstrap admin
   * @returns access files of the organization (`mspDir` is its MSP for the channel config)
   * @throws FabricNetworkError BAD_OPTION, ALREADY_EXISTS (name, MSP id), BAD_CREDENTIALS,
   *   BINARY_MISSING / BUILD_FAILED (Fabric CA), PROCESS_CRASHED, START_TIMEOUT, CA_REQUEST_FAILED
   * @example
   * ```ts
   * const org3 = await net.addOrganization({ name: 'Org3', admin: { name: 'admin', password: 'Passw0rd1' } });
   * // … a channel config update adds org3.mspDir's MSP (see organizationDefinition) …
   * await net.joinChannel('Org3');
   * ```
   */
  async addOrganization(options: AddOrganizationOptions): Promise<OrganizationAccess> {
    return this.#mutate(() => this.#addOrganization(options));
  }

  async #addOrganization(options: AddOrganizationOptions): Promise<OrganizationAccess> {
    if (typeof options?.name !== 'string') {
      throw new FabricNetworkError('BAD_OPTION', 'addOrganization needs a name', { option: 'name' });
    }
    const [name] = orgNames([options.name]);
    const mspId = options.mspId ?? `${name}MSP`;
    if (!/^[A-Za-z][A-Za-z0-9.-]{0,63}$/.test(mspId)) {
      throw new FabricNetworkError('BAD_OPTION', `invalid MSP id '${mspId}'`, { option: 'mspId', value: mspId });
    }
    const peerCount = options.peers ?? 1;
    if (!Number.isInteger(peerCount) || peerCount < 1 || peerCount > 4) {
      throw new FabricNetworkError('BAD_OPTION', `peers must be an integer from 1 to 4, got ${peerCount}`, {
        option: 'peers',
      });
    }
    checkAdminCredentials(options.admin);
    const domain = `${(name as string).toLowerCase()}.example.com`;
    const clash = this.#spec.orgs.find(
      (org) => org.name.toLowerCase() === name?.toLowerCase() || org.mspId === mspId || org.domain === domain,
    );
    if (clash || mspId === this.#spec.ordererOrg.mspId) {
      throw new FabricNetworkError(
        'ALREADY_EXISTS',
        `the network already has an organization '${name}' or MSP id '${mspId}'`,
        {
          organization: name,
          mspId,
        },
      );
    }
    const ports = await freePorts(2 + peerCount * 3, { exclude: this.#usedPorts() });
    const next = () => ports.shift() as number;
    const org: OrgSpec = {
      name: name as string,
      mspId,
      domain,
      peers: [],
      inChannel: false,
      added: true,
    };
    org.ca = this.#caRecord(org, { listen: next(), operations: next() }, options.admin.name, 'generated');
    for (let index = 0; index < peerCount; index++) {
      org.peers.push({
        id: `peer${index}.${org.name.toLowerCase()}`,
        host: `peer${index}.${domain}`,
        ports: { listen: next(), chaincode: next(), operations: next() },
      });
    }
    // Recorded first, so that down() and the leftover cleanup find its processes whatever happens next.
    this.#spec.orgs.push(org);
    await this.#save();
    try {
      const ca = await this.#createCa(org, options.admin);
      const orgMsp = join(networkPaths(this.#dir).orgDir(org), 'msp');
      await writeMspFolder(orgMsp, await readFile(ca.rootCertificatePath, 'utf8'));
      for (const [user, type] of [
        ['Admin', 'admin'],
        ['User1', 'client'],
      ] as const) {
        const enrollmentId = `${user.toLowerCase()}-${org.name.toLowerCase()}`;
        const { secret } = await ca.register({ name: enrollmentId, type });
        await ca.enrollInto({ name: enrollmentId, secret, mspDir: networkPaths(this.#dir).userMsp(org, user) });
      }
      for (const peer of org.peers) await this.#enrollPeer(org, peer, ca);
      await this.#writeAccessFiles(org);
      await Promise.all(org.peers.map((peer) => this.#ensureRunning(peer.id, 30_000)));
    } catch (error) {
      await this.#dropOrganization(org);
      throw error;
    }
    return organizationAccess(this.#dir, org);
  }

  /**
   * The organization's definition for the channel configuration, as `configtxgen -printOrg`
   * prints it (the JSON a config update puts under `channel_group.groups.Application.groups`):
   * its MSP (root and TLS root certificates, NodeOUs), the Readers/Writers/Admins/Endorsement
   * policies the network's organizations have, and its anchor peer.
   *
   * @param org - organization name or MSP id
   * @returns the parsed JSON
   * @throws FabricNetworkError BAD_OPTION for an unknown organization, COMMAND_FAILED
   */
  async organizationDefinition(org: string): Promise<Record<string, unknown>> {
    const spec = this.#findOrg(org, 'org');
    const configDir = join(this.#dir, 'config', 'organizations', spec.name.toLowerCase());
    await mkdir(configDir, { recursive: true });
    await writeFile(
      join(configDir, 'configtx.yaml'),
      `${JSON.stringify({ Organizations: [organizationEntry(spec, this.#dir)] }, null, 2)}\n`,
    );
    const { stdout } = await runCommand(
      this.#binaries.paths.configtxgen,
      ['-configPath', configDir, '-printOrg', spec.mspId],
      {
        purpose: `configtxgen -printOrg ${spec.mspId}`,
        env: { ...process.env, FABRIC_CFG_PATH: configDir },
      },
    );
    return JSON.parse(stdout) as Record<string, unknown>;
  }

  /**
   * Joins an organization's peers to the channel once the channel configuration holds the
   * organization: each peer joins from the genesis block and pulls every block from the
   * orderers (it waits until they caught up), gets the deployed chaincode packages
   * installed, and the organization approves the committed chaincode definitions, so its
   * peers run the chaincode. Joining again is a no-op.
   *
   * @param org - organization name or MSP id
   * @returns the organization's access files, now `inChannel`
   * @throws FabricNetworkError BAD_OPTION, COMMAND_FAILED (e.g. the channel configuration does not
   *   hold the organization yet: the orderer refuses its peers), START_TIMEOUT
   */
  async joinChannel(org: string): Promise<OrganizationAccess> {
    return this.#mutate(() => this.#joinChannel(org));
  }

  async #joinChannel(org: string): Promise<OrganizationAccess> {
    const spec = this.#findOrg(org, 'org');
    if (spec.removed) {
      throw new FabricNetworkError('BAD_OPTION', `${spec.name} was removed from the network`, {
        option: 'org',
        value: org,
      });
    }
    if (spec.ca) await this.#ensureCaRunning(spec, 30_000);
    await Promise.all(spec.peers.map((peer) => this.#ensureRunning(peer.id, 30_000)));
    for (const peer of spec.peers.filter((candidate) => !this.#spec.joined.includes(candidate.id))) {
      await this.#joinPeer(spec, peer);
      await this.#installChaincodes(spec, peer);
    }
    if (spec.inChannel === false) {
      for (const chaincode of this.#spec.chaincodes) await this.#approveForOrg(spec, chaincode);
      spec.inChannel = true;
      await this.#save();
    }
    await Promise.all(spec.peers.map((peer) => this.#waitForCatchUp(spec, peer, 60_000)));
    return organizationAccess(this.#dir, spec);
  }

  /**
   * Adds a peer to an organization (Amazon Managed Blockchain's CreateNode): its identity and
   * TLS certificate come from the organization's Fabric CA (for an organization `up` created,
   * from its cryptogen CA and TLS CA through `cryptogen extend`), it starts, and when the organization is in the
   * channel it joins, pulls the chain up to the orderer's height, gets the deployed chaincode
   * packages and gossips with the other peers, so gateways can use it as an endorser.
   *
   * @param org - organization name or MSP id
   * @returns the peer's id, endpoint and reached height
   * @throws FabricNetworkError BAD_OPTION (unknown organization, already 8 peers), PROCESS_CRASHED,
   *   START_TIMEOUT, COMMAND_FAILED, CA_REQUEST_FAILED
   */
  async addPeer(org: string): Promise<AddedPeer> {
    return this.#mutate(() => this.#addPeer(org));
  }

  async #addPeer(org: string): Promise<AddedPeer> {
    const spec = this.#findOrg(org, 'org');
    if (spec.removed) {
      throw new FabricNetworkError('BAD_OPTION', `${spec.name} was removed from the network`, {
        option: 'org',
        value: org,
      });
    }
    const indexes = spec.peers.map((peer) => Number(/^peer(\d+)\./.exec(peer.host)?.[1] ?? 0));
    if (spec.peers.length >= 8) {
      throw new FabricNetworkError('BAD_OPTION', `${spec.name} already has ${spec.peers.length} peers (at most 8)`, {
        option: 'org',
        value: org,
      });
    }
    const index = Math.max(-1, ...indexes) + 1;
    const [listen, chaincode, operations] = (await freePorts(3, { exclude: this.#usedPorts() })) as [
      number,
      number,
      number,
    ];
    const peer: PeerSpec = {
      id: `peer${index}.${spec.name.toLowerCase()}`,
      host: `peer${index}.${spec.domain}`,
      ports: { listen, chaincode, operations },
    };
    spec.peers.push(peer);
    await this.#save();
    try {
      if (spec.ca?.root === 'generated') {
        await this.#ensureCaRunning(spec, 30_000);
        await this.#enrollPeer(spec, peer, await this.#caOf(spec));
      } else {
        // cryptogen extend adds the missing peer's material with the organization's existing CA
        // and TLS CA keys (a Fabric CA made for such an organization holds only the former).
        const paths = networkPaths(this.#dir);
        const extendConfig = join(paths.configtxDir, `crypto-extend-${spec.name.toLowerCase()}.yaml`);
        await writeFile(extendConfig, cryptoConfig({ ...this.#spec, orgs: [spec] }));
        await runCommand(
          this.#binaries.paths.cryptogen,
          ['extend', `--input=${paths.crypto}`, `--config=${extendConfig}`],
          {
            purpose: `cryptogen extend (${peer.id})`,
          },
        );
      }
      await this.#ensureRunning(peer.id, 30_000);
      const joined = spec.inChannel !== false;
      if (joined) {
        await this.#joinPeer(spec, peer);
        await this.#installChaincodes(spec, peer);
      }
      await this.#writeAccessFiles(spec);
      if (!joined) return { id: peer.id, host: peer.host, endpoint: `127.0.0.1:${listen}`, joined };
      const height = await this.#waitForCatchUp(spec, peer, 60_000);
      await this.#waitForGossip(60_000);
      return { id: peer.id, host: peer.host, endpoint: `127.0.0.1:${listen}`, joined, height };
    } catch (error) {
      await this.#dropPeer(spec, peer);
      await this.#save();
      throw error;
    }
  }

  /**
   * Stops a peer and deletes it: process, ledger, crypto material; with a Fabric CA its
   * enrollment is revoked. The organization's first peer (its anchor and gossip bootstrap)
   * stays.
   *
   * @param org - organization name or MSP id
   * @param peerId - the peer's component id, e.g. `peer1.org1`
   * @returns the pids stopped
   * @throws FabricNetworkError BAD_OPTION (unknown organization or peer, or the first peer)
   */
  async removePeer(org: string, peerId: string): Promise<{ stopped: number[] }> {
    return this.#mutate(() => this.#removePeer(org, peerId));
  }

  async #removePeer(org: string, peerId: string): Promise<{ stopped: number[] }> {
    const spec = this.#findOrg(org, 'org');
    const peer = spec.peers.find((candidate) => candidate.id === peerId || candidate.host === peerId);
    if (!peer) {
      throw new FabricNetworkError('BAD_OPTION', `${spec.name} has no peer '${peerId}'`, {
        option: 'peer',
        value: peerId,
        peers: spec.peers.map((candidate) => candidate.id),
      });
    }
    if (peer === spec.peers[0]) {
      throw new FabricNetworkError(
        'BAD_OPTION',
        `${peer.id} is ${spec.name}'s anchor peer and its other peers' gossip bootstrap; remove another peer`,
        { option: 'peer', value: peerId },
      );
    }
    const pid = await readPid(networkPaths(this.#dir).pid(peer.id));
    const stopped = pid !== undefined && (await this.#isOurs(pid)) ? [pid] : [];
    if (spec.ca?.root === 'generated') {
      await this.#ensureCaRunning(spec, 30_000);
      await (await this.#caOf(spec)).revoke(peer.enrollmentId ?? peerEnrollmentId(peer), 'cessationofoperation');
    }
    await this.#dropPeer(spec, peer);
    await this.#writeAccessFiles(spec);
    await this.#save();
    return { stopped };
  }

  /**
   * Health and key metrics of every orderer, peer and CA server, from Fabric's operations
   * endpoints: `/healthz` (with the failing checks) and Prometheus `/metrics` (channel
   * height, endorsements, gossip membership, Raft leadership, goroutines, memory).
   *
   * @returns one entry per process
   */
  async nodeHealth(): Promise<NodeHealth[]> {
    const paths = networkPaths(this.#dir);
    const running = async (id: string) => {
      const pid = await readPid(paths.pid(id));
      return pid !== undefined && (await this.#isOurs(pid));
    };
    const nodes: Parameters<typeof readNodeHealth>[0][] = [];
    for (const orderer of this.#spec.orderers) {
      nodes.push({
        id: orderer.id,
        kind: 'orderer',
        mspId: this.#spec.ordererOrg.mspId,
        running: await running(orderer.id),
        operationsPort: orderer.ports.operations,
      });
    }
    for (const org of this.#liveOrgs()) {
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
    return Promise.all(nodes.map((node) => readNodeHealth(node, this.#spec.channel)));
  }

  #findOrg(name: string, option: string): OrgSpec {
    const org = this.#spec.orgs.find((candidate) => candidate.name === name || candidate.mspId === name);
    if (!org) {
      throw new FabricNetworkError('BAD_OPTION', `no organization '${String(name)}' in this network`, {
        option,
        value: name,
        organizations: this.#spec.orgs.map((candidate) => candidate.name),
      });
    }
    return org;
  }

  #caRecord(org: OrgSpec, ports: CaRecord['ports'], adminName: string, root: CaRecord['root']): CaRecord {
    return { id: `ca.${org.name.toLowerCase()}`, caName: `ca-${org.name.toLowerCase()}`, ports, adminName, root };
  }

  async #caOf(org: OrgSpec): Promise<CertificateAuthority> {
    const binaries = await ensureFabricCaBinaries({ home: this.#home(), build: false });
    return new CertificateAuthority({
      dir: this.#dir,
      orgName: org.name,
      mspId: org.mspId,
      client: binaries.paths['fabric-ca-client'],
      record: org.ca as CaRecord,
    });
  }

  /** The cache root the Fabric binaries came from: `<home>/fabric/<version>`. */
  #home(): string {
    return resolve(this.#binaries.root, '..', '..');
  }

  #caServerArgs(org: OrgSpec): string[] {
    const ca = org.ca as CaRecord;
    const server = caPaths(this.#dir, org.name).server;
    const args = [
      '--home',
      server,
      '--address',
      '127.0.0.1',
      '--port',
      String(ca.ports.listen),
      '--tls.enabled',
      '--ca.name',
      ca.caName,
      '--csr.cn',
      `ca.${org.domain}`,
      '--csr.hosts',
      '127.0.0.1,localhost',
      '--operations.listenaddress',
      `127.0.0.1:${ca.ports.operations}`,
      '--metrics.provider',
      'prometheus',
    ];
    if (ca.root === 'cryptogen') {
      args.push('--ca.certfile', join(server, 'ca-cert.pem'), '--ca.keyfile', join(server, 'ca-key.pem'));
    }
    return args;
  }

  /** Initializes the CA server's home (bootstrap admin, root), starts it and enrolls its admin as registrar. */
  async #createCa(org: OrgSpec, admin: CaAdminCredentials): Promise<CertificateAuthority> {
    const binaries = await ensureFabricCaBinaries({ home: this.#home() });
    const paths = caPaths(this.#dir, org.name);
    await rm(paths.base, { recursive: true, force: true });
    await mkdir(paths.server, { recursive: true, mode: 0o700 });
    if (org.ca?.root === 'cryptogen') {
      const caDir = join(networkPaths(this.#dir).orgDir(org), 'ca');
      await cp(join(caDir, `ca.${org.domain}-cert.pem`), join(paths.server, 'ca-cert.pem'));
      await cp(join(caDir, 'priv_sk'), join(paths.server, 'ca-key.pem'));
    }
    // init writes the bootstrap admin into the server's config and database, so `start` needs
    // no password; init takes it by environment, not on its command line (visible in /proc).
    await runCommand(binaries.paths['fabric-ca-server'], ['init', ...this.#caServerArgs(org)], {
      purpose: `initializing ${org.name}'s CA`,
      env: this.#processEnv({ FABRIC_CA_SERVER_BOOT: `${admin.name}:${admin.password}` }),
    }).catch((error: unknown) => {
      throw new FabricNetworkError('COMMAND_FAILED', `initializing ${org.name}'s CA failed`, {
        output: String((error as FabricNetworkError).details?.output ?? '').replaceAll(admin.password, '***'),
      });
    });
    await chmod(join(paths.server, 'fabric-ca-server-config.yaml'), 0o600);
    await this.#ensureCaRunning(org, 30_000);
    const ca = await this.#caOf(org);
    await this.#enrollRegistrar(org, ca, admin);
    return ca;
  }

  async #enrollRegistrar(org: OrgSpec, ca: CertificateAuthority, admin: CaAdminCredentials): Promise<void> {
    await ca
      .enrollInto({
        name: admin.name,
        secret: admin.password,
        mspDir: caPaths(this.#dir, org.name).registrar,
        registrar: true,
      })
      .catch((error: unknown) => {
        if (error instanceof FabricNetworkError && error.reason === 'CA_AUTHENTICATION_FAILED') {
          throw new FabricNetworkError(
            'CA_AUTHENTICATION_FAILED',
            `${org.name}'s CA refused admin '${admin.name}': wrong name or password`,
            { organization: org.name, admin: admin.name },
          );
        }
        throw error;
      });
  }

  async #ensureCaRunning(org: OrgSpec, timeoutMs: number): Promise<void> {
    const ca = org.ca as CaRecord;
    const paths = networkPaths(this.#dir);
    const ready = async () => (await healthy(ca.ports.operations)) && (await accepts(ca.ports.listen));
    const existing = await readPid(paths.pid(ca.id));
    if (existing !== undefined && (await this.#isOurs(existing))) {
      if (await ready()) return;
    } else {
      await renewReservations(Object.values(ca.ports));
      await checkPortsFree(ca.id, ca.ports);
      const binaries = await ensureFabricCaBinaries({ home: this.#home() });
      await mkdir(paths.logs, { recursive: true });
      await mkdir(paths.run, { recursive: true });
      await startProcess({
        command: binaries.paths['fabric-ca-server'],
        args: ['start', ...this.#caServerArgs(org)],
        env: this.#processEnv({}),
        cwd: this.#dir,
        logFile: paths.log(ca.id),
        pidFile: paths.pid(ca.id),
      });
    }
    await this.#waitHealthy(ca.id, ready, timeoutMs);
  }

  async #removeCa(org: OrgSpec): Promise<void> {
    if (!org.ca) return;
    const paths = networkPaths(this.#dir);
    const pid = await readPid(paths.pid(org.ca.id));
    if (pid !== undefined && (await this.#isOurs(pid))) await stopProcess(pid);
    await forgetPid(paths.pid(org.ca.id));
    await removePath(caPaths(this.#dir, org.name).base);
    delete org.ca;
  }

  /**
   * Undoes a failed addOrganization: processes stopped, files deleted, the record gone. Every
   * step runs even when one fails (the failure that made the rollback is the one to report),
   * and the record goes last, so nothing of the organization stays to block a retry.
   */
  async #dropOrganization(org: OrgSpec): Promise<void> {
    const paths = networkPaths(this.#dir);
    const steps: (() => Promise<unknown>)[] = [
      ...[...org.peers].map((peer) => () => this.#dropPeer(org, peer)),
      () => this.#removeCa(org),
      () => removePath(paths.orgDir(org)),
      () => removePath(join(paths.organizations, org.name)),
    ];
    for (const step of steps) await step().catch(() => {});
    this.#spec.orgs = this.#spec.orgs.filter((candidate) => candidate !== org);
    this.#spec.joined = this.#spec.joined.filter((id) => !org.peers.some((peer) => peer.id === id));
    await this.#save();
  }

  async #dropPeer(org: OrgSpec, peer: PeerSpec): Promise<void> {
    const paths = networkPaths(this.#dir);
    const pid = await readPid(paths.pid(peer.id));
    if (pid !== undefined && (await this.#isOurs(pid))) await stopProcess(pid);
    await forgetPid(paths.pid(peer.id));
    await removePath(join(paths.data, peer.id));
    await removePath(paths.peerDir(org, peer));
    org.peers = org.peers.filter((candidate) => candidate !== peer);
    this.#spec.joined = this.#spec.joined.filter((id) => id !== peer.id);
  }

  /** A peer's MSP (NodeOU `peer`) and TLS server certificate, enrolled from the organization's CA. */
  async #enrollPeer(org: OrgSpec, peer: PeerSpec, ca: CertificateAuthority): Promise<void> {
    const node = networkPaths(this.#dir).peerDir(org, peer);
    // A removed peer's identity stays registered (revoked): a successor with the same host
    // name registers under a fresh enrollment id.
    let enrollmentId = peerEnrollmentId(peer);
    let registered: { secret: string } | undefined;
    for (let attempt = 0; registered === undefined; attempt++) {
      registered = await ca.register({ name: enrollmentId, type: 'peer' }).catch((error: unknown) => {
        if (attempt < 3 && error instanceof FabricNetworkError && error.reason === 'IDENTITY_EXISTS') return undefined;
        throw error;
      });
      if (registered === undefined) enrollmentId = `${peerEnrollmentId(peer)}-${randomBytes(3).toString('hex')}`;
    }
    const { secret } = registered;
    peer.enrollmentId = enrollmentId;
    await ca.enrollInto({ name: enrollmentId, secret, mspDir: join(node, 'msp') });
    const tlsEnrollment = join(node, 'tls-enrollment');
    await ca.enrollInto({
      name: enrollmentId,
      secret,
      mspDir: tlsEnrollment,
      tls: { hosts: [peer.host, 'localhost', '127.0.0.1'] },
    });
    const tls = join(node, 'tls');
    await mkdir(tls, { recursive: true });
    await cp(join(tlsEnrollment, 'signcerts', 'cert.pem'), join(tls, 'server.crt'));
    await cp(join(tlsEnrollment, 'keystore', 'priv_sk'), join(tls, 'server.key'));
    await cp(ca.rootCertificatePath, join(tls, 'ca.crt'));
    await rm(tlsEnrollment, { recursive: true, force: true });
  }

  async #writeAccessFiles(org: OrgSpec): Promise<void> {
    await writeAccessFiles(this.#dir, this.#spec, org);
  }

  /** The organization approves a committed chaincode definition, so its peers run the chaincode. */
  async #approveForOrg(org: OrgSpec, chaincode: ChaincodeRecord): Promise<void> {
    const collections = join(
      networkPaths(this.#dir).chaincodes,
      chaincode.name,
      `${chaincode.label}-${chaincode.sequence}`,
      'collections.json',
    );
    const hasCollections = (await stat(collections).catch(() => undefined)) !== undefined;
    await this.#peerCommand(
      org,
      org.peers[0] as PeerSpec,
      [
        'lifecycle',
        'chaincode',
        'approveformyorg',
        '--package-id',
        chaincode.packageId,
        '--channelID',
        this.#spec.channel,
        '--name',
        chaincode.name,
        '--version',
        chaincode.version,
        '--sequence',
        String(chaincode.sequence),
        '--signature-policy',
        chaincode.policy,
        ...(hasCollections ? ['--collections-config', collections] : []),
        ...this.#ordererArgs(),
      ],
      `approving chaincode '${chaincode.name}' for ${org.mspId}`,
    );
  }

  /** Waits until a joined peer's height reaches the orderer's; returns the height. */
  async #waitForCatchUp(org: OrgSpec, peer: PeerSpec, timeoutMs: number): Promise<number> {
    const target = (await this.#ordererHeight(this.#spec.orderers[0] as OrdererSpec)) ?? 1;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const height = await this.#peerHeight(org, peer).catch(() => undefined);
      if (height !== undefined && height >= target) return height;
      if (Date.now() > deadline) {
        throw new FabricNetworkError(
          'START_TIMEOUT',
          `${peer.id} reached height ${height ?? 0} of ${target} within ${timeoutMs} ms; see its log`,
          { component: peer.id, height, target, logFile: networkPaths(this.#dir).log(peer.id) },
        );
      }
      await sleep(300);
    }
  }

  /**
   * Deploys a Node.js (TypeScript or JavaScript) chaincode as a service: packages it
   * (connection.json + metadata.json), installs it on every peer, approves it for every
   * organization, commits it with the endorsement policy and starts its server, which
   * `up` restarts from then on. Deploying the same name again upgrades it (next sequence).
   *
   * @param options - name, version, project path, endorsement policy, private data collections
   * @returns what was committed
   * @throws FabricNetworkError BAD_OPTION (name, path, policy, collections), CHAINCODE_NOT_BUILT (the
   *   package.json `main` file is missing, checked before anything is installed), COMMAND_FAILED, PROCESS_CRASHED
   * @example
   * ```ts
   * await net.deployChaincode({ name: 'basic', path: './contracts/basic', policy: 'any' });
   * await net.deployChaincode({
   *   name: 'secrets',
   *   path: './contracts/secrets',
   *   collections: [{ name: 'pricing', policy: "OR('Org1MSP.member')", memberOnlyRead: true }],
   * });
   * ```
   */
  async deployChaincode(options: DeployChaincodeOptions): Promise<DeployedChaincode> {
    return this.#mutate(() => this.#deployChaincode(options));
  }

  async #deployChaincode(options: DeployChaincodeOptions): Promise<DeployedChaincode> {
    const spec = this.#spec;
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
    const policy = endorsementPolicy(options.policy, this.mspIds);
    const collections = collectionsConfig(options.collections, this.mspIds);
    const path = resolve(options.path);
    const _shimCli = resolveShimCli(path);
    // Before anything is packaged or installed: an unbuilt project would only fail once its server starts.
    await checkChaincodeProject(path);
    const previous = spec.chaincodes.find((chaincode) => chaincode.name === name);
    const sequence = (previous?.sequence ?? 0) + 1;
    const port = previous?.port ?? ((await freePorts(1, { exclude: this.#usedPorts() }))[0] as number);
    const label = `${name}_${version}`;
    const packageDir = join(networkPaths(this.#dir).chaincodes, name, `${label}-${sequence}`);
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
      this.#channelOrgs().flatMap((org) =>
        org.peers.map(async (peer) => {
          try {
            await this.#peerCommand(org, peer, ['lifecycle', 'chaincode', 'install', packageFile], 'chaincode install');
          } catch (error) {
            if (!commandOutput(error).includes('already successfully installed')) throw error;
          }
        }),
      ),
    );
    const record: ChaincodeRecord = { name, version, sequence, label, packageId, path, policy, port };
    if (previous) await this.#stopChaincodeServer(previous);
    await this.#ensureChaincodeServer(record, 30_000);
    try {
      await this.#approveAndCommit(record, collectionsFile);
    } catch (error) {
      // Not recorded in network.json, so nothing else would ever stop this server.
      await this.#stopChaincodeServer(record);
      throw error;
    }
    spec.chaincodes = [...spec.chaincodes.filter((chaincode) => chaincode.name !== name), record];
    await this.#save();
    return describeChaincode(record);
  }

  /**
   * The chaincodes committed on the channel, as {@link FabricNetwork.deployChaincode} or
   * {@link FabricNetwork.updateEndorsementPolicy} last committed them.
   *
   * @returns name, version, sequence, package id, endorsement policy and server address of each
   */
  chaincodes(): DeployedChaincode[] {
    return this.#spec.chaincodes.map(describeChaincode);
  }

  /**
   * Changes a deployed chaincode's endorsement policy: a new definition (next sequence, the
   * same package and collections) approved by each of `approvers`' admins and committed by
   * them; the channel's LifecycleEndorsement policy (Fabric's default: a majority of the
   * organizations) decides whether their approvals are enough. The other organizations of the
   * channel approve the committed definition afterwards, so their peers keep running the
   * chaincode. The chaincode server keeps running.
   *
   * @param name - the chaincode
   * @param policy - `'majority'`, `'any'`, `'all'` or a signature policy expression
   * @param options - `approvers`: organizations (names or MSP ids) whose admins approve and commit
   *   the new definition (default every organization of the channel)
   * @returns the committed definition
   * @throws FabricNetworkError BAD_OPTION (unknown chaincode or organization, malformed policy), COMMAND_FAILED
   *   (the lifecycle refused it, e.g. too few approvals)
   * @example
   * ```ts
   * await net.updateEndorsementPolicy('basic', "AND('Org1MSP.peer','Org2MSP.peer')");
   * ```
   */
  async updateEndorsementPolicy(
    name: string,
    policy: string,
    options: { approvers?: readonly string[] } = {},
  ): Promise<DeployedChaincode> {
    return this.#mutate(async () => {
      const previous = this.#spec.chaincodes.find((chaincode) => chaincode.name === name);
      if (!previous) {
        throw new FabricNetworkError('BAD_OPTION', `no chaincode '${name}' is deployed on this network`, {
          option: 'name',
          value: name,
          chaincodes: this.#spec.chaincodes.map((chaincode) => chaincode.name),
        });
      }
      const resolved = endorsementPolicy(policy, this.mspIds);
      const channelOrgs = this.#channelOrgs();
      const approvers = (options.approvers ?? channelOrgs.map((org) => org.mspId)).map((approver) => {
        const org = this.#findOrg(approver, 'approvers');
        if (!channelOrgs.includes(org)) {
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
      const from = this.#packageDir(previous);
      const to = this.#packageDir(record);
      await rm(to, { recursive: true, force: true });
      await cp(from, to, { recursive: true });
      const collections = join(to, 'collections.json');
      const hasCollections = (await stat(collections).catch(() => undefined)) !== undefined;
      await this.#approveAndCommit(record, hasCollections ? collections : undefined, approvers);
      this.#spec.chaincodes = this.#spec.chaincodes.map((chaincode) => (chaincode.name === name ? record : chaincode));
      await this.#save();
      for (const org of channelOrgs.filter((candidate) => !approvers.includes(candidate))) {
        await this.#approveForOrg(org, record);
      }
      return describeChaincode(record);
    });
  }

  /**
   * Takes an organization out of the network once the channel configuration no longer holds
   * its MSP (Amazon Managed Blockchain's DeleteMember): its peers and CA are stopped and not
   * started again, it leaves {@link FabricNetwork.mspIds} (so chaincode policies and approvals
   * no longer name it) and its access files show `inChannel: false`. Its files (crypto
   * material, its peers' ledgers) stay until `down({ purge: true })`.
   *
   * @param org - organization name or MSP id
   * @returns the pids stopped
   * @throws FabricNetworkError BAD_OPTION (unknown organization, or the last one of the channel)
   */
  async removeOrganization(org: string): Promise<{ stopped: number[] }> {
    return this.#mutate(async () => {
      const spec = this.#findOrg(org, 'org');
      if (!spec.removed && this.#channelOrgs().every((candidate) => candidate === spec)) {
        throw new FabricNetworkError('BAD_OPTION', `${spec.name} is the last organization of the channel`, {
          option: 'org',
          value: org,
        });
      }
      const paths = networkPaths(this.#dir);
      const stopped: number[] = [];
      for (const id of [...spec.peers.map((peer) => peer.id), ...(spec.ca ? [spec.ca.id] : [])]) {
        const pid = await readPid(paths.pid(id));
        if (pid !== undefined && (await this.#isOurs(pid))) {
          await stopProcess(pid);
          stopped.push(pid);
        }
        await forgetPid(paths.pid(id));
      }
      spec.inChannel = false;
      spec.removed = true;
      this.#spec.joined = this.#spec.joined.filter((id) => !spec.peers.some((peer) => peer.id === id));
      await this.#save();
      return { stopped };
    });
  }

  #packageDir(chaincode: ChaincodeRecord): string {
    return join(networkPaths(this.#dir).chaincodes, chaincode.name, `${chaincode.label}-${chaincode.sequence}`);
  }

  /**
   * Approves a chaincode definition as each of `orgs`' admins, then the last of them commits it
   * with their peers' endorsements (the channel's LifecycleEndorsement policy decides whether
   * they are enough).
   */
  async #approveAndCommit(
    record: ChaincodeRecord,
    collectionsFile: string | undefined,
    orgs: readonly OrgSpec[] = this.#channelOrgs(),
  ): Promise<void> {
    const spec = this.#spec;
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
      ...this.#ordererArgs(),
    ];
    await Promise.all(
      orgs.map((org) =>
        this.#peerCommand(
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
        join(networkPaths(this.#dir).peerDir(org, peer), 'tls', 'ca.crt'),
      ];
    });
    const committer = orgs[orgs.length - 1] as OrgSpec;
    await this.#peerCommand(
      committer,
      committer.peers[0] as PeerSpec,
      ['lifecycle', 'chaincode', 'commit', ...common, ...endorsers],
      `committing chaincode '${name}'`,
    );
  }

  async #save(): Promise<void> {
    await writeFileAtomic(networkPaths(this.#dir).spec, `${JSON.stringify(this.#spec, null, 2)}\n`);
  }

  async #writeBuilder(): Promise<void> {
    // Our chaincode-as-a-service external builder: the peer runs detect/build/release
    // with the package's metadata and code directories; release hands the peer
    // connection.json, so it dials the chaincode server instead of launching anything.
    const bin = join(networkPaths(this.#dir).builder, 'bin');
    await mkdir(bin, { recursive: true });
    const scripts: Record<string, string> = {
      detect: `#!/bin/sh\n# detect CHAINCODE_SOURCE_DIR CHAINCODE_METADATA_DIR\ngrep -Eq '"type"[[:space:]]*:[[:space:]]*"ccaas"' "$2/metadata.json"\n`,
      build: `#!/bin/sh\n# build CHAINCODE_SOURCE_DIR CHAINCODE_METADATA_DIR BUILD_OUTPUT_DIR\nset -e\n[ -f "$1/connection.json" ] || { echo "connection.json missing from the chaincode package" >&2; exit 1; }\ncp "$1/connection.json" "$3/connection.json"\nif [ -d "$1/META-INF" ]; then cp -R "$1/META-INF" "$3/META-INF"; fi\n`,
      release: `#!/bin/sh\n# release BUILD_OUTPUT_DIR RELEASE_OUTPUT_DIR\nset -e\nmkdir -p "$2/chaincode/server"\ncp "$1/connection.json" "$2/chaincode/server/connection.json"\nif [ -d "$1/META-INF/statedb" ]; then cp -R "$1/META-INF/statedb" "$2/statedb"; fi\n`,
    };
    for (const [name, text] of Object.entries(scripts)) {
      await writeFile(join(bin, name), text);
      await chmod(join(bin, name), 0o755);
    }
  }

  /**
   * The peer's core.yaml: Fabric's sampleconfig with the Docker endpoint removed. An
   * empty CORE_VM_ENDPOINT does not override it (viper ignores empty variables), and a
   * configured endpoint makes the peer's /healthz fail on a machine without Docker.
   */
  async #writePeerConfig(): Promise<void> {
    const sample = await readFile(join(this.#binaries.configDir, 'core.yaml'), 'utf8');
    const patched = sample.replace(/^(\s*endpoint:)\s*unix:\/\/\/var\/run\/docker\.sock\s*$/m, '$1 ""');
    if (patched === sample) {
      throw new FabricNetworkError('COMMAND_FAILED', 'the Docker endpoint was not found in core.yaml to turn off', {
        file: join(this.#binaries.configDir, 'core.yaml'),
      });
    }
    const target = networkPaths(this.#dir).peerConfigDir;
    await mkdir(target, { recursive: true });
    await writeFile(join(target, 'core.yaml'), patched);
  }

  async #isOurs(pid: number): Promise<boolean> {
    if (!pidAlive(pid)) return false;
    const environ = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => undefined);
    // Without /proc (not Linux) trust the pid file.
    return environ === undefined || environ.split('\0').includes(`${networkMarker}=${this.#dir}`);
  }

  #processEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? this.#dir,
      FABRIC_CFG_PATH: this.#binaries.configDir,
      FABRIC_LOGGING_FORMAT: logFormat,
      [networkMarker]: this.#dir,
      ...extra,
    };
  }

  #ordererEnv(orderer: OrdererSpec): NodeJS.ProcessEnv {
    const spec = this.#spec;
    const paths = networkPaths(this.#dir);
    const node = paths.ordererDir(spec, orderer);
    const tls = (file: string) => join(node, 'tls', file);
    const data = join(paths.data, orderer.id);
    return this.#processEnv({
      FABRIC_LOGGING_SPEC: 'INFO',
      ORDERER_GENERAL_LISTENADDRESS: '127.0.0.1',
      ORDERER_GENERAL_LISTENPORT: String(orderer.ports.listen),
      ORDERER_GENERAL_LOCALMSPID: spec.ordererOrg.mspId,
      ORDERER_GENERAL_LOCALMSPDIR: join(node, 'msp'),
      ORDERER_GENERAL_TLS_ENABLED: 'true',
      ORDERER_GENERAL_TLS_PRIVATEKEY: tls('server.key'),
      ORDERER_GENERAL_TLS_CERTIFICATE: tls('server.crt'),
      ORDERER_GENERAL_TLS_ROOTCAS: `[${tls('ca.crt')}]`,
      ORDERER_GENERAL_CLUSTER_CLIENTCERTIFICATE: tls('server.crt'),
      ORDERER_GENERAL_CLUSTER_CLIENTPRIVATEKEY: tls('server.key'),
      ORDERER_GENERAL_CLUSTER_ROOTCAS: `[${tls('ca.crt')}]`,
      ORDERER_GENERAL_BOOTSTRAPMETHOD: 'none',
      ORDERER_CHANNELPARTICIPATION_ENABLED: 'true',
      ORDERER_ADMIN_LISTENADDRESS: `127.0.0.1:${orderer.ports.admin}`,
      ORDERER_ADMIN_TLS_ENABLED: 'true',
      ORDERER_ADMIN_TLS_PRIVATEKEY: tls('server.key'),
      ORDERER_ADMIN_TLS_CERTIFICATE: tls('server.crt'),
      ORDERER_ADMIN_TLS_ROOTCAS: `[${tls('ca.crt')}]`,
      ORDERER_ADMIN_TLS_CLIENTAUTHREQUIRED: 'true',
      ORDERER_ADMIN_TLS_CLIENTROOTCAS: `[${tls('ca.crt')}]`,
      ORDERER_OPERATIONS_LISTENADDRESS: `127.0.0.1:${orderer.ports.operations}`,
      ORDERER_METRICS_PROVIDER: 'prometheus',
      ORDERER_FILELEDGER_LOCATION: join(data, 'ledger'),
      ORDERER_CONSENSUS_WALDIR: join(data, 'etcdraft', 'wal'),
      ORDERER_CONSENSUS_SNAPDIR: join(data, 'etcdraft', 'snapshot'),
    });
  }

  #peerEnv(org: OrgSpec, peer: PeerSpec): NodeJS.ProcessEnv {
    const paths = networkPaths(this.#dir);
    const node = paths.peerDir(org, peer);
    const address = `127.0.0.1:${peer.ports.listen}`;
    const bootstrap = org.peers[0] as PeerSpec;
    const data = join(paths.data, peer.id);
    return this.#processEnv({
      FABRIC_CFG_PATH: paths.peerConfigDir,
      FABRIC_LOGGING_SPEC: 'INFO',
      CORE_PEER_ID: peer.host,
      CORE_PEER_LISTENADDRESS: address,
      CORE_PEER_ADDRESS: address,
      CORE_PEER_CHAINCODELISTENADDRESS: `127.0.0.1:${peer.ports.chaincode}`,
      CORE_PEER_CHAINCODEADDRESS: `127.0.0.1:${peer.ports.chaincode}`,
      CORE_PEER_GOSSIP_BOOTSTRAP: `127.0.0.1:${bootstrap.ports.listen}`,
      CORE_PEER_GOSSIP_EXTERNALENDPOINT: address,
      // A development network on one machine: gossip faster than Fabric's defaults, so
      // peers (and the gateways' discovery) learn about each other and chaincodes in seconds.
      CORE_PEER_GOSSIP_ALIVETIMEINTERVAL: '1s',
      CORE_PEER_GOSSIP_ALIVEEXPIRATIONTIMEOUT: '5s',
      CORE_PEER_GOSSIP_RECONNECTINTERVAL: '2s',
      CORE_PEER_GOSSIP_PUBLISHSTATEINFOINTERVAL: '1s',
      CORE_PEER_GOSSIP_MEMBERSHIPTRACKERINTERVAL: '1s',
      // An organization's peers elect the one that pulls blocks from the orderers; with
      // Fabric's defaults (15 s grace, 10 s leader-alive threshold) a restarted peer, or one
      // rebuilding its ledger, sits for tens of seconds before it pulls a block.
      CORE_PEER_GOSSIP_ELECTION_STARTUPGRACEPERIOD: '2s',
      CORE_PEER_GOSSIP_ELECTION_MEMBERSHIPSAMPLEINTERVAL: '500ms',
      CORE_PEER_GOSSIP_ELECTION_LEADERALIVETHRESHOLD: '3s',
      CORE_PEER_GOSSIP_ELECTION_LEADERELECTIONDURATION: '1s',
      // A peer that rebuilds its ledger from the orderer finds private data it cannot fetch
      // (its organization's implicit collection, written by the lifecycle approval, when no
      // other peer of the organization has it) and waits this long per block before it
      // commits the block without it (marked for reconciliation). Fabric's default is 60 s.
      CORE_PEER_GOSSIP_PVTDATA_PULLRETRYTHRESHOLD: '5s',
      CORE_PEER_LOCALMSPID: org.mspId,
      CORE_PEER_MSPCONFIGPATH: join(node, 'msp'),
      CORE_PEER_TLS_ENABLED: 'true',
      CORE_PEER_TLS_CERT_FILE: join(node, 'tls', 'server.crt'),
      CORE_PEER_TLS_KEY_FILE: join(node, 'tls', 'server.key'),
      CORE_PEER_TLS_ROOTCERT_FILE: join(node, 'tls', 'ca.crt'),
      CORE_OPERATIONS_LISTENADDRESS: `127.0.0.1:${peer.ports.operations}`,
      CORE_METRICS_PROVIDER: 'prometheus',
      CORE_PEER_FILESYSTEMPATH: join(data, 'production'),
      CORE_LEDGER_SNAPSHOTS_ROOTDIR: join(data, 'snapshots'),
      // No Docker: chaincode runs only through the external builder below.
      CORE_VM_ENDPOINT: '',
      CORE_CHAINCODE_EXTERNALBUILDERS: JSON.stringify([{ name: 'ccaas', path: networkPaths(this.#dir).builder }]),
    });
  }

  /** Environment for `peer` CLI commands run as the organization's admin against one peer. */
  #adminEnv(org: OrgSpec, peer: PeerSpec): NodeJS.ProcessEnv {
    const paths = networkPaths(this.#dir);
    return {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? this.#dir,
      FABRIC_CFG_PATH: paths.peerConfigDir,
      FABRIC_LOGGING_SPEC: 'WARN',
      CORE_PEER_LOCALMSPID: org.mspId,
      CORE_PEER_MSPCONFIGPATH: paths.userMsp(org, 'Admin'),
      CORE_PEER_ADDRESS: `127.0.0.1:${peer.ports.listen}`,
      CORE_PEER_TLS_ENABLED: 'true',
      CORE_PEER_TLS_ROOTCERT_FILE: join(paths.peerDir(org, peer), 'tls', 'ca.crt'),
    };
  }

  #ordererArgs(): string[] {
    const spec = this.#spec;
    const orderer = spec.orderers[0] as OrdererSpec;
    return [
      '-o',
      `127.0.0.1:${orderer.ports.listen}`,
      '--tls',
      '--cafile',
      join(networkPaths(this.#dir).ordererDir(spec, orderer), 'tls', 'ca.crt'),
    ];
  }

  /** Runs a `peer` CLI command as the org admin, retrying failures a busy machine causes briefly. */
  #peerCommand(org: OrgSpec, peer: PeerSpec, args: string[], purpose: string) {
    return retryTransient(() =>
      runCommand(this.#binaries.paths.peer, args, { env: this.#adminEnv(org, peer), purpose, timeoutMs: 120_000 }),
    );
  }

  #osnadminArgs(orderer: OrdererSpec): string[] {
    const spec = this.#spec;
    const paths = networkPaths(this.#dir);
    const admin = join(paths.ordererOrgDir(spec), 'users', `Admin@${spec.ordererOrg.domain}`, 'tls');
    return [
      '-o',
      `127.0.0.1:${orderer.ports.admin}`,
      '--ca-file',
      join(paths.ordererDir(spec, orderer), 'tls', 'ca.crt'),
      '--client-cert',
      join(admin, 'client.crt'),
      '--client-key',
      join(admin, 'client.key'),
    ];
  }

  async #joinOrderer(orderer: OrdererSpec): Promise<void> {
    const spec = this.#spec;
    const block = networkPaths(this.#dir).genesisBlock(spec.channel);
    // /healthz can answer before the admin listener accepts: a refused connection is retried,
    // for up to 30 s (a loaded two-core machine starts the listener late).
    await retryTransient(() =>
      runCommand(
        this.#binaries.paths.osnadmin,
        ['channel', 'join', '--channelID', spec.channel, '--config-block', block, ...this.#osnadminArgs(orderer)],
        { purpose: `joining ${orderer.id} to channel '${spec.channel}'` },
      ).catch((error: unknown) => {
        if (commandOutput(error).includes('already exists')) return undefined;
        throw error;
      }),
    );
    spec.joined.push(orderer.id);
    await this.#save();
  }

  async #joinPeer(org: OrgSpec, peer: PeerSpec): Promise<void> {
    const spec = this.#spec;
    const block = networkPaths(this.#dir).genesisBlock(spec.channel);
    try {
      await this.#peerCommand(org, peer, ['channel', 'join', '-b', block], `joining ${peer.id} to '${spec.channel}'`);
    } catch (error) {
      if (!commandOutput(error).includes('already exists')) throw error;
    }
    if (!spec.joined.includes(peer.id)) spec.joined.push(peer.id);
    await this.#save();
  }

  /** Joined peers whose ledger directory no longer exists. */
  async #peersWithoutLedger(): Promise<string[]> {
    const paths = networkPaths(this.#dir);
    const peers = this.#spec.orgs.flatMap((org) => org.peers).filter((peer) => this.#spec.joined.includes(peer.id));
    const missing = await Promise.all(
      peers.map(async (peer) => {
        const ledger = join(paths.data, peer.id, 'production', 'ledgersData');
        return (await stat(ledger).catch(() => undefined)) === undefined;
      }),
    );
    return peers.filter((_, index) => missing[index]).map((peer) => peer.id);
  }

  /** Installs the package of every deployed chaincode on one peer (as deployChaincode did). */
  async #installChaincodes(org: OrgSpec, peer: PeerSpec): Promise<void> {
    const chaincodes = networkPaths(this.#dir).chaincodes;
    for (const { name, label, sequence } of this.#spec.chaincodes) {
      const packageFile = join(chaincodes, name, `${label}-${sequence}`, `${label}.tgz`);
      try {
        await this.#peerCommand(org, peer, ['lifecycle', 'chaincode', 'install', packageFile], 'chaincode install');
      } catch (error) {
        if (!commandOutput(error).includes('already successfully installed')) throw error;
      }
    }
  }

  async #peerHeight(org: OrgSpec, peer: PeerSpec): Promise<number | undefined> {
    const { stdout, stderr } = await this.#peerCommand(
      org,
      peer,
      ['channel', 'getinfo', '-c', this.#spec.channel],
      'reading the channel height',
    );
    const match = /"height":(\d+)/.exec(`${stdout}${stderr}`);
    return match ? Number(match[1]) : undefined;
  }

  async #ordererHeight(orderer: OrdererSpec): Promise<number | undefined> {
    const { stdout } = await runCommand(
      this.#binaries.paths.osnadmin,
      ['channel', 'list', '--channelID', this.#spec.channel, ...this.#osnadminArgs(orderer)],
      { purpose: 'reading the orderer channel height' },
    );
    const match = /"height":\s*(\d+)/.exec(stdout);
    return match ? Number(match[1]) : undefined;
  }

  /** Starts an orderer or peer unless it runs, then waits for its `/healthz`. */
  async #ensureRunning(id: string, timeoutMs: number): Promise<void> {
    const spec = this.#spec;
    const paths = networkPaths(this.#dir);
    const orderer = spec.orderers.find((candidate) => candidate.id === id);
    const org = spec.orgs.find((candidate) => candidate.peers.some((peer) => peer.id === id));
    const peer = org?.peers.find((candidate) => candidate.id === id);
    const ports = orderer?.ports ?? peer?.ports;
    if (!ports) throw new FabricNetworkError('BAD_OPTION', `no component '${id}'`, { component: id });
    const existing = await readPid(paths.pid(id));
    if (existing !== undefined && (await this.#isOurs(existing))) {
      if (await healthy(ports.operations)) return;
    } else {
      await renewReservations(Object.values(ports));
      await checkPortsFree(id, ports);
      if (orderer) {
        await mkdir(join(paths.data, id), { recursive: true });
        await startProcess({
          command: this.#binaries.paths.orderer,
          args: [],
          env: this.#ordererEnv(orderer),
          cwd: this.#dir,
          logFile: paths.log(id),
          pidFile: paths.pid(id),
        });
      } else if (org && peer) {
        await mkdir(join(paths.data, id), { recursive: true });
        await startProcess({
          command: this.#binaries.paths.peer,
          args: ['node', 'start'],
          env: this.#peerEnv(org, peer),
          cwd: this.#dir,
          logFile: paths.log(id),
          pidFile: paths.pid(id),
        });
      }
    }
    // /healthz answers before the gRPC listener is up; wait for both.
    await this.#waitHealthy(
      id,
      async () => (await healthy(ports.operations)) && (await accepts(ports.listen)),
      timeoutMs,
    );
  }

  /**
   * A gateway endorses only with peers that gossip told it about (through the anchor
   * peers); the peers' metrics say how many others each one knows on the channel.
   */
  async #waitForGossip(timeoutMs: number): Promise<void> {
    const peers = this.#channelOrgs()
      .flatMap((org) => org.peers)
      .filter((peer) => this.#spec.joined.includes(peer.id));
    const channel = this.#spec.channel.replace(/\./g, '\\.');
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

  /** Transactions fail with "no Raft leader" until one is elected; the orderers' metrics say when. */
  async #waitForRaftLeader(timeoutMs: number): Promise<void> {
    const pattern = new RegExp(
      `^consensus_etcdraft_is_leader\\{channel="${this.#spec.channel.replace(/\./g, '\\.')}"\\} 1$`,
      'm',
    );
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const answers = await Promise.all(
        this.#spec.orderers.map(async (orderer) => {
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
          `the orderers elected no Raft leader for '${this.#spec.channel}' within ${timeoutMs} ms; see the orderer logs`,
          { logFiles: this.#spec.orderers.map((orderer) => networkPaths(this.#dir).log(orderer.id)) },
        );
      }
      await sleep(100);
    }
  }

  async #waitHealthy(id: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const paths = networkPaths(this.#dir);
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

  async #ensureChaincodeServer(chaincode: ChaincodeRecord, timeoutMs: number): Promise<void> {
    const id = chaincodeComponent(chaincode.name);
    const paths = networkPaths(this.#dir);
    const existing = await readPid(paths.pid(id));
    if (existing !== undefined && (await this.#isOurs(existing)) && (await accepts(chaincode.port))) return;
    if (existing === undefined || !(await this.#isOurs(existing))) {
      await renewReservations([chaincode.port]);
      await checkPortsFree(id, { listen: chaincode.port });
      await startProcess({
        command: process.execPath,
        args: [
          resolveShimCli(chaincode.path),
          'server',
          '--chaincode-address',
          `127.0.0.1:${chaincode.port}`,
          '--chaincode-id',
          chaincode.packageId,
          '--module-path',
          chaincode.path,
        ],
        env: { ...process.env, [networkMarker]: this.#dir, CORE_CHAINCODE_LOGGING_LEVEL: 'info' },
        cwd: chaincode.path,
        logFile: paths.log(id),
        pidFile: paths.pid(id),
      });
    }
    await this.#waitHealthy(id, () => accepts(chaincode.port), timeoutMs);
  }

  async #stopChaincodeServer(chaincode: ChaincodeRecord): Promise<void> {
    const id = chaincodeComponent(chaincode.name);
    const paths = networkPaths(this.#dir);
    const pid = await readPid(paths.pid(id));
    if (pid !== undefined && (await this.#isOurs(pid))) await stopProcess(pid);
    await forgetPid(paths.pid(id));
    // Redeploying starts the next server on the same port at once: wait until the kernel
    // released it (the process's last thread gone), or checkPortsFree would see it taken.
    await waitForPortFree(chaincode.port, 10_000);
  }
}

/** Deletes a file or directory tree; a path that cannot exist (a file where a folder of it should be) is gone already. */
async function removePath(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOTDIR') throw error;
  });
}

/** A peer's enrollment id at its organization's CA: its host name without dots. */
function peerEnrollmentId(peer: PeerSpec): string {
  return peer.host.split('.')[0] as string;
}

/** An organization's channel MSP folder: root and TLS root certificates and the NodeOU config. */
async function writeMspFolder(mspDir: string, rootPem: string): Promise<void> {
  for (const folder of ['cacerts', 'tlscacerts']) {
    await mkdir(join(mspDir, folder), { recursive: true });
    await writeFile(join(mspDir, folder, 'ca.pem'), rootPem);
  }
  await writeFile(join(mspDir, 'config.yaml'), nodeOuConfig());
}

function chaincodeComponent(name: string): string {
  return `chaincode-${name}`;
}

function describeChaincode(record: ChaincodeRecord): DeployedChaincode {
  return {
    name: record.name,
    version: record.version,
    sequence: record.sequence,
    packageId: record.packageId,
    policy: record.policy,
    address: `127.0.0.1:${record.port}`,
  };
}

function resolveShimCli(chaincodePath: string): string {
  try {
    return createRequire(join(chaincodePath, 'package.json')).resolve('fabric-shim/cli.js');
  } catch (error) {
    throw new FabricNetworkError(
      'BAD_OPTION',
      `fabric-shim is not resolvable from ${chaincodePath}: the chaincode project needs fabric-contract-api / fabric-shim installed (npm install)`,
      { option: 'path', value: chaincodePath },
      error,
    );
  }
}

function accepts(port: number): Promise<boolean> {
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

async function checkPortsFree(component: string, ports: Record<string, number>): Promise<void> {
  for (const [role, port] of Object.entries(ports)) {
    if (await portInUse(port)) {
      throw new FabricNetworkError(
        'PORT_IN_USE',
        `port ${port} (${component} ${role}) is in use by another process: stop it (find it with 'ss -ltnp | grep :${port}') or run 'ledgerkit fabric down --purge' and 'up' again to get new ports`,
        { component, port, role },
      );
    }
  }
}

/** Runs `work` holding the network directory's lock (`network.lock`). */
function lockNetwork<T>(dir: string, work: () => Promise<T>): Promise<T> {
  return withFileLock(join(dir, 'network.lock'), work, {
    busy: (holder) =>
      new FabricNetworkError(
        'NETWORK_BUSY',
        `another process${holder ? ` (pid ${holder})` : ''} has been changing the network in ${dir} for 10 minutes; wait for it or stop it`,
        { dir, holder },
      ),
  });
}

/** Every port recorded in a network spec: orderers, peers, CAs, chaincode servers. */
function usedPorts(spec: NetworkSpec): number[] {
  return [
    ...spec.orderers.flatMap((orderer) => Object.values(orderer.ports)),
    ...spec.orgs.flatMap((org) => [
      ...org.peers.flatMap((peer) => Object.values(peer.ports)),
      ...(org.ca ? Object.values(org.ca.ports) : []),
    ]),
    ...spec.chaincodes.map((chaincode) => chaincode.port),
  ];
}

async function readSpec(dir: string): Promise<NetworkSpec | undefined> {
  const text = await readFile(networkPaths(dir).spec, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as NetworkSpec);
}

function checkSameNetwork(spec: NetworkSpec, options: UpOptions, names: string[]): void {
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

function makeStepper(progress: (event: ProgressEvent) => void) {
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

function organizationAccess(dir: string, org: OrgSpec): OrganizationAccess {
  const paths = networkPaths(dir);
  const base = join(paths.organizations, org.name);
  const identity = (role: 'admin' | 'user'): IdentityFiles => {
    const mspDir = join(base, role, 'msp');
    return {
      mspDir,
      certificatePath: join(mspDir, 'signcerts', 'cert.pem'),
      privateKeyPath: join(mspDir, 'keystore', 'priv_sk'),
    };
  };
  const peer = org.peers[0] as PeerSpec;
  return {
    name: org.name,
    mspId: org.mspId,
    peerEndpoint: `127.0.0.1:${peer.ports.listen}`,
    peerHostAlias: peer.host,
    tlsRootCertPath: join(base, 'tls-ca.pem'),
    cryptoPath: paths.orgDir(org),
    connectionProfilePath: join(base, 'connection.json'),
    admin: identity('admin'),
    user: identity('user'),
    mspDir: join(paths.orgDir(org), 'msp'),
    inChannel: org.inChannel !== false,
    peers: org.peers.map((candidate) => ({
      id: candidate.id,
      host: candidate.host,
      endpoint: `127.0.0.1:${candidate.ports.listen}`,
    })),
  };
}

/** Crypto material, channel genesis block, and per-organization access files. */
async function generate(dir: string, spec: NetworkSpec, binaries: FabricBinaries): Promise<void> {
  const paths = networkPaths(dir);
  await mkdir(paths.configtxDir, { recursive: true });
  await writeFile(paths.cryptoConfig, cryptoConfig(spec));
  await runCommand(
    binaries.paths.cryptogen,
    ['generate', `--config=${paths.cryptoConfig}`, `--output=${paths.crypto}`],
    {
      purpose: 'cryptogen',
    },
  );
  await writeFile(join(paths.configtxDir, 'configtx.yaml'), configtx(spec, dir));
  await runCommand(
    binaries.paths.configtxgen,
    [
      '-configPath',
      paths.configtxDir,
      '-profile',
      'LedgerkitChannel',
      '-channelID',
      spec.channel,
      '-outputBlock',
      paths.genesisBlock(spec.channel),
    ],
    { purpose: 'configtxgen (channel genesis block)' },
  );
  for (const org of spec.orgs) await writeAccessFiles(dir, spec, org);
  await writeFileAtomic(paths.spec, `${JSON.stringify(spec, null, 2)}\n`);
}

/** An organization's access files: admin and user MSP copies, TLS CA, connection profile. */
async function writeAccessFiles(dir: string, spec: NetworkSpec, org: OrgSpec): Promise<void> {
  const paths = networkPaths(dir);
  const access = organizationAccess(dir, org);
  for (const [role, user] of [
    ['admin', 'Admin'],
    ['user', 'User1'],
  ] as const) {
    const target = access[role];
    await rm(target.mspDir, { recursive: true, force: true });
    await cp(paths.userMsp(org, user), target.mspDir, { recursive: true });
    // Stable file names, so readers need not list directories (a CA-enrolled MSP has them already).
    const cryptogenCert = join(target.mspDir, 'signcerts', `${user}@${org.domain}-cert.pem`);
    if ((await stat(cryptogenCert).catch(() => undefined)) !== undefined)
      await cp(cryptogenCert, target.certificatePath);
  }
  const peer = org.peers[0] as PeerSpec;
  const tlsCa = await readFile(join(paths.peerDir(org, peer), 'tls', 'ca.crt'), 'utf8');
  await writeFile(access.tlsRootCertPath, tlsCa);
  const ordererTlsCa = await readFile(
    join(paths.ordererDir(spec, spec.orderers[0] as OrdererSpec), 'tls', 'ca.crt'),
    'utf8',
  );
  const profile = {
    name: `ledgerkit-${spec.channel}-${org.name.toLowerCase()}`,
    version: '1.0.0',
    client: { organization: org.name },
    channel: spec.channel,
    organizations: {
      [org.name]: {
        mspid: org.mspId,
        peers: org.peers.map((candidate) => candidate.host),
        adminPrivateKey: { path: access.admin.privateKeyPath },
        signedCert: { path: access.admin.certificatePath },
      },
    },
    peers: Object.fromEntries(
      spec.orgs.flatMap((other) =>
        other.peers.map((candidate) => [
          candidate.host,
          {
            url: `grpcs://127.0.0.1:${candidate.ports.listen}`,
            mspid: other.mspId,
            tlsCACerts: { path: join(paths.peerDir(other, candidate), 'tls', 'ca.crt') },
            grpcOptions: { 'ssl-target-name-override': candidate.host },
          },
        ]),
      ),
    ),
    orderers: Object.fromEntries(
      spec.orderers.map((orderer) => [
        orderer.host,
        { url: `grpcs://127.0.0.1:${orderer.ports.listen}`, tlsCACerts: { pem: ordererTlsCa } },
      ]),
    ),
    ledgerkit: {
      gatewayPeer: access.peerEndpoint,
      tlsRootCertPath: access.tlsRootCertPath,
      identities: { admin: access.admin, user: access.user },
    },
  };
  await writeFile(access.connectionProfilePath, `${JSON.stringify(profile, null, 2)}\n`);
}
