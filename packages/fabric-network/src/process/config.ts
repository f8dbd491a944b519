// Process configuration: the environment, arguments and config files each Fabric process
// (orderer, peer, CA server) and each admin CLI call runs with.
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type CaRecord, caPaths } from '../ca/certificate-authority.js';
import { FabricNetworkError } from '../errors.js';
import { networkPaths, type OrdererSpec, type OrgSpec, type PeerSpec } from '../internal/topology.js';
import type { NetworkContext } from '../state/context.js';

/** The environment variable every process of a network carries: how `down`, `status` and the leftover cleanup recognize it. */
export const networkMarker = 'LEDGERKIT_FABRIC_NETWORK';
// Fabric's default format without the color codes, since logs go to files.
const logFormat = '%{time:2006-01-02 15:04:05.000 MST} [%{module}] %{shortfunc} -> %{level:.4s} %{id:03x} %{message}';

/** The environment every process of the network starts with (its marker included), plus `extra`. */
export function processEnv(ctx: NetworkContext, extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? ctx.dir,
    FABRIC_CFG_PATH: ctx.binaries.configDir,
    FABRIC_LOGGING_FORMAT: logFormat,
    [networkMarker]: ctx.dir,
    ...extra,
  };
}

/** An orderer's environment: listeners, TLS, channel participation, admin and operations endpoints, ledger dirs. */
export function ordererEnv(ctx: NetworkContext, orderer: OrdererSpec): NodeJS.ProcessEnv {
  const spec = ctx.spec;
  const paths = networkPaths(ctx.dir);
  const node = paths.ordererDir(spec, orderer);
  const tls = (file: string) => join(node, 'tls', file);
  const data = join(paths.data, orderer.id);
  return processEnv(ctx, {
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

/** A peer's environment: listeners, gossip (faster than Fabric's defaults), TLS, operations, ledger dirs, the ccaas builder. */
export function peerEnv(ctx: NetworkContext, org: OrgSpec, peer: PeerSpec): NodeJS.ProcessEnv {
  const paths = networkPaths(ctx.dir);
  const node = paths.peerDir(org, peer);
  const address = `127.0.0.1:${peer.ports.listen}`;
  const bootstrap = org.peers[0] as PeerSpec;
  const data = join(paths.data, peer.id);
  return processEnv(ctx, {
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
    CORE_CHAINCODE_EXTERNALBUILDERS: JSON.stringify([{ name: 'ccaas', path: networkPaths(ctx.dir).builder }]),
  });
}

/** Environment for `peer` CLI commands run as the organization's admin against one peer. */
export function adminEnv(ctx: NetworkContext, org: OrgSpec, peer: PeerSpec): NodeJS.ProcessEnv {
  const paths = networkPaths(ctx.dir);
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? ctx.dir,
    FABRIC_CFG_PATH: paths.peerConfigDir,
    FABRIC_LOGGING_SPEC: 'WARN',
    CORE_PEER_LOCALMSPID: org.mspId,
    CORE_PEER_MSPCONFIGPATH: paths.userMsp(org, 'Admin'),
    CORE_PEER_ADDRESS: `127.0.0.1:${peer.ports.listen}`,
    CORE_PEER_TLS_ENABLED: 'true',
    CORE_PEER_TLS_ROOTCERT_FILE: join(paths.peerDir(org, peer), 'tls', 'ca.crt'),
  };
}

/** `peer` CLI arguments that reach the first orderer over TLS. */
export function ordererArgs(ctx: NetworkContext): string[] {
  const spec = ctx.spec;
  const orderer = spec.orderers[0] as OrdererSpec;
  return [
    '-o',
    `127.0.0.1:${orderer.ports.listen}`,
    '--tls',
    '--cafile',
    join(networkPaths(ctx.dir).ordererDir(spec, orderer), 'tls', 'ca.crt'),
  ];
}

/** `osnadmin` arguments for one orderer's admin endpoint (mutual TLS as the orderer organization's admin). */
export function osnadminArgs(ctx: NetworkContext, orderer: OrdererSpec): string[] {
  const spec = ctx.spec;
  const paths = networkPaths(ctx.dir);
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

/** `fabric-ca-server` arguments of an organization's CA (home, listeners, TLS, CSR, operations; the cryptogen CA key when it signs with one). */
export function caServerArgs(ctx: NetworkContext, org: OrgSpec): string[] {
  const ca = org.ca as CaRecord;
  const server = caPaths(ctx.dir, org.name).server;
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

/** Writes the chaincode-as-a-service external builder the peers run (detect, build, release). */
export async function writeBuilder(ctx: NetworkContext): Promise<void> {
  // Our chaincode-as-a-service external builder: the peer runs detect/build/release
  // with the package's metadata and code directories; release hands the peer
  // connection.json, so it dials the chaincode server instead of launching anything.
  const bin = join(networkPaths(ctx.dir).builder, 'bin');
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
export async function writePeerConfig(ctx: NetworkContext): Promise<void> {
  const sample = await readFile(join(ctx.binaries.configDir, 'core.yaml'), 'utf8');
  const patched = sample.replace(/^(\s*endpoint:)\s*unix:\/\/\/var\/run\/docker\.sock\s*$/m, '$1 ""');
  if (patched === sample) {
    throw new FabricNetworkError('COMMAND_FAILED', 'the Docker endpoint was not found in core.yaml to turn off', {
      file: join(ctx.binaries.configDir, 'core.yaml'),
    });
  }
  const target = networkPaths(ctx.dir).peerConfigDir;
  await mkdir(target, { recursive: true });
  await writeFile(join(target, 'core.yaml'), patched);
}
