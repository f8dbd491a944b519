import { join } from 'node:path';
import type { CaRecord } from '../ca/certificate-authority.js';
import { FabricNetworkError } from '../errors.js';
import { freePorts } from './ports.js';

/** One peer: its component id, host name and loopback ports. */
export interface PeerSpec {
  id: string;
  host: string;
  ports: { listen: number; chaincode: number; operations: number };
  /** Its enrollment id at the organization's Fabric CA (organizations with their own CA). */
  enrollmentId?: string;
}

/** One application organization. */
export interface OrgSpec {
  name: string;
  mspId: string;
  domain: string;
  peers: PeerSpec[];
  /** The organization's Fabric CA server, when it has one (added organizations always do). */
  ca?: CaRecord;
  /**
   * False for an organization added to the running network whose MSP the channel
   * configuration does not hold yet (its peers run but have not joined); absent means true.
   */
  inChannel?: boolean;
  /** Added to the running network by `addOrganization` (not one of the organizations `up` created). */
  added?: boolean;
  /**
   * Removed from the network (`removeOrganization`, after the channel configuration dropped
   * its MSP): its processes are stopped and not started again; its files stay.
   */
  removed?: boolean;
}

/** One Raft orderer of the orderer organization. */
export interface OrdererSpec {
  id: string;
  host: string;
  ports: { listen: number; admin: number; operations: number };
}

/** A chaincode committed on the channel and the server that runs it. */
export interface ChaincodeRecord {
  name: string;
  version: string;
  sequence: number;
  label: string;
  packageId: string;
  /** The chaincode project directory the server runs from. */
  path: string;
  policy: string;
  port: number;
}

/** Everything needed to start (or restart) the same network; stored as `<dir>/network.json`. */
export interface NetworkSpec {
  format: 1;
  fabricVersion: string;
  channel: string;
  ordererOrg: { name: string; mspId: string; domain: string };
  orderers: OrdererSpec[];
  orgs: OrgSpec[];
  /** Components that joined the channel (orderers through osnadmin, peers through `peer channel join`). */
  joined: string[];
  chaincodes: ChaincodeRecord[];
  createdAt: string;
}

const orgNamePattern = /^[A-Za-z][A-Za-z0-9]{0,29}$/;
const channelPattern = /^[a-z][a-z0-9.-]{0,48}$/;

/** Validates and normalizes the `orgs` option: a count or a list of names. */
export function orgNames(orgs: number | readonly string[]): string[] {
  if (typeof orgs === 'number') {
    if (!Number.isInteger(orgs) || orgs < 1 || orgs > 8) {
      throw new FabricNetworkError('BAD_OPTION', `orgs must be an integer from 1 to 8, got ${orgs}`, {
        option: 'orgs',
      });
    }
    return Array.from({ length: orgs }, (_, index) => `Org${index + 1}`);
  }
  if (orgs.length < 1 || orgs.length > 8) {
    throw new FabricNetworkError('BAD_OPTION', `give 1 to 8 organization names, got ${orgs.length}`, {
      option: 'orgs',
    });
  }
  const seen = new Set<string>();
  for (const name of orgs) {
    if (!orgNamePattern.test(name) || name.toLowerCase() === 'orderer') {
      throw new FabricNetworkError(
        'BAD_OPTION',
        `invalid organization name '${name}': use 1-30 letters and digits starting with a letter (e.g. Org1, Acme), not 'Orderer'`,
        { option: 'orgs', value: name },
      );
    }
    if (seen.has(name.toLowerCase())) {
      throw new FabricNetworkError('BAD_OPTION', `organization name '${name}' appears twice`, {
        option: 'orgs',
        value: name,
      });
    }
    seen.add(name.toLowerCase());
  }
  return [...orgs];
}

/** Validates a channel name (Fabric: lower case letters, digits, dots and dashes). */
export function checkChannelName(channel: string): void {
  if (!channelPattern.test(channel)) {
    throw new FabricNetworkError(
      'BAD_OPTION',
      `invalid channel name '${channel}': use lower-case letters, digits, '.' and '-', starting with a letter (max 49)`,
      { option: 'channel', value: channel },
    );
  }
}

/** Lays out a new network and allocates its free loopback ports. */
export async function planNetwork(options: {
  orgs: string[];
  peersPerOrg: number;
  orderers: number;
  channel: string;
  fabricVersion: string;
}): Promise<NetworkSpec> {
  const { peersPerOrg, orderers } = options;
  if (!Number.isInteger(peersPerOrg) || peersPerOrg < 1 || peersPerOrg > 4) {
    throw new FabricNetworkError('BAD_OPTION', `peersPerOrg must be an integer from 1 to 4, got ${peersPerOrg}`, {
      option: 'peersPerOrg',
    });
  }
  if (orderers !== 1 && orderers !== 3 && orderers !== 5) {
    throw new FabricNetworkError('BAD_OPTION', `orderers must be 1, 3 or 5 (a Raft cluster), got ${orderers}`, {
      option: 'orderers',
    });
  }
  checkChannelName(options.channel);
  const ports = await freePorts(orderers * 3 + options.orgs.length * peersPerOrg * 3);
  const next = () => ports.shift() as number;
  const domain = 'example.com';
  return {
    format: 1,
    fabricVersion: options.fabricVersion,
    channel: options.channel,
    ordererOrg: { name: 'Orderer', mspId: 'OrdererMSP', domain },
    orderers: Array.from({ length: orderers }, (_, index) => ({
      id: `orderer${index}`,
      host: `orderer${index}.${domain}`,
      ports: { listen: next(), admin: next(), operations: next() },
    })),
    orgs: options.orgs.map((name) => {
      const orgDomain = `${name.toLowerCase()}.${domain}`;
      return {
        name,
        mspId: `${name}MSP`,
        domain: orgDomain,
        peers: Array.from({ length: peersPerOrg }, (_, index) => ({
          id: `peer${index}.${name.toLowerCase()}`,
          host: `peer${index}.${orgDomain}`,
          ports: { listen: next(), chaincode: next(), operations: next() },
        })),
      };
    }),
    joined: [],
    chaincodes: [],
    createdAt: new Date().toISOString(),
  };
}

/** Paths inside a network directory. */
export function networkPaths(dir: string) {
  const crypto = join(dir, 'crypto');
  return {
    spec: join(dir, 'network.json'),
    crypto,
    cryptoConfig: join(dir, 'config', 'crypto-config.yaml'),
    configtxDir: join(dir, 'config'),
    peerConfigDir: join(dir, 'config', 'peer'),
    genesisBlock: (channel: string) => join(dir, 'config', `${channel}.block`),
    builder: join(dir, 'builders', 'ccaas'),
    chaincodes: join(dir, 'chaincodes'),
    logs: join(dir, 'logs'),
    run: join(dir, 'run'),
    data: join(dir, 'data'),
    organizations: join(dir, 'organizations'),
    log: (component: string) => join(dir, 'logs', `${component}.log`),
    pid: (component: string) => join(dir, 'run', `${component}.pid`),
    ordererOrgDir: (spec: NetworkSpec) => join(crypto, 'ordererOrganizations', spec.ordererOrg.domain),
    ordererDir: (spec: NetworkSpec, orderer: OrdererSpec) =>
      join(crypto, 'ordererOrganizations', spec.ordererOrg.domain, 'orderers', orderer.host),
    orgDir: (org: OrgSpec) => join(crypto, 'peerOrganizations', org.domain),
    peerDir: (org: OrgSpec, peer: PeerSpec) => join(crypto, 'peerOrganizations', org.domain, 'peers', peer.host),
    userMsp: (org: OrgSpec, user: 'Admin' | 'User1') =>
      join(crypto, 'peerOrganizations', org.domain, 'users', `${user}@${org.domain}`, 'msp'),
  };
}

/** cryptogen's input: NodeOUs on, loopback SANs on every node certificate. */
export function cryptoConfig(spec: NetworkSpec): string {
  const sans = ['localhost', '127.0.0.1'];
  const config = {
    OrdererOrgs: [
      {
        Name: spec.ordererOrg.name,
        Domain: spec.ordererOrg.domain,
        EnableNodeOUs: true,
        Specs: spec.orderers.map((orderer) => ({ Hostname: orderer.host.split('.')[0], SANS: sans })),
      },
    ],
    PeerOrgs: spec.orgs.map((org) => ({
      Name: org.name,
      Domain: org.domain,
      EnableNodeOUs: true,
      Template: { Count: peerTemplateCount(org), SANS: sans },
      Users: { Count: 1 },
    })),
  };
  // JSON is YAML: cryptogen and configtxgen read it as is.
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** cryptogen names peers peer0…peerN-1: the count that covers the highest index in use. */
function peerTemplateCount(org: OrgSpec): number {
  return Math.max(0, ...org.peers.map((peer) => Number(/^peer(\d+)\./.exec(peer.host)?.[1] ?? 0))) + 1;
}

/** The channel configuration entry of one application organization (configtx.yaml shape). */
export function organizationEntry(org: OrgSpec, dir: string) {
  return {
    Name: org.mspId,
    ID: org.mspId,
    MSPDir: join(networkPaths(dir).orgDir(org), 'msp'),
    Policies: {
      Readers: signature(`OR('${org.mspId}.admin', '${org.mspId}.peer', '${org.mspId}.client')`),
      Writers: signature(`OR('${org.mspId}.admin', '${org.mspId}.client')`),
      Admins: signature(`OR('${org.mspId}.admin')`),
      Endorsement: signature(`OR('${org.mspId}.peer')`),
    },
    AnchorPeers: org.peers.slice(0, 1).map((peer) => ({ Host: '127.0.0.1', Port: peer.ports.listen })),
  };
}

const implicit = (rule: string) => ({ Type: 'ImplicitMeta', Rule: rule });
const signature = (rule: string) => ({ Type: 'Signature', Rule: rule });

/** The channel profile for configtxgen: etcdraft, Application V2_5, anchor peers, short batch timeout. */
export function configtx(spec: NetworkSpec, dir: string): string {
  const paths = networkPaths(dir);
  const ordererOrg = {
    Name: spec.ordererOrg.mspId,
    ID: spec.ordererOrg.mspId,
    MSPDir: join(paths.ordererOrgDir(spec), 'msp'),
    Policies: {
      Readers: signature(`OR('${spec.ordererOrg.mspId}.member')`),
      Writers: signature(`OR('${spec.ordererOrg.mspId}.member')`),
      Admins: signature(`OR('${spec.ordererOrg.mspId}.admin')`),
    },
    OrdererEndpoints: spec.orderers.map((orderer) => `127.0.0.1:${orderer.ports.listen}`),
  };
  const orgs = spec.orgs.map((org) => organizationEntry(org, dir));
  const profile = {
    Policies: {
      Readers: implicit('ANY Readers'),
      Writers: implicit('ANY Writers'),
      Admins: implicit('MAJORITY Admins'),
    },
    Capabilities: { V2_0: true },
    Orderer: {
      OrdererType: 'etcdraft',
      BatchTimeout: '500ms',
      BatchSize: { MaxMessageCount: 50, AbsoluteMaxBytes: '10 MB', PreferredMaxBytes: '2 MB' },
      EtcdRaft: {
        Consenters: spec.orderers.map((orderer) => ({
          Host: '127.0.0.1',
          Port: orderer.ports.listen,
          ClientTLSCert: join(paths.ordererDir(spec, orderer), 'tls', 'server.crt'),
          ServerTLSCert: join(paths.ordererDir(spec, orderer), 'tls', 'server.crt'),
        })),
        Options: {
          TickInterval: '250ms',
          ElectionTick: 10,
          HeartbeatTick: 1,
          MaxInflightBlocks: 5,
          SnapshotIntervalSize: '16 MB',
        },
      },
      Organizations: [ordererOrg],
      Policies: {
        Readers: implicit('ANY Readers'),
        Writers: implicit('ANY Writers'),
        Admins: implicit('MAJORITY Admins'),
        BlockValidation: implicit('ANY Writers'),
      },
      Capabilities: { V2_0: true },
    },
    Application: {
      Organizations: orgs,
      Policies: {
        Readers: implicit('ANY Readers'),
        Writers: implicit('ANY Writers'),
        Admins: implicit('MAJORITY Admins'),
        LifecycleEndorsement: implicit('MAJORITY Endorsement'),
        Endorsement: implicit('MAJORITY Endorsement'),
      },
      Capabilities: { V2_5: true },
    },
  };
  return `${JSON.stringify({ Profiles: { LedgerkitChannel: profile } }, null, 2)}\n`;
}
