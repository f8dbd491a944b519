export const compositeKeyNamespace = '\u0000';
export const emptyKeySubstitute = '\u0001';
export const maxUnicodeRune = '\u{10ffff}';

// LevelDB orders keys by their UTF-8 bytes; JavaScript's `<` orders UTF-16 code units, which
// differ above U+FFFF (U+10FFFF must sort after U+FFFF), so compare bytes.
export function compareKeys(left: string, right: string): number {
  return Buffer.compare(Buffer.from(left, 'utf8'), Buffer.from(right, 'utf8'));
}

export function inRange(key: string, startKey: string, endKey: string): boolean {
  return compareKeys(key, startKey) >= 0 && (endKey === '' || compareKeys(key, endKey) < 0);
}
