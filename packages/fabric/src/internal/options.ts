import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { InvalidArgumentError, type RetryOptions } from '@ledgerkit/core';
import type { ConnectFabricOptions, FabricDeadlines, FabricIdentityFiles } from '../connect-options.js';

/** Everything {@link connectFabric} needs, read and checked. */
export interface ResolvedConnection {
  endpoint: string;
  tlsRootCertificate: Buffer;
  hostnameOverride: string | undefined;
  mspId: string;
  certificate: Buffer;
  privateKey: KeyObject;
  channel: string;
  chaincode: string;
  deadlines: FabricDeadlines;
  retry: RetryOptions;
  historyTransaction: string;
}

export const defaultDeadlines: FabricDeadlines = {
  evaluateMs: 15_000,
  endorseMs: 30_000,
  submitMs: 15_000,
  commitStatusMs: 60_000,
};

const defaultRetry: RetryOptions = { retries: 6, baseDelayMs: 100, maxDelayMs: 2_000 };

type Profile = {
  channel?: unknown;
  channels?: Record<string, unknown>;
  client?: { organization?: unknown };
  organizations?: Record<
    string,
    { mspid?: unknown; peers?: unknown; adminPrivateKey?: PemOrPath; signedCert?: PemOrPath }
  >;
  peers?: Record<string, { url?: unknown; tlsCACerts?: PemOrPath; grpcOptions?: Record<string, unknown> }>;
  ledgerkit?: {
    gatewayPeer?: unknown;
    tlsRootCertPath?: unknown;
    identities?: Record<string, { mspDir?: unknown; certificatePath?: unknown; privateKeyPath?: unknown }>;
  };
};
type PemOrPath = { pem?: unknown; path?: unknown };

const pemMarker = '-----BEGIN';

/**
 * Reads and checks connection options: a connection profile (with the `ledgerkit`
 * section `@ledgerkit/fabric-network` writes, or standard fields) or explicit endpoint and
 * credentials; explicit options override what the profile says.
 *
 * @param options - the caller's options
 * @returns the resolved connection
 * @throws InvalidArgumentError naming the option (and the file) that is missing, malformed or unreadable
 */
export async function resolveConnection(options: ConnectFabricOptions): Promise<ResolvedConnection> {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('options', 'connectFabric needs an options object');
  }
  const chaincode = requireName(options.chaincode, 'chaincode');
  const deadlines = resolveDeadlines(options.deadlines);
  const historyTransaction =
    options.historyTransaction === undefined
      ? 'History'
      : requireName(options.historyTransaction, 'historyTransaction');
  const retry = { ...defaultRetry, ...options.retry };
  if (!Number.isInteger(retry.retries) || (retry.retries as number) < 0) {
    throw new InvalidArgumentError(
      'retry.retries',
      `retry.retries must be a non-negative integer, got ${retry.retries}`,
    );
  }

  let fromProfile: Partial<ResolvedConnection> & { identity?: FabricIdentityFiles } = {};
  if (options.connectionProfile !== undefined) {
    if (typeof options.connectionProfile !== 'string' || options.connectionProfile === '') {
      throw new InvalidArgumentError(
        'connectionProfile',
        'connectionProfile must be the path of a connection profile JSON file',
      );
    }
    fromProfile = await readProfile(options);
  }

  const endpoint = options.endpoint ?? fromProfile.endpoint;
  if (typeof endpoint !== 'string' || !/^[^\s:/]+:\d{1,5}$/.test(endpoint)) {
    throw new InvalidArgumentError(
      'endpoint',
      endpoint === undefined
        ? 'connectFabric needs a connectionProfile or an endpoint (host:port of a gateway peer)'
        : `endpoint must be host:port, got '${String(endpoint)}'`,
    );
  }
  const tlsRootCertificate =
    options.tlsRootCertificate !== undefined
      ? await pemOrFile(options.tlsRootCertificate, 'tlsRootCertificate')
      : fromProfile.tlsRootCertificate;
  if (!tlsRootCertificate) {
    throw new InvalidArgumentError(
      'tlsRootCertificate',
      'connectFabric needs the TLS root certificate of the gateway peer (PEM or file path)',
    );
  }
  const mspId =
    options.mspId ?? (typeof options.identity === 'object' ? options.identity.mspId : undefined) ?? fromProfile.mspId;
  if (typeof mspId !== 'string' || mspId === '') {
    throw new InvalidArgumentError('mspId', 'connectFabric needs the MSP id of the identity (e.g. Org1MSP)');
  }

  let certificate: Buffer | undefined;
  let privateKey: KeyObject | undefined;
  if (options.certificate !== undefined || options.privateKey !== undefined) {
    if (options.certificate === undefined)
      throw new InvalidArgumentError('certificate', 'privateKey was given without certificate');
    if (options.privateKey === undefined)
      throw new InvalidArgumentError('privateKey', 'certificate was given without privateKey');
    certificate = await pemOrFile(options.certificate, 'certificate');
    privateKey = await privateKeyFrom(options.privateKey, 'privateKey');
  } else {
    const files = typeof options.identity === 'object' ? options.identity : fromProfile.identity;
    if (!files) {
      throw new InvalidArgumentError(
        'identity',
        'connectFabric needs an identity: identity files, certificate and privateKey, or a connection profile naming them',
      );
    }
    const located = await identityFiles(files);
    certificate = await pemOrFile(located.certificatePath, 'identity.certificatePath');
    privateKey = await privateKeyFrom(located.privateKeyPath, 'identity.privateKeyPath');
  }
  if (!certificate.toString('utf8').includes(pemMarker)) {
    throw new InvalidArgumentError('certificate', 'the certificate is not PEM text');
  }

  const channel = options.channel ?? fromProfile.channel;
  return {
    endpoint,
    tlsRootCertificate,
    hostnameOverride: options.hostnameOverride ?? fromProfile.hostnameOverride ?? defaultHostname(endpoint),
    mspId,
    certificate,
    privateKey,
    channel: requireName(channel, 'channel'),
    chaincode,
    deadlines,
    retry,
    historyTransaction,
  };
}

function resolveDeadlines(given: Partial<FabricDeadlines> | undefined): FabricDeadlines {
  const deadlines = { ...defaultDeadlines };
  for (const [name, value] of Object.entries(given ?? {})) {
    if (!(name in defaultDeadlines)) {
      throw new InvalidArgumentError(
        `deadlines.${name}`,
        `unknown deadline '${name}'; use ${Object.keys(defaultDeadlines).join(', ')}`,
      );
    }
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new InvalidArgumentError(
        `deadlines.${name}`,
        `deadlines.${name} must be a positive number of milliseconds`,
      );
    }
    deadlines[name as keyof FabricDeadlines] = value;
  }
  return deadlines;
}

function requireName(value: unknown, option: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new InvalidArgumentError(option, `${option} must be a non-empty string`);
  }
  return value;
}

// The peers' TLS certificates of a local network name localhost; a host name also keeps
// Node from warning about an IP address as TLS server name.
function defaultHostname(endpoint: string): string | undefined {
  const host = endpoint.slice(0, endpoint.lastIndexOf(':'));
  return /^\d+\.\d+\.\d+\.\d+$/.test(host) || host === 'localhost' ? 'localhost' : undefined;
}

async function readProfile(
  options: ConnectFabricOptions,
): Promise<Partial<ResolvedConnection> & { identity?: FabricIdentityFiles }> {
  const path = resolve(options.connectionProfile as string);
  const base = dirname(path);
  const text = await readText(path, 'connectionProfile');
  let profile: Profile;
  try {
    profile = JSON.parse(text) as Profile;
  } catch (error) {
    throw new InvalidArgumentError(
      'connectionProfile',
      `the connection profile ${path} is not JSON`,
      { file: path },
      error,
    );
  }
  if (typeof profile !== 'object' || profile === null) {
    throw new InvalidArgumentError('connectionProfile', `the connection profile ${path} is not a JSON object`, {
      file: path,
    });
  }
  const organizations = profile.organizations ?? {};
  const organization =
    options.organization ??
    (typeof profile.client?.organization === 'string' ? profile.client.organization : Object.keys(organizations)[0]);
  const org = organization === undefined ? undefined : organizations[organization];
  if (!org) {
    throw new InvalidArgumentError(
      'organization',
      `the connection profile ${path} has no organization '${organization}'`,
      {
        file: path,
        organizations: Object.keys(organizations),
      },
    );
  }
  const result: Partial<ResolvedConnection> & { identity?: FabricIdentityFiles } = {};
  if (typeof org.mspid === 'string') result.mspId = org.mspid;
  const channel = typeof profile.channel === 'string' ? profile.channel : Object.keys(profile.channels ?? {})[0];
  if (channel) result.channel = channel;

  const peers = profile.peers ?? {};
  const orgPeers = Array.isArray(org.peers)
    ? (org.peers as unknown[]).filter((name): name is string => typeof name === 'string')
    : [];
  const gatewayPeer = typeof profile.ledgerkit?.gatewayPeer === 'string' ? profile.ledgerkit.gatewayPeer : undefined;
  const peerName =
    (gatewayPeer && Object.keys(peers).find((name) => stripScheme(peers[name]?.url) === gatewayPeer)) ?? orgPeers[0];
  const peer = peerName === undefined ? undefined : peers[peerName];
  const endpoint = gatewayPeer ?? stripScheme(peer?.url);
  if (endpoint) result.endpoint = endpoint;
  const override =
    peer?.grpcOptions?.['ssl-target-name-override'] ?? peer?.grpcOptions?.['grpc.ssl_target_name_override'];
  if (typeof override === 'string') result.hostnameOverride = override;

  if (options.tlsRootCertificate === undefined) {
    const tlsPath = profile.ledgerkit?.tlsRootCertPath;
    if (typeof tlsPath === 'string') {
      result.tlsRootCertificate = await pemOrFile(
        absolute(base, tlsPath),
        'connectionProfile.ledgerkit.tlsRootCertPath',
      );
    } else if (peer?.tlsCACerts) {
      result.tlsRootCertificate = await pemOrPathEntry(
        peer.tlsCACerts,
        base,
        `connectionProfile.peers.${peerName}.tlsCACerts`,
      );
    }
  }

  if (typeof options.identity !== 'object' && options.certificate === undefined) {
    const role = options.identity ?? 'user';
    if (role !== 'user' && role !== 'admin') {
      throw new InvalidArgumentError(
        'identity',
        `identity must be 'user', 'admin' or identity files, got '${String(role)}'`,
      );
    }
    const listed = profile.ledgerkit?.identities?.[role];
    if (listed && (typeof listed.certificatePath === 'string' || typeof listed.mspDir === 'string')) {
      result.identity = {
        ...(typeof listed.mspDir === 'string' ? { mspDir: absolute(base, listed.mspDir) } : {}),
        ...(typeof listed.certificatePath === 'string'
          ? { certificatePath: absolute(base, listed.certificatePath) }
          : {}),
        ...(typeof listed.privateKeyPath === 'string' ? { privateKeyPath: absolute(base, listed.privateKeyPath) } : {}),
      };
    } else if (
      role === 'admin' &&
      typeof org.signedCert?.path === 'string' &&
      typeof org.adminPrivateKey?.path === 'string'
    ) {
      result.identity = {
        certificatePath: absolute(base, org.signedCert.path),
        privateKeyPath: absolute(base, org.adminPrivateKey.path),
      };
    } else if (
      options.identity === undefined &&
      typeof org.signedCert?.path === 'string' &&
      typeof org.adminPrivateKey?.path === 'string'
    ) {
      throw new InvalidArgumentError(
        'identity',
        `the connection profile ${path} names only an admin identity; pass identity: 'admin' or identity files`,
        { file: path },
      );
    } else {
      throw new InvalidArgumentError(
        'identity',
        `the connection profile ${path} names no '${role}' identity; pass identity files`,
        {
          file: path,
        },
      );
    }
  }
  return result;
}

function stripScheme(url: unknown): string | undefined {
  if (typeof url !== 'string') return undefined;
  return url.replace(/^grpcs?:\/\//, '');
}

function absolute(base: string, path: string): string {
  return isAbsolute(path) ? path : join(base, path);
}

async function pemOrPathEntry(entry: PemOrPath, base: string, option: string): Promise<Buffer> {
  if (typeof entry.pem === 'string') return Buffer.from(entry.pem);
  if (typeof entry.path === 'string') return pemOrFile(absolute(base, entry.path), option);
  throw new InvalidArgumentError(option, `${option} has neither pem nor path`);
}

async function identityFiles(files: FabricIdentityFiles): Promise<{ certificatePath: string; privateKeyPath: string }> {
  let certificatePath = files.certificatePath;
  let privateKeyPath = files.privateKeyPath;
  if (files.mspDir !== undefined && (certificatePath === undefined || privateKeyPath === undefined)) {
    certificatePath ??= await onlyFile(join(files.mspDir, 'signcerts'), 'identity.mspDir');
    privateKeyPath ??= await onlyFile(join(files.mspDir, 'keystore'), 'identity.mspDir');
  }
  if (typeof certificatePath !== 'string') {
    throw new InvalidArgumentError('identity.certificatePath', 'identity needs certificatePath (or mspDir)');
  }
  if (typeof privateKeyPath !== 'string') {
    throw new InvalidArgumentError('identity.privateKeyPath', 'identity needs privateKeyPath (or mspDir)');
  }
  return { certificatePath, privateKeyPath };
}

async function onlyFile(dir: string, option: string): Promise<string> {
  let entries: string[];
  try {
    entries = (await readdir(dir)).filter((name) => !name.startsWith('.')).sort();
  } catch (error) {
    throw new InvalidArgumentError(option, `cannot read the MSP folder ${dir}`, { file: dir }, error);
  }
  const first = entries[0];
  if (first === undefined) throw new InvalidArgumentError(option, `the MSP folder ${dir} is empty`, { file: dir });
  return join(dir, first);
}

async function readText(path: string, option: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new InvalidArgumentError(
      option,
      `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      { file: path },
      error,
    );
  }
}

async function pemOrFile(value: string | Uint8Array, option: string): Promise<Buffer> {
  if (value instanceof Uint8Array) return Buffer.from(value);
  if (typeof value !== 'string' || value === '')
    throw new InvalidArgumentError(option, `${option} must be PEM text or a file path`);
  if (value.includes(pemMarker)) return Buffer.from(value);
  const text = await readText(resolve(value), option);
  if (!text.includes(pemMarker)) {
    throw new InvalidArgumentError(option, `${resolve(value)} holds no PEM data`, { file: resolve(value) });
  }
  return Buffer.from(text);
}

async function privateKeyFrom(value: string | Uint8Array | KeyObject, option: string): Promise<KeyObject> {
  if (typeof value === 'object' && !(value instanceof Uint8Array) && 'asymmetricKeyType' in value) return value;
  const pem = await pemOrFile(value as string | Uint8Array, option);
  try {
    return createPrivateKey(pem);
  } catch (error) {
    throw new InvalidArgumentError(
      option,
      `${option} is not a PEM private key`,
      typeof value === 'string' && !value.includes(pemMarker) ? { file: resolve(value) } : {},
      error,
    );
  }
}
