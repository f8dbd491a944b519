// FabricNetwork: the public face of a network of native Fabric processes. Each operation
// lives in the folder of its concern; this class holds the network's context and delegates:
//   process/     process configuration (env, args, config files), supervision, up and down
//   readiness/   waits, health, heights, status
//   chaincode/   the chaincode lifecycle and chaincode servers
//   generation/  crypto material, genesis block, access files
//   membership/  organizations, peers, their CAs, channel joins
//   state/       the network's context, network.json and its lock
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ensureFabricBinaries } from './binaries.js';
import type { CertificateAuthority } from './ca/certificate-authority.js';
import type { CaAdminCredentials } from './ca/credentials.js';
import { deployChaincode, describeChaincode, updateEndorsementPolicy } from './chaincode/lifecycle.js';
import { FabricNetworkError } from './errors.js';
import { organizationAccess } from './generation/access-files.js';
import {
  checkIssueIdentityOptions,
  type IssuedIdentity,
  type IssueIdentityOptions,
  issueIdentityFiles,
} from './identities.js';
import { logTail } from './internal/processes.js';
import { networkPaths, orgNames } from './internal/topology.js';
import { certificateAuthority } from './membership/certificate-authorities.js';
import {
  addOrganization,
  joinChannel,
  organizationDefinition,
  removeOrganization,
} from './membership/organizations.js';
import { addPeer, removePeer } from './membership/peers.js';
import { makeStepper, startNetwork, stopNetwork } from './process/lifecycle.js';
import type { NodeHealth } from './readiness/health.js';
import { componentIds, networkStatus, nodesHealth } from './readiness/status.js';
import { lockNetwork, mspIds, mutate, type NetworkContext, readSpec } from './state/context.js';
import type {
  AddedPeer,
  AddOrganizationOptions,
  DeployChaincodeOptions,
  DeployedChaincode,
  NetworkStatus,
  OrganizationAccess,
  UpOptions,
} from './types.js';

export type {
  AddedPeer,
  AddOrganizationOptions,
  ComponentStatus,
  DeployChaincodeOptions,
  DeployedChaincode,
  IdentityFiles,
  NetworkStatus,
  OrganizationAccess,
  ProgressEvent,
  UpOptions,
} from './types.js';

const defaultDir = () => resolve('.ledgerkit', 'fabric');

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
  readonly #ctx: NetworkContext;

  private constructor(ctx: NetworkContext) {
    this.#ctx = ctx;
  }

  /** The network directory. */
  get dir(): string {
    return this.#ctx.dir;
  }

  /** The channel every peer joined. */
  get channel(): string {
    return this.#ctx.spec.channel;
  }

  /** MSP ids of the application organizations in the channel configuration. */
  get mspIds(): string[] {
    return mspIds(this.#ctx);
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
    return new FabricNetwork(await lockNetwork(dir, () => startNetwork(dir, options, names, binaries, step)));
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
    return new FabricNetwork({ dir: absolute, spec, binaries });
  }

  /**
   * Reports every component: pid, ports, health endpoint, channel height, and the log
   * tail of any component that is down or unhealthy.
   *
   * @returns the status of each orderer, peer and chaincode server
   */
  async status(): Promise<NetworkStatus> {
    return networkStatus(this.#ctx);
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
    if (!componentIds(this.#ctx).includes(component)) {
      throw new FabricNetworkError(
        'BAD_OPTION',
        `no component '${component}'; choose one of ${componentIds(this.#ctx).join(', ')}`,
        { option: 'component', value: component },
      );
    }
    return logTail(networkPaths(this.#ctx.dir).log(component), lines);
  }

  /** Ids of every component (orderers, peers, chaincode servers). */
  components(): string[] {
    return componentIds(this.#ctx);
  }

  /**
   * Stops every process of the network (chaincode servers, peers, orderers). The
   * ledgers stay on disk: `up` with the same directory resumes the network.
   *
   * @param options - `purge: true` also deletes the directory (crypto, ledgers, logs)
   * @returns the pids that were stopped
   */
  async down(options: { purge?: boolean } = {}): Promise<{ stopped: number[] }> {
    return stopNetwork(this.#ctx, options);
  }

  /**
   * Access files of one organization: gateway peer endpoint, TLS CA, admin and user identities.
   *
   * @param name - organization name (`Org1`) or MSP id (`Org1MSP`)
   * @returns paths and endpoint
   * @throws FabricNetworkError BAD_OPTION for an unknown organization
   */
  organization(name: string): OrganizationAccess {
    const org = this.#ctx.spec.orgs.find((candidate) => candidate.name === name || candidate.mspId === name);
    if (!org) {
      throw new FabricNetworkError('BAD_OPTION', `no organization '${name}' in this network`, {
        option: 'organization',
        organizations: this.#ctx.spec.orgs.map((candidate) => candidate.name),
      });
    }
    return organizationAccess(this.#ctx.dir, org);
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
    const org = this.#ctx.spec.orgs.find(
      (candidate) => candidate.name === options.org || candidate.mspId === options.org,
    );
    if (!org) {
      throw new FabricNetworkError('BAD_OPTION', `no organization '${String(options.org)}' in this network`, {
        option: 'org',
        value: options.org,
        organizations: this.#ctx.spec.orgs.map((candidate) => candidate.name),
      });
    }
    return issueIdentityFiles(this.#ctx.dir, org, options);
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
    return mutate(this.#ctx, () => certificateAuthority(this.#ctx, org, options));
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
    return mutate(this.#ctx, () => addOrganization(this.#ctx, options));
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
    return organizationDefinition(this.#ctx, org);
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
    return mutate(this.#ctx, () => joinChannel(this.#ctx, org));
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
    return mutate(this.#ctx, () => addPeer(this.#ctx, org));
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
    return mutate(this.#ctx, () => removePeer(this.#ctx, org, peerId));
  }

  /**
   * Health and key metrics of every orderer, peer and CA server, from Fabric's operations
   * endpoints: `/healthz` (with the failing checks) and Prometheus `/metrics` (channel
   * height, endorsements, gossip membership, Raft leadership, goroutines, memory).
   *
   * @returns one entry per process
   */
  async nodeHealth(): Promise<NodeHealth[]> {
    return nodesHealth(this.#ctx);
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
    return mutate(this.#ctx, () => deployChaincode(this.#ctx, options));
  }

  /**
   * The chaincodes committed on the channel, as {@link FabricNetwork.deployChaincode} or
   * {@link FabricNetwork.updateEndorsementPolicy} last committed them.
   *
   * @returns name, version, sequence, package id, endorsement policy and server address of each
   */
  chaincodes(): DeployedChaincode[] {
    return this.#ctx.spec.chaincodes.map(describeChaincode);
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
    return updateEndorsementPolicy(this.#ctx, name, policy, options);
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
    return removeOrganization(this.#ctx, org);
  }
}
