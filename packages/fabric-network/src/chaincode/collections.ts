import { FabricNetworkError } from '../errors.js';
import { endorsementPolicy } from './policy.js';

/** One private data collection of a chaincode, as `peer lifecycle chaincode … --collections-config` reads it. */
export interface PrivateDataCollection {
  /** Collection name: letters, digits, `_` and `-`, not starting with `_`. */
  name: string;
  /**
   * Which organizations hold the data: an OR-only signature policy over members, e.g.
   * `OR('Org1MSP.member','Org2MSP.member')`. Default: every organization of the network.
   */
  policy?: string;
  /** Peers the endorsing peer must disseminate the data to before endorsing (default 0). */
  requiredPeerCount?: number;
  /** Peers the endorsing peer tries to disseminate the data to (default 1). */
  maxPeerCount?: number;
  /** Blocks after which the data is purged; 0 (default) keeps it forever. */
  blockToLive?: number;
  /** Only members may read it through chaincode (default false). */
  memberOnlyRead?: boolean;
  /** Only members may write it through chaincode (default false). */
  memberOnlyWrite?: boolean;
}

/** The JSON element Fabric's peer CLI parses (`collectionConfigJson` in Fabric's sources). */
interface CollectionConfigJson {
  name: string;
  policy: string;
  requiredPeerCount: number;
  maxPeerCount: number;
  blockToLive: number;
  memberOnlyRead: boolean;
  memberOnlyWrite: boolean;
}

// Fabric's lifecycle rejects other names when the definition is committed; checking here
// fails before any lifecycle step.
const collectionName = /^[A-Za-z0-9-][A-Za-z0-9_-]*$/;
const knownFields = new Set([
  'name',
  'policy',
  'requiredPeerCount',
  'maxPeerCount',
  'blockToLive',
  'memberOnlyRead',
  'memberOnlyWrite',
]);

/**
 * Validates the `collections` option and turns it into the content of a collections
 * config file, or `undefined` when there are none.
 */
export function collectionsConfig(
  collections: readonly PrivateDataCollection[] | undefined,
  mspIds: readonly string[],
): string | undefined {
  if (collections === undefined) return undefined;
  const bad = (message: string, details: Record<string, unknown> = {}): never => {
    throw new FabricNetworkError('BAD_OPTION', message, { option: 'collections', ...details });
  };
  if (!Array.isArray(collections)) bad('collections must be an array of { name, policy?, … }');
  if (collections.length === 0) return undefined;
  const names = new Set<string>();
  const configs = collections.map((collection, index): CollectionConfigJson => {
    if (typeof collection !== 'object' || collection === null) bad(`collections[${index}] is not an object`, { index });
    const unknown = Object.keys(collection).filter((key) => !knownFields.has(key));
    if (unknown.length > 0) bad(`collections[${index}] has unknown fields: ${unknown.join(', ')}`, { index, unknown });
    const { name } = collection;
    if (typeof name !== 'string' || !collectionName.test(name)) {
      bad(`invalid collection name '${String(name)}': use letters, digits, '_' and '-', not starting with '_'`, {
        index,
        value: name,
      });
    }
    if (names.has(name)) bad(`collection '${name}' is listed twice`, { index, value: name });
    names.add(name);
    const policy = memberPolicy(collection.policy, mspIds, name);
    const requiredPeerCount = count(collection.requiredPeerCount, 0, 'requiredPeerCount', name);
    const maxPeerCount = count(collection.maxPeerCount, 1, 'maxPeerCount', name);
    if (maxPeerCount < requiredPeerCount) {
      bad(
        `collection '${name}': maxPeerCount (${maxPeerCount}) is less than requiredPeerCount (${requiredPeerCount})`,
        {
          collection: name,
        },
      );
    }
    return {
      name,
      policy,
      requiredPeerCount,
      maxPeerCount,
      blockToLive: count(collection.blockToLive, 0, 'blockToLive', name),
      memberOnlyRead: flag(collection.memberOnlyRead, 'memberOnlyRead', name),
      memberOnlyWrite: flag(collection.memberOnlyWrite, 'memberOnlyWrite', name),
    };
  });
  return `${JSON.stringify(configs, null, 2)}\n`;
}

function memberPolicy(policy: unknown, mspIds: readonly string[], collection: string): string {
  if (policy === undefined) return `OR(${mspIds.map((mspId) => `'${mspId}.member'`).join(',')})`;
  const bad = (why: string): never => {
    throw new FabricNetworkError('BAD_OPTION', `collection '${collection}': invalid policy: ${why}`, {
      option: 'collections',
      collection,
      value: policy,
    });
  };
  if (typeof policy !== 'string' || ['majority', 'any', 'all'].includes(policy.trim())) {
    bad("use a signature policy expression such as OR('Org1MSP.member','Org2MSP.member')");
  }
  let expression = '';
  try {
    expression = endorsementPolicy(policy as string, mspIds);
  } catch (error) {
    bad((error as Error).message);
  }
  // Fabric accepts only policies any one member satisfies: ORs (OutOf(1, …)), no AND.
  if (/\bAND\s*\(/.test(expression) || /\bOutOf\s*\(\s*(?!1\s*,)\d+/.test(expression)) {
    bad('a collection policy may only combine organizations with OR (or OutOf(1, …))');
  }
  return expression;
}

function count(value: unknown, fallback: number, field: string, collection: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new FabricNetworkError(
      'BAD_OPTION',
      `collection '${collection}': ${field} must be a non-negative integer, got ${String(value)}`,
      {
        option: 'collections',
        collection,
        field,
        value,
      },
    );
  }
  return value;
}

function flag(value: unknown, field: string, collection: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') {
    throw new FabricNetworkError('BAD_OPTION', `collection '${collection}': ${field} must be true or false`, {
      option: 'collections',
      collection,
      field,
      value,
    });
  }
  return value;
}
