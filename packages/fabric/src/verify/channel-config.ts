// The channel's membership as its config block states it: each organization's MSP (root and
// intermediate CA certificates, NodeOU roles) in the Application and Orderer groups. These
// are the trust anchors of every signature check: the config block as served unless the
// verifier pins its hash, or the verifier's own MSP roots replace the served ones.

import { blockHeaderHash } from './block-hash.js';
import { sha256, toBase64, toHex } from './bytes.js';
import { type DecodedBlock, decodeBlock, decodeEnvelope, headerTypeConfig } from './decode.js';
import {
  boolField,
  bytesField,
  int32Field,
  mapField,
  messageField,
  parseMessage,
  repeatedBytes,
  stringField,
} from './protobuf.js';
import { parseRevocationList, type RevocationList, revokes } from './revocation.js';
import { signatureProblem } from './signature.js';
import { type Certificate, isIssuedBy, type PublicKey, parseCertificatePem, subjectValues } from './x509.js';

/** A Fabric role a NodeOU-enabled MSP assigns by certificate OU. */
export type MspRole = 'client' | 'peer' | 'admin' | 'orderer';

/** One organization's MSP from the channel config. */
export interface ChannelMsp {
  mspId: string;
  /** Whether the organization is in the Orderer group (an ordering service organization). */
  orderer: boolean;
  roots: Certificate[];
  intermediates: Certificate[];
  /** Admin certificates listed explicitly (pre-NodeOU style), as DER. */
  admins: Uint8Array[];
  /** Certificate revocation lists of the MSP's CAs. */
  revocationLists: RevocationList[];
  /** OU names of each role when NodeOUs are enabled. */
  nodeOus: Partial<Record<MspRole, string>> | undefined;
}

/** The parsed channel config of a config block. */
export interface ChannelConfig {
  channelId: string;
  blockNumber: number;
  /** Header hash of the config block, hex. */
  blockHash: string;
  msps: Map<string, ChannelMsp>;
  /** Where the roots come from, for check details: `config block 0` or `the anchor's MSP roots`. */
  rootsFrom: string;
  /** Chain validation results by certificate, reused across transactions. */
  identityCache: Map<string, ValidatedIdentity>;
}

/** A serialized identity, resolved against the channel's MSPs. */
export interface ValidatedIdentity {
  mspId: string;
  certificate: Certificate | undefined;
  /** Issuers from the certificate's up to the MSP root. */
  issuers: Certificate[];
  /** Undefined when the certificate chains to the MSP's roots, otherwise why not. */
  problem: string | undefined;
  /** Common name of the certificate's subject, for details. */
  name: string;
  /** OUs of the certificate's subject. */
  organizationalUnits: string[];
}

function parseMsp(mspId: string, value: Uint8Array, orderer: boolean): ChannelMsp {
  const config = parseMessage(value);
  // Type 0 is FABRIC (X.509); idemix MSPs (type 1) cannot sign endorsements or blocks.
  if (int32Field(config, 1) !== 0) {
    return { mspId, orderer, roots: [], intermediates: [], admins: [], revocationLists: [], nodeOus: undefined };
  }
  const fabric = messageField(config, 2);
  const certificates = (field: number) => repeatedBytes(fabric, field).map((pem) => parseCertificatePem(pem));
  const nodeOus = fabric.has(11) ? messageField(fabric, 11) : undefined;
  const ou = (field: number) => (nodeOus?.has(field) ? stringField(messageField(nodeOus, field), 2) : undefined);
  return {
    mspId: stringField(fabric, 1) || mspId,
    orderer,
    roots: certificates(2),
    intermediates: certificates(3),
    admins: certificates(4).map((certificate) => certificate.der),
    revocationLists: repeatedBytes(fabric, 5).map(parseRevocationList),
    nodeOus:
      nodeOus && boolField(nodeOus, 1)
        ? Object.fromEntries(
            (
              [
                ['client', ou(2)],
                ['peer', ou(3)],
                ['admin', ou(4)],
                ['orderer', ou(5)],
              ] as const
            ).flatMap(([role, name]) => (name ? [[role, name]] : [])),
          )
        : undefined,
  };
}

/**
 * Parses the MSPs out of a config block.
 *
 * @param block - the decoded config block
 * @returns the channel config
 * @throws Error when the block is not a config block or its config does not decode
 */
function parseChannelConfig(block: DecodedBlock): ChannelConfig {
  const first = block.data[0];
  if (block.data.length !== 1 || !first) throw new Error(`block ${block.number} does not hold exactly one envelope`);
  const envelope = decodeEnvelope(first);
  if (envelope.headerType !== headerTypeConfig) {
    throw new Error(`block ${block.number} is not a config block (header type ${envelope.headerType})`);
  }
  const config = messageField(parseMessage(envelope.data), 1);
  if (!config.has(2)) throw new Error(`config block ${block.number} has no channel group`);
  const channelGroup = messageField(config, 2);
  const groups = mapField(channelGroup, 2);
  const msps = new Map<string, ChannelMsp>();
  for (const [groupName, orderer] of [
    ['Application', false],
    ['Orderer', true],
  ] as const) {
    const group = groups.get(groupName);
    if (!group) continue;
    for (const [name, organization] of mapField(parseMessage(group), 2)) {
      const value = mapField(parseMessage(organization), 3).get('MSP');
      if (!value) continue;
      const parsed = parseMsp(name, bytesField(parseMessage(value), 2), orderer);
      const known = msps.get(parsed.mspId);
      msps.set(parsed.mspId, known ? { ...parsed, orderer: known.orderer || orderer } : parsed);
    }
  }
  return {
    channelId: envelope.channelId,
    blockNumber: block.number,
    blockHash: toHex(blockHeaderHash(block)),
    msps,
    rootsFrom: `config block ${block.number}`,
    identityCache: new Map(),
  };
}

const parsedConfigs = new Map<string, ChannelConfig>();
const parsedConfigLimit = 32;

/**
 * {@link parseChannelConfig} of a serialized config block, cached by the block's SHA-256 so
 * that verifying many transactions parses a channel's config once.
 *
 * @param bytes - the serialized config block
 * @returns the decoded block and its config
 * @throws Error when the bytes are not a config block
 */
export function channelConfigOf(bytes: Uint8Array): ChannelConfig {
  const key = toBase64(sha256(bytes));
  const cached = parsedConfigs.get(key);
  if (cached) return cached;
  const config = parseChannelConfig(decodeBlock(bytes));
  if (parsedConfigs.size >= parsedConfigLimit) parsedConfigs.delete(parsedConfigs.keys().next().value as string);
  parsedConfigs.set(key, config);
  return config;
}

/**
 * The config with each MSP's root certificates replaced by the verifier's: identities then
 * chain to roots the verifier chose, whatever the served config block lists. An MSP the
 * roots do not name has no roots, so none of its identities verifies.
 *
 * @param config - the served config
 * @param roots - root certificates by MSP id
 * @returns a new config (roles and intermediates still from the served config)
 */
export function withAnchorRoots(config: ChannelConfig, roots: ReadonlyMap<string, Certificate[]>): ChannelConfig {
  const msps = new Map<string, ChannelMsp>();
  for (const [mspId, channelMsp] of config.msps) msps.set(mspId, { ...channelMsp, roots: roots.get(mspId) ?? [] });
  return { ...config, msps, rootsFrom: "the anchor's MSP roots", identityCache: new Map() };
}

const commonName = (certificate: Certificate) => subjectValues(certificate, 'CN').join('+');

/** As Fabric's MSP: the certificate is revoked when a CRL signed by its issuer lists its serial number. */
function revocationProblem(certificate: Certificate, issuer: Certificate, channelMsp: ChannelMsp): string | undefined {
  const list = channelMsp.revocationLists.find((candidate) => revokes(candidate, certificate.serial, issuer.publicKey));
  return list
    ? `the certificate (serial ${certificate.serial}) is revoked by a CRL of ${channelMsp.mspId}'s CA ${commonName(issuer)}`
    : undefined;
}

/** The certificate's issuers up to a root of the MSP, or why there is no such chain. */
function chainOf(
  certificate: Certificate,
  channelMsp: ChannelMsp,
): { issuers: Certificate[]; problem: string | undefined } {
  const issuers: Certificate[] = [];
  if (certificate.isCa) {
    return { issuers, problem: 'the certificate is a CA certificate, which Fabric does not accept as an identity' };
  }
  let current = certificate;
  for (let depth = 0; depth < 8; depth++) {
    const issuedBy = (issuer: Certificate) => isIssuedBy(current, issuer);
    const root = channelMsp.roots.find(issuedBy);
    if (root) {
      return {
        issuers: [...issuers, root],
        problem: revocationProblem(certificate, [...issuers, root][0] as Certificate, channelMsp),
      };
    }
    const intermediate = channelMsp.intermediates.find(issuedBy);
    if (!intermediate) {
      return {
        issuers,
        problem: `the certificate is not issued by a root or intermediate CA of ${channelMsp.mspId} (${channelMsp.roots.length} roots)`,
      };
    }
    issuers.push(intermediate);
    current = intermediate;
  }
  return { issuers, problem: 'the certificate chain is longer than 8' };
}

/**
 * Resolves a serialized identity (`msp.SerializedIdentity`) against the channel's MSPs: the
 * MSP must be a member of the channel and the certificate must chain to one of its roots,
 * through its intermediates, with valid signatures (cached per config and certificate).
 */
function resolveIdentity(config: ChannelConfig, serializedIdentity: Uint8Array): ValidatedIdentity {
  const cacheKey = toBase64(sha256(serializedIdentity));
  const cached = config.identityCache.get(cacheKey);
  if (cached) return cached;
  let resolved: ValidatedIdentity;
  try {
    const identity = parseMessage(serializedIdentity);
    const mspId = stringField(identity, 1);
    const certificate = parseCertificatePem(bytesField(identity, 2));
    const channelMsp = config.msps.get(mspId);
    const chain = channelMsp
      ? chainOf(certificate, channelMsp)
      : { issuers: [], problem: `${mspId} is not an organization of channel ${config.channelId}` };
    resolved = {
      mspId,
      certificate,
      issuers: chain.issuers,
      name: commonName(certificate),
      organizationalUnits: subjectValues(certificate, 'OU'),
      problem: chain.problem,
    };
  } catch (error) {
    resolved = {
      mspId: '',
      certificate: undefined,
      issuers: [],
      name: '',
      organizationalUnits: [],
      problem: `the identity does not decode: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  if (config.identityCache.size > 10_000) config.identityCache.clear();
  config.identityCache.set(cacheKey, resolved);
  return resolved;
}

/**
 * Whether an identity holds one of the roles: by its NodeOU (when the MSP enables NodeOUs)
 * or, for `admin`, by being listed among the MSP's admins. Without NodeOUs every member
 * holds every role, as Fabric's `member` principal does.
 */
function roleProblem(
  config: ChannelConfig,
  identity: ValidatedIdentity,
  roles: readonly MspRole[],
): string | undefined {
  const channelMsp = config.msps.get(identity.mspId);
  const certificate = identity.certificate;
  if (!channelMsp || !certificate) return 'unknown identity';
  if (!channelMsp.nodeOus) return undefined;
  const { nodeOus } = channelMsp;
  const held = roles.some((role) => {
    const ou = nodeOus[role];
    if (ou && identity.organizationalUnits.includes(ou)) return true;
    return role === 'admin' && channelMsp.admins.some((admin) => toHex(admin) === toHex(certificate.der));
  });
  return held
    ? undefined
    : `OUs [${identity.organizationalUnits.join(', ')}] hold none of the roles ${roles.join('/')}`;
}

/** Whether the identity's certificate and its issuers are valid at a time. */
function validityProblem(identity: ValidatedIdentity, at: Date): string | undefined {
  if (!identity.certificate) return 'no certificate';
  const time = at.getTime();
  for (const item of [identity.certificate, ...identity.issuers]) {
    const which = item === identity.certificate ? 'the certificate' : `its issuer ${commonName(item)}`;
    if (time < item.notBefore) {
      return `${which} is not valid before ${new Date(item.notBefore).toISOString()} (time checked ${at.toISOString()})`;
    }
    if (time > item.notAfter) {
      return `${which} expired at ${new Date(item.notAfter).toISOString()} (time checked ${at.toISOString()})`;
    }
  }
  return undefined;
}

/**
 * The full identity check of a signer: member of the channel, chains to its MSP's roots,
 * holds one of `roles`, valid at `at`, and signed `data` with `signature`.
 *
 * @param config - the channel config
 * @param serializedIdentity - the signer's identity bytes
 * @param data - the signed bytes
 * @param signature - the signature
 * @param roles - acceptable roles
 * @param at - the time the certificate must be valid at
 * @returns the resolved identity and the first problem found, if any
 */
export function checkSigner(
  config: ChannelConfig,
  serializedIdentity: Uint8Array,
  data: Uint8Array,
  signature: Uint8Array,
  roles: readonly MspRole[],
  at: Date,
): { identity: ValidatedIdentity; problem: string | undefined } {
  const identity = resolveIdentity(config, serializedIdentity);
  const key: PublicKey | undefined = identity.certificate?.publicKey;
  const problem =
    identity.problem ??
    roleProblem(config, identity, roles) ??
    validityProblem(identity, at) ??
    (key ? signatureProblem(key, data, signature) : 'no certificate');
  return { identity, problem };
}
