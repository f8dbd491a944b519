// The channel's membership as its config block states it: each organization's MSP (root and
// intermediate CA certificates, NodeOU roles) in the Application and Orderer groups. These
// are the trust anchors of every signature check; the config block itself is trusted as given
// (pin its hash, which the checks report, to make that trust explicit).
import { createHash, type KeyObject, X509Certificate } from 'node:crypto';
import { common, msp } from '@hyperledger/fabric-protos';
import { blockHeaderHash } from './block-hash.js';
import { type DecodedBlock, decodeBlock, decodeEnvelope, headerTypeConfig } from './decode.js';
import { parseRevocationList, type RevocationList, revokes } from './revocation.js';
import { signatureProblem } from './signature.js';

/** A Fabric role a NodeOU-enabled MSP assigns by certificate OU. */
export type MspRole = 'client' | 'peer' | 'admin' | 'orderer';

/** One organization's MSP from the channel config. */
export interface ChannelMsp {
  mspId: string;
  /** Whether the organization is in the Orderer group (an ordering service organization). */
  orderer: boolean;
  roots: X509Certificate[];
  intermediates: X509Certificate[];
  /** Admin certificates listed explicitly (pre-NodeOU style), as DER. */
  admins: Buffer[];
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
  /** Chain validation results by MSP id and certificate, reused across transactions. */
  identityCache: Map<string, ValidatedIdentity>;
}

/** A serialized identity, resolved against the channel's MSPs. */
export interface ValidatedIdentity {
  mspId: string;
  certificate: X509Certificate | undefined;
  /** The certificate's public key. */
  publicKey: KeyObject | undefined;
  /** Issuers from the certificate's up to the MSP root. */
  issuers: X509Certificate[];
  /** Validity windows of the certificate and its issuers, in milliseconds since the epoch. */
  validity: Array<{ which: string; from: number; to: number }>;
  /** Undefined when the certificate chains to the MSP's roots, otherwise why not. */
  problem: string | undefined;
  /** Common name of the certificate's subject, for details. */
  name: string;
  /** OUs of the certificate's subject. */
  organizationalUnits: string[];
}

function bytesOf(value: Uint8Array | string): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'base64') : Buffer.from(value);
}

function parseMsp(mspId: string, value: Uint8Array, orderer: boolean): ChannelMsp {
  const config = msp.MSPConfig.deserializeBinary(value);
  // Type 0 is FABRIC (X.509); idemix MSPs (type 1) cannot sign endorsements or blocks.
  if (config.getType() !== 0) {
    return { mspId, orderer, roots: [], intermediates: [], admins: [], revocationLists: [], nodeOus: undefined };
  }
  const fabric = msp.FabricMSPConfig.deserializeBinary(config.getConfig_asU8());
  const certificates = (list: Uint8Array[]) => list.map((pem) => new X509Certificate(Buffer.from(pem)));
  const nodeOus = fabric.getFabricNodeOus();
  return {
    mspId: fabric.getName() || mspId,
    orderer,
    roots: certificates(fabric.getRootCertsList_asU8()),
    intermediates: certificates(fabric.getIntermediateCertsList_asU8()),
    admins: fabric.getAdminsList_asU8().map((pem) => new X509Certificate(Buffer.from(pem)).raw),
    revocationLists: fabric.getRevocationListList_asU8().map(parseRevocationList),
    nodeOus: nodeOus?.getEnable()
      ? Object.fromEntries(
          (
            [
              ['client', nodeOus.getClientOuIdentifier()],
              ['peer', nodeOus.getPeerOuIdentifier()],
              ['admin', nodeOus.getAdminOuIdentifier()],
              ['orderer', nodeOus.getOrdererOuIdentifier()],
            ] as const
          ).flatMap(([role, identifier]) => (identifier ? [[role, identifier.getOrganizationalUnitIdentifier()]] : [])),
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
  const channelGroup = common.ConfigEnvelope.deserializeBinary(envelope.data).getConfig()?.getChannelGroup();
  if (!channelGroup) throw new Error(`config block ${block.number} has no channel group`);
  const msps = new Map<string, ChannelMsp>();
  for (const [groupName, orderer] of [
    ['Application', false],
    ['Orderer', true],
  ] as const) {
    const group = channelGroup.getGroupsMap().get(groupName);
    group?.getGroupsMap().forEach((organization: common.ConfigGroup, name: string) => {
      const value = organization.getValuesMap().get('MSP');
      if (!value) return;
      const parsed = parseMsp(name, value.getValue_asU8(), orderer);
      const known = msps.get(parsed.mspId);
      msps.set(parsed.mspId, known ? { ...parsed, orderer: known.orderer || orderer } : parsed);
    });
  }
  return {
    channelId: envelope.channelId,
    blockNumber: block.number,
    blockHash: blockHeaderHash(block).toString('hex'),
    msps,
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
  const key = createHash('sha256').update(bytes).digest('hex');
  const cached = parsedConfigs.get(key);
  if (cached) return cached;
  const config = parseChannelConfig(decodeBlock(bytes));
  if (parsedConfigs.size >= parsedConfigLimit) parsedConfigs.delete(parsedConfigs.keys().next().value as string);
  parsedConfigs.set(key, config);
  return config;
}

function attribute(name: string, text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}=`))
    .flatMap((line) => line.slice(name.length + 1).split('+'));
}

/** As Fabric's MSP: the certificate is revoked when a CRL signed by its issuer lists its serial number. */
function revocationProblem(
  certificate: X509Certificate,
  issuer: X509Certificate,
  channelMsp: ChannelMsp,
): string | undefined {
  const list = channelMsp.revocationLists.find((candidate) =>
    revokes(candidate, certificate.serialNumber, issuer.publicKey),
  );
  return list
    ? `the certificate (serial ${certificate.serialNumber.toLowerCase()}) is revoked by a CRL of ${channelMsp.mspId}'s CA ${attribute('CN', issuer.subject).join('+')}`
    : undefined;
}

/** The certificate's issuers up to a root of the MSP, or why there is no such chain. */
function chainOf(
  certificate: X509Certificate,
  channelMsp: ChannelMsp,
): { issuers: X509Certificate[]; problem: string | undefined } {
  const issuers: X509Certificate[] = [];
  if (certificate.ca) {
    return { issuers, problem: 'the certificate is a CA certificate, which Fabric does not accept as an identity' };
  }
  let current = certificate;
  for (let depth = 0; depth < 8; depth++) {
    const issuedBy = (issuer: X509Certificate) => current.checkIssued(issuer) && current.verify(issuer.publicKey);
    const root = channelMsp.roots.find(issuedBy);
    if (root)
      return {
        issuers: [...issuers, root],
        problem: revocationProblem(certificate, [...issuers, root][0] as X509Certificate, channelMsp),
      };
    const intermediate = channelMsp.intermediates.find(issuedBy);
    if (!intermediate) {
      const issuer = current.issuer.replaceAll('\n', ', ');
      return {
        issuers,
        problem: `the certificate (issuer ${issuer}) is not issued by a root or intermediate CA of ${channelMsp.mspId}`,
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
 *
 * @param config - the channel config
 * @param serializedIdentity - the identity bytes
 * @returns the identity, with `problem` set when it is not a valid member
 */
function resolveIdentity(config: ChannelConfig, serializedIdentity: Uint8Array): ValidatedIdentity {
  const cacheKey = createHash('sha256').update(serializedIdentity).digest('base64');
  const cached = config.identityCache.get(cacheKey);
  if (cached) return cached;
  let resolved: ValidatedIdentity;
  try {
    const identity = msp.SerializedIdentity.deserializeBinary(serializedIdentity);
    const mspId = identity.getMspid();
    const certificate = new X509Certificate(bytesOf(identity.getIdBytes_asU8()));
    const channelMsp = config.msps.get(mspId);
    const chain = channelMsp
      ? chainOf(certificate, channelMsp)
      : { issuers: [], problem: `${mspId} is not an organization of channel ${config.channelId}` };
    resolved = {
      mspId,
      certificate,
      publicKey: certificate.publicKey,
      issuers: chain.issuers,
      validity: [certificate, ...chain.issuers].map((item) => ({
        which: item === certificate ? 'the certificate' : `its issuer ${attribute('CN', item.subject).join('+')}`,
        from: Date.parse(item.validFrom),
        to: Date.parse(item.validTo),
      })),
      name: attribute('CN', certificate.subject).join('+'),
      organizationalUnits: attribute('OU', certificate.subject),
      problem: chain.problem,
    };
  } catch (error) {
    resolved = {
      mspId: '',
      certificate: undefined,
      publicKey: undefined,
      issuers: [],
      validity: [],
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
 *
 * @param config - the channel config
 * @param identity - a resolved identity
 * @param roles - acceptable roles
 * @returns undefined when it holds one, otherwise why not
 */
function roleProblem(
  config: ChannelConfig,
  identity: ValidatedIdentity,
  roles: readonly MspRole[],
): string | undefined {
  const channelMsp = config.msps.get(identity.mspId);
  if (!channelMsp || !identity.certificate) return 'unknown identity';
  if (!channelMsp.nodeOus) return undefined;
  const { nodeOus } = channelMsp;
  const held = roles.some((role) => {
    const ou = nodeOus[role];
    if (ou && identity.organizationalUnits.includes(ou)) return true;
    return (
      role === 'admin' && channelMsp.admins.some((admin) => admin.equals(identity.certificate?.raw ?? Buffer.alloc(0)))
    );
  });
  return held
    ? undefined
    : `OUs [${identity.organizationalUnits.join(', ')}] hold none of the roles ${roles.join('/')}`;
}

/**
 * Whether the identity's certificate and its issuers are valid at a time.
 *
 * @param identity - a resolved identity
 * @param at - the time, e.g. the transaction's timestamp
 * @returns undefined when all are valid, otherwise why not
 */
function validityProblem(identity: ValidatedIdentity, at: Date): string | undefined {
  if (!identity.certificate) return 'no certificate';
  const time = at.getTime();
  for (const { which, from, to } of identity.validity) {
    if (time < from)
      return `${which} is not valid before ${new Date(from).toISOString()} (time checked ${at.toISOString()})`;
    if (time > to) return `${which} expired at ${new Date(to).toISOString()} (time checked ${at.toISOString()})`;
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
 * @param options - `cache`: remember the signature's outcome (for signatures many checks share)
 * @returns the resolved identity and the first problem found, if any
 */
export function checkSigner(
  config: ChannelConfig,
  serializedIdentity: Uint8Array,
  data: Uint8Array,
  signature: Uint8Array,
  roles: readonly MspRole[],
  at: Date,
  options: { cache?: boolean } = {},
): { identity: ValidatedIdentity; problem: string | undefined } {
  const identity = resolveIdentity(config, serializedIdentity);
  const problem =
    identity.problem ??
    roleProblem(config, identity, roles) ??
    validityProblem(identity, at) ??
    (identity.publicKey
      ? options.cache
        ? cachedSignatureProblem(identity.publicKey, serializedIdentity, data, signature)
        : signatureProblem(identity.publicKey, data, signature)
      : 'no certificate');
  return { identity, problem };
}

// Outcomes of signatures several verifications share (a block's orderer signature, checked
// once per transaction of the block), by SHA-256 of signer, data and signature.
const signatureOutcomes = new Map<string, string | undefined>();

function cachedSignatureProblem(
  key: KeyObject,
  signer: Uint8Array,
  data: Uint8Array,
  signature: Uint8Array,
): string | undefined {
  const id = createHash('sha256').update(signer).update(data).update(signature).digest('base64');
  if (signatureOutcomes.has(id)) return signatureOutcomes.get(id);
  const outcome = signatureProblem(key, data, signature);
  if (signatureOutcomes.size >= 1024) signatureOutcomes.delete(signatureOutcomes.keys().next().value as string);
  signatureOutcomes.set(id, outcome);
  return outcome;
}
