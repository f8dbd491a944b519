// The public types of FabricNetwork's options and results.
import type { CaAdminCredentials } from './ca/credentials.js';
import type { PrivateDataCollection } from './chaincode/collections.js';

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
