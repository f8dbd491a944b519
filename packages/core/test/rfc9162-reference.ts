// A deliberately naive RFC 9162 implementation written straight from the recursive
// definitions in §2.1.1 (MTH), §2.1.3.1 (PATH) and §2.1.4.1 (PROOF/SUBPROOF), sharing no
// code with src/. Property tests compare the production code against it.
import { createHash } from 'node:crypto';

const sha256 = (...parts: Uint8Array[]): Buffer => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

/** Largest power of two smaller than n (n > 1). */
function k(n: number): number {
  let power = 1;
  while (power * 2 < n) power *= 2;
  return power;
}

export function mth(leaves: readonly Uint8Array[]): Buffer {
  const n = leaves.length;
  if (n === 0) return sha256();
  if (n === 1) return sha256(Buffer.from([0]), leaves[0] as Uint8Array);
  const split = k(n);
  return sha256(Buffer.from([1]), mth(leaves.slice(0, split)), mth(leaves.slice(split)));
}

export function path(m: number, leaves: readonly Uint8Array[]): Buffer[] {
  const n = leaves.length;
  if (n === 1) return [];
  const split = k(n);
  if (m < split) return [...path(m, leaves.slice(0, split)), mth(leaves.slice(split))];
  return [...path(m - split, leaves.slice(split)), mth(leaves.slice(0, split))];
}

function subproof(m: number, leaves: readonly Uint8Array[], whole: boolean): Buffer[] {
  const n = leaves.length;
  if (m === n) return whole ? [] : [mth(leaves)];
  const split = k(n);
  if (m <= split) return [...subproof(m, leaves.slice(0, split), whole), mth(leaves.slice(split))];
  return [...subproof(m - split, leaves.slice(split), false), mth(leaves.slice(0, split))];
}

export function proof(m: number, leaves: readonly Uint8Array[]): Buffer[] {
  if (m === 0 || m === leaves.length) return [];
  return subproof(m, leaves, true);
}

export function leafHash(leaf: Uint8Array): Buffer {
  return sha256(Buffer.from([0]), leaf);
}
