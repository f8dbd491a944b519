import { randomFillSync } from 'node:crypto';

const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const pool = new Uint8Array(4096);
let offset = pool.length;

function randomByte(): number {
  if (offset >= pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  return pool[offset++] as number;
}

/**
 * A 22-character base62 document or transaction id, like QLDB's: 8 characters of
 * millisecond time, then 14 random characters (83 bits). Ids made later sort later, so
 * new documents land at the end of the storage indexes instead of on random pages.
 */
let prefixTime = -1;
let prefixText = '';

export function randomId(): string {
  const now = Date.now();
  if (now !== prefixTime) {
    let time = now;
    let prefix = '';
    for (let i = 0; i < 8; i++) {
      prefix = alphabet[time % 62] + prefix;
      time = Math.floor(time / 62);
    }
    prefixTime = now;
    prefixText = prefix;
  }
  const prefix = prefixText;
  let suffix = '';
  while (suffix.length < 14) {
    const byte = randomByte();
    // 248 = 4 * 62: rejecting the rest keeps every character equally likely.
    if (byte < 248) suffix += alphabet[byte % 62];
  }
  return prefix + suffix;
}

/** Document ids given by users: 1 to 128 letters, digits, `_` or `-`. */
export const documentIdPattern = /^[A-Za-z0-9_-]{1,128}$/;
