// Random mutations of valid verifier inputs for property-based fuzzing (fast-check): one
// mutation at a random place in a JSON-like value — a changed, removed or retyped field, a
// changed character, a truncated, reordered or grown array, and for binary fields (hex,
// base64) a flipped bit, a changed, dropped or inserted byte or a truncation of the decoded
// bytes, so the mutation reaches the parsers (RLP, protobuf, DER) behind the strings.
import fc from 'fast-check';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

/** One mutation, as generated: where (an index into the value's paths) and what. */
export interface Mutation {
  at: number;
  kind: 'delete' | 'retype' | 'number' | 'char' | 'bytes' | 'truncate-array' | 'swap-array' | 'duplicate-array';
  pick: number;
  replacement: unknown;
}

const hardValues: unknown[] = [
  null,
  undefined,
  true,
  0,
  -1,
  1.5,
  2 ** 53,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  '',
  '0x',
  '0',
  '-1',
  'x'.repeat(10_000),
  '\u0000',
  '\ud800',
  '🙂',
  [],
  {},
  [null],
  { length: 1 },
  '__proto__',
];

/** Mutations, with fast-check's shrinking. */
export const mutationArbitrary: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom<Mutation['kind']>(
    'delete',
    'retype',
    'number',
    'char',
    'bytes',
    'bytes',
    'bytes',
    'truncate-array',
    'swap-array',
    'duplicate-array',
  ),
  pick: fc.nat(),
  replacement: fc.oneof(fc.constantFrom(...hardValues), fc.integer(), fc.string(), fc.double(), fc.constant(2 ** 64)),
});

/** Every path in a value, the root excluded, in a stable order. */
export function pathsOf(value: unknown): Path[] {
  const out: Path[] = [];
  const walk = (node: unknown, path: Path) => {
    if (path.length > 0) out.push(path);
    if (Array.isArray(node)) {
      for (const [i, child] of node.entries()) walk(child, [...path, i]);
    } else if (node !== null && typeof node === 'object') {
      for (const key of Object.keys(node)) walk((node as Record<string, unknown>)[key], [...path, key]);
    }
  };
  walk(value, []);
  return out;
}

const hexPattern = /^(0x)?([0-9a-fA-F]{2})+$/;
const base64Pattern = /^[A-Za-z0-9+/]{16,}={0,2}$/;

function decode(text: string): { bytes: Uint8Array; encode(bytes: Uint8Array): string } | undefined {
  if (hexPattern.test(text)) {
    const prefix = text.startsWith('0x') ? '0x' : '';
    const body = text.slice(prefix.length);
    const bytes = Uint8Array.from(body.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
    return { bytes, encode: (next) => prefix + Array.from(next, (b) => b.toString(16).padStart(2, '0')).join('') };
  }
  if (base64Pattern.test(text) && text.length % 4 === 0) {
    const binary = atob(text);
    return {
      bytes: Uint8Array.from(binary, (c) => c.charCodeAt(0)),
      encode: (next) => btoa(String.fromCharCode(...next)),
    };
  }
  return undefined;
}

function mutateBytes(bytes: Uint8Array, pick: number): Uint8Array | undefined {
  if (bytes.length === 0) return Uint8Array.of(pick & 0xff);
  const i = pick % bytes.length;
  const out = Uint8Array.from(bytes);
  switch ((pick >>> 8) % 5) {
    case 0:
      out[i] = (out[i] as number) ^ (1 << ((pick >>> 12) % 8));
      return out;
    case 1:
      out[i] = ((out[i] as number) + 1 + ((pick >>> 12) % 255)) & 0xff;
      return out;
    case 2:
      return Uint8Array.from([...bytes.subarray(0, i), ...bytes.subarray(i + 1)]);
    case 3:
      return Uint8Array.from([...bytes.subarray(0, i), (pick >>> 12) & 0xff, ...bytes.subarray(i)]);
    default:
      return bytes.subarray(0, i);
  }
}

/** A character other than `c` in any letter case (hex is case-insensitive). */
function otherChar(c: string, pick: number): string {
  const pool = '0123456789abcdefghijklmnopqrstuvwxyz-_.:/+= ';
  for (let k = 0; k < pool.length; k++) {
    const candidate = pool[(pick + k) % pool.length] as string;
    if (candidate.toLowerCase() !== c.toLowerCase()) return candidate;
  }
  return '!';
}

/**
 * Applies a mutation to a deep copy of `value`.
 *
 * @returns the mutated copy and a description, or undefined when the mutation changes nothing
 */
export function applyMutation(
  value: unknown,
  paths: Path[],
  mutation: Mutation,
): { value: unknown; description: string } | undefined {
  if (paths.length === 0) return undefined;
  const path = paths[mutation.at % paths.length] as Path;
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let parent: Record<string | number, unknown> = copy;
  for (const step of path.slice(0, -1)) parent = parent[step] as Record<string | number, unknown>;
  const key = path[path.length - 1] as string | number;
  const old = parent[key];
  const where = path.join('.');
  const set = (next: unknown, what: string) => {
    // -0 is 0 in JSON: not a change.
    if (Object.is(next, old) || (typeof next === 'number' && next === old)) return undefined;
    parent[key] = next;
    return { value: copy, description: `${where}: ${what}` };
  };
  switch (mutation.kind) {
    case 'delete':
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
      return { value: copy, description: `${where}: deleted` };
    case 'retype':
      return set(mutation.replacement, `replaced by ${String(mutation.replacement).slice(0, 40)}`);
    case 'number':
      if (typeof old === 'number') return set(old + ((mutation.pick % 3) - 1 || 1), 'number changed');
      if (typeof old === 'string' && /^(0x)?[0-9]+$/.test(old)) {
        const next = old.startsWith('0x') ? `0x${(BigInt(old) + 1n).toString(16)}` : String(BigInt(old) + 1n);
        return set(next, 'numeric string changed');
      }
      return undefined;
    case 'char': {
      if (typeof old !== 'string' || old.length === 0) return undefined;
      const i = mutation.pick % old.length;
      return set(old.slice(0, i) + otherChar(old[i] as string, mutation.pick >>> 6) + old.slice(i + 1), `char ${i}`);
    }
    case 'bytes': {
      if (typeof old !== 'string') return undefined;
      const decoded = decode(old);
      if (!decoded) return undefined;
      const next = mutateBytes(decoded.bytes, mutation.pick);
      if (!next) return undefined;
      const text = decoded.encode(next);
      return text === old ? undefined : set(text, `bytes (${decoded.bytes.length} → ${next.length})`);
    }
    case 'truncate-array':
      if (!Array.isArray(old) || old.length === 0) return undefined;
      return set(old.slice(0, mutation.pick % old.length), 'array truncated');
    case 'swap-array': {
      if (!Array.isArray(old) || old.length < 2) return undefined;
      const i = mutation.pick % old.length;
      const j = (i + 1) % old.length;
      if (JSON.stringify(old[i]) === JSON.stringify(old[j])) return undefined;
      const next = [...old];
      [next[i], next[j]] = [next[j], next[i]];
      return set(next, `array items ${i} and ${j} swapped`);
    }
    case 'duplicate-array':
      if (!Array.isArray(old) || old.length === 0) return undefined;
      return set([...old, old[mutation.pick % old.length]], 'array item duplicated');
  }
}

export type { Json, Path };
