import { InvalidArgumentError } from '@ledgerkit/core';

/**
 * An embedded ledgerdb ledger in a SQLite file (`ledgerdb:./data/ledger.db`), or a
 * `ledgerdb serve` server (`ledgerdb+https://host:8443?token=…`); give `path` or `url`.
 */
export interface LedgerdbConfig {
  backend: 'ledgerdb';
  /** SQLite file of the embedded ledger (`:memory:` for a throwaway one). */
  path?: string;
  /** Ledger name written into digests (default: the file name). Embedded only. */
  name?: string;
  /** The owner's Ed25519 private key (PEM); every digest is then signed. Embedded only. */
  signingKey?: string;
  /** Base URL of a `ledgerdb serve` server: `https:`, or `http:` on a loopback address only. */
  url?: string;
  /** Bearer token of the server (`ledgerdb token create`). */
  token?: string;
  /** The ledger owner's Ed25519 public key (PEM or hex): every digest must be signed by it. */
  publicKey?: string;
}

/** An Ethereum node: `'edr'` starts an in-process Hardhat EDR chain, else a JSON-RPC URL. */
export interface EthereumConfig {
  backend: 'ethereum';
  /** `'edr'` (needs the `hardhat` package) or an `http:`/`https:` JSON-RPC URL. */
  url: string;
  /** Who signs: a private key, an address unlocked on the node, or a node account index (default 0). */
  account?: string | number;
  /** Contracts already deployed, by name. */
  contracts?: Record<string, { address: string; abi: readonly unknown[] }>;
  /** A JSON file of contracts already deployed, `{ "Name": { "address": "0x…", "abi": [...] } }`, read when connecting. */
  contractsFile?: string;
  /** Blocks a transaction must be buried under, counting its own (default 1). */
  confirmations?: number;
}

/** A Fabric channel and chaincode, reached through an organization's connection profile. */
export interface FabricConfig {
  backend: 'fabric';
  /** Path of the organization's connection profile JSON. */
  connectionProfile: string;
  /** Chaincode the ledger's calls address. */
  chaincode: string;
  /** Channel (default: the profile's channel). */
  channel?: string;
  /** Organization of the profile to act for (default: the profile's client organization). */
  organization?: string;
  /** The profile's `user` (default) or `admin` identity. */
  identity?: 'user' | 'admin';
}

/** What {@link connectLedger} accepts as an object, discriminated by `backend`. */
export type LedgerConfig = LedgerdbConfig | EthereumConfig | FabricConfig;

const backends = ['ledgerdb', 'ethereum', 'fabric'] as const;

/**
 * Reads a ledger URL into a {@link LedgerConfig}:
 * `ledgerdb:PATH[?name=…]`, `ledgerdb+https://HOST[:PORT][/BASE]?token=…[&publicKey=HEX]`
 * (`ledgerdb+http://` on loopback only), `ethereum:edr`, `ethereum+http(s)://HOST:PORT[/PATH]`
 * with optional `account`, `confirmations`, `contracts` (a JSON file of `{ Name: { address, abi } }`;
 * the rest of the query stays in the RPC URL), and
 * `fabric:PROFILE.json?chaincode=…[&channel=…&organization=…&identity=user|admin]`.
 *
 * @param url - the ledger URL
 * @returns the validated config
 * @throws InvalidArgumentError whose `details.argument` names the bad part (`config.url`,
 *   `config.chaincode`, …)
 */
export function parseLedgerUrl(url: string): LedgerConfig {
  if (typeof url !== 'string' || url.length === 0) {
    throw new InvalidArgumentError('config', 'a ledger config must be an object or a non-empty URL string');
  }
  const match = /^([a-z]+)(?:\+([a-z]+))?:(.*)$/s.exec(url);
  if (!match) {
    throw new InvalidArgumentError(
      'config.url',
      `ledger URL ${JSON.stringify(redact(url))} has no scheme; expected ledgerdb:, ledgerdb+https:, ethereum:, ethereum+http: or fabric:`,
    );
  }
  const [, backend = '', transport, rest = ''] = match;
  if (!(backends as readonly string[]).includes(backend)) {
    throw new InvalidArgumentError('config.backend', `unknown ledger backend '${backend}'`, {
      expected: backends.join(', '),
    });
  }
  if (transport !== undefined) return parseNetworkUrl(backend as LedgerConfig['backend'], transport, rest, url);
  const { path, query } = splitQuery(rest);
  switch (backend) {
    case 'ledgerdb': {
      const config: LedgerdbConfig = { backend: 'ledgerdb', path };
      takeParams(query, { name: (value) => (config.name = value) });
      return validateLedgerConfig(config);
    }
    case 'ethereum': {
      if (path !== 'edr') {
        throw new InvalidArgumentError(
          'config.url',
          `'ethereum:${path}' is not a node; use ethereum:edr or ethereum+http://host:port`,
        );
      }
      const config: EthereumConfig = { backend: 'ethereum', url: 'edr' };
      takeParams(query, ethereumParams(config));
      return validateLedgerConfig(config);
    }
    default: {
      const config: FabricConfig = { backend: 'fabric', connectionProfile: path, chaincode: '' };
      takeParams(query, {
        chaincode: (value) => (config.chaincode = value),
        channel: (value) => (config.channel = value),
        organization: (value) => (config.organization = value),
        identity: (value) => (config.identity = value as 'user' | 'admin'),
      });
      return validateLedgerConfig(config);
    }
  }
}

function parseNetworkUrl(backend: LedgerConfig['backend'], transport: string, rest: string, url: string): LedgerConfig {
  if (backend === 'fabric') {
    throw new InvalidArgumentError(
      'config.url',
      `fabric takes a connection profile path (fabric:PROFILE.json), not ${backend}+${transport}:`,
    );
  }
  if (transport !== 'http' && transport !== 'https') {
    throw new InvalidArgumentError(
      'config.url',
      `unsupported transport '${transport}' in ${backend}+${transport}:; use http or https`,
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(`${transport}:${rest}`);
  } catch (error) {
    throw new InvalidArgumentError(
      'config.url',
      `ledger URL ${JSON.stringify(redact(url))} is not a valid URL`,
      {},
      error,
    );
  }
  if (backend === 'ledgerdb') {
    const config: LedgerdbConfig = { backend: 'ledgerdb', url: '' };
    const query = new URLSearchParams(parsed.search);
    parsed.search = '';
    takeParams(query, {
      token: (value) => (config.token = value),
      publicKey: (value) => (config.publicKey = value),
    });
    config.url = parsed.toString();
    return validateLedgerConfig(config);
  }
  const config: EthereumConfig = { backend: 'ethereum', url: '' };
  const query = new URLSearchParams(parsed.search);
  const ours = new URLSearchParams();
  for (const name of Object.keys(ethereumParams(config))) {
    for (const value of query.getAll(name)) ours.append(name, value);
    query.delete(name);
  }
  // The rest of the query belongs to the node (some providers put their API key there).
  parsed.search = query.toString();
  config.url = parsed.toString();
  takeParams(ours, ethereumParams(config));
  return validateLedgerConfig(config);
}

function ethereumParams(config: EthereumConfig): Record<string, (value: string) => void> {
  return {
    account: (value) => (config.account = /^\d+$/.test(value) ? Number(value) : value),
    confirmations: (value) => (config.confirmations = /^\d+$/.test(value) ? Number(value) : Number.NaN),
    contracts: (value) => (config.contractsFile = value),
  };
}

/**
 * Checks a ledger config object (or the result of {@link parseLedgerUrl}).
 *
 * @param config - the config
 * @returns the same config
 * @throws InvalidArgumentError whose `details.argument` names the bad field
 */
export function validateLedgerConfig<T extends LedgerConfig>(config: T): T {
  if (typeof config !== 'object' || config === null) {
    throw new InvalidArgumentError('config', 'a ledger config must be an object or a URL string');
  }
  const backend = (config as { backend?: unknown }).backend;
  if (typeof backend !== 'string' || !(backends as readonly string[]).includes(backend)) {
    throw new InvalidArgumentError('config.backend', `unknown ledger backend ${JSON.stringify(backend)}`, {
      expected: backends.join(', '),
    });
  }
  switch (config.backend) {
    case 'ledgerdb':
      validateLedgerdb(config);
      break;
    case 'ethereum':
      validateEthereum(config);
      break;
    case 'fabric':
      validateFabric(config);
      break;
  }
  return config;
}

function validateLedgerdb(config: LedgerdbConfig): void {
  optionalString(config, 'path');
  optionalString(config, 'url');
  optionalString(config, 'name');
  optionalString(config, 'signingKey');
  optionalString(config, 'token');
  optionalString(config, 'publicKey');
  if ((config.path === undefined) === (config.url === undefined)) {
    throw new InvalidArgumentError('config.path', 'a ledgerdb config needs either path (embedded) or url (server)');
  }
  if (config.path !== undefined) {
    if (config.path.length === 0) throw new InvalidArgumentError('config.path', 'the ledgerdb path is empty');
    for (const field of ['token', 'publicKey'] as const) {
      if (config[field] !== undefined) {
        throw new InvalidArgumentError(`config.${field}`, `${field} applies to a ledgerdb server (url), not to a file`);
      }
    }
    return;
  }
  for (const field of ['name', 'signingKey'] as const) {
    if (config[field] !== undefined) {
      throw new InvalidArgumentError(
        `config.${field}`,
        `${field} applies to an embedded ledgerdb (path), not to a server`,
      );
    }
  }
  const url = httpUrl(config.url as string, 'config.url');
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    throw new InvalidArgumentError(
      'config.url',
      `a ledgerdb server on ${url.hostname} must be reached over https; plain http is allowed on loopback only`,
    );
  }
  if (url.username || url.password) {
    throw new InvalidArgumentError(
      'config.url',
      'put the bearer token in token (or ?token=), not in the URL user info',
    );
  }
  if (!config.token) throw new InvalidArgumentError('config.token', 'a ledgerdb server needs a bearer token');
}

function validateEthereum(config: EthereumConfig): void {
  if (typeof config.url !== 'string' || config.url.length === 0) {
    throw new InvalidArgumentError('config.url', "an ethereum config needs url: 'edr' or a JSON-RPC URL");
  }
  if (config.url !== 'edr') httpUrl(config.url, 'config.url');
  const account = config.account;
  if (account !== undefined) {
    const ok =
      (typeof account === 'number' && Number.isSafeInteger(account) && account >= 0) ||
      (typeof account === 'string' && /^0x([0-9a-fA-F]{40}|[0-9a-fA-F]{64})$/.test(account));
    if (!ok) {
      throw new InvalidArgumentError(
        'config.account',
        'account must be a node account index, a 0x address or a 0x 32-byte private key',
      );
    }
  }
  const confirmations = config.confirmations;
  if (confirmations !== undefined && !(Number.isSafeInteger(confirmations) && confirmations >= 1)) {
    throw new InvalidArgumentError('config.confirmations', 'confirmations must be a positive integer', {
      confirmations,
    });
  }
  if (config.contractsFile !== undefined && (typeof config.contractsFile !== 'string' || config.contractsFile === '')) {
    throw new InvalidArgumentError('config.contractsFile', 'contractsFile must be the path of a JSON file');
  }
  if (config.contracts !== undefined) validateContracts(config.contracts, 'config.contracts');
}

/**
 * Checks a map of contract names to `{ address, abi }`.
 *
 * @param contracts - the map
 * @param argument - what to name in the error
 * @throws InvalidArgumentError naming the bad contract
 */
export function validateContracts(contracts: unknown, argument: string): void {
  if (typeof contracts !== 'object' || contracts === null || Array.isArray(contracts)) {
    throw new InvalidArgumentError(argument, 'contracts must map names to { address, abi }');
  }
  for (const [name, contract] of Object.entries(contracts as Record<string, { address?: unknown; abi?: unknown }>)) {
    const ok =
      typeof contract === 'object' &&
      contract !== null &&
      typeof contract.address === 'string' &&
      /^0x[0-9a-fA-F]{40}$/.test(contract.address) &&
      Array.isArray(contract.abi);
    if (!ok)
      throw new InvalidArgumentError(`${argument}.${name}`, `contract ${name} needs a 0x address and an abi array`);
  }
}

function validateFabric(config: FabricConfig): void {
  if (typeof config.connectionProfile !== 'string' || config.connectionProfile.length === 0) {
    throw new InvalidArgumentError('config.connectionProfile', 'a fabric config needs the connection profile path');
  }
  if (typeof config.chaincode !== 'string' || !/^[A-Za-z0-9_.+-]{1,128}(:[A-Za-z0-9_.-]+)?$/.test(config.chaincode)) {
    throw new InvalidArgumentError('config.chaincode', 'a fabric config needs a chaincode name (?chaincode=…)', {
      chaincode: config.chaincode,
    });
  }
  // Fabric channel names: lower case letters, digits, dots and dashes, starting with a letter.
  if (config.channel !== undefined && !/^[a-z][a-z0-9.-]{0,248}$/.test(config.channel)) {
    throw new InvalidArgumentError(
      'config.channel',
      `channel ${JSON.stringify(config.channel)} is not a Fabric channel name`,
    );
  }
  optionalString(config, 'organization');
  if (config.identity !== undefined && config.identity !== 'user' && config.identity !== 'admin') {
    throw new InvalidArgumentError('config.identity', "identity must be 'user' or 'admin'", {
      identity: config.identity,
    });
  }
}

function optionalString(config: object, field: string): void {
  const value = (config as Record<string, unknown>)[field];
  if (value !== undefined && typeof value !== 'string') {
    throw new InvalidArgumentError(`config.${field}`, `${field} must be a string`);
  }
}

function httpUrl(text: string, argument: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch (error) {
    throw new InvalidArgumentError(argument, `${JSON.stringify(redact(text))} is not a valid URL`, {}, error);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError(argument, `expected an http or https URL, got ${url.protocol}`);
  }
  return url;
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

function splitQuery(rest: string): { path: string; query: URLSearchParams } {
  const at = rest.indexOf('?');
  const path = at === -1 ? rest : rest.slice(0, at);
  return { path: safeDecode(path), query: new URLSearchParams(at === -1 ? '' : rest.slice(at + 1)) };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function takeParams(query: URLSearchParams, known: Record<string, (value: string) => void>): void {
  for (const [name, value] of query) {
    const take = known[name];
    if (!take) {
      throw new InvalidArgumentError(`config.${name}`, `unknown URL parameter '${name}'`, {
        expected: Object.keys(known).join(', '),
      });
    }
    take(value);
  }
}

/** The URL with its token (or any query) hidden, for messages. */
function redact(url: string): string {
  return url.replace(/([?&](?:token|account)=)[^&]*/g, '$1…');
}
