import { randomFillSync } from 'node:crypto';

const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const pool = new Uint8Array(16 * 512);
let offset = pool.length;

/**
 * A random 128-bit id written as 22 base62 characters, like QLDB's document ids.
 * Random bytes are drawn in bulk: ids are made on the commit path.
 */
export function randomId(): string {
  if (offset + 16 > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  let value = 0n;
  for (let i = 0; i < 16; i++) value = (value << 8n) | BigInt(pool[offset + i] as number);
  offset += 16;
  let out = '';
  for (let i = 0; i < 22; i++) {
    out = alphabet[Number(value % 62n)] + out;
    value /= 62n;
  }
  return out;
}

/** Document ids given by users: 1 to 128 letters, digits, `_` or `-`. */
export const documentIdPattern = /^[A-Za-z0-9_-]{1,128}$/;
