// Just enough DER (ITU-T X.690) to build and read the X.509 certificates of test identities.

export function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, ...contents: Uint8Array[]): Buffer {
  const body = Buffer.concat(contents);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

export const sequence = (...items: Uint8Array[]): Buffer => tlv(0x30, ...items);
export const set = (...items: Uint8Array[]): Buffer => tlv(0x31, ...items);
export const utf8String = (text: string): Buffer => tlv(0x0c, Buffer.from(text, 'utf8'));
export const octetString = (bytes: Uint8Array): Buffer => tlv(0x04, bytes);
export const bitString = (bytes: Uint8Array): Buffer => tlv(0x03, Buffer.from([0]), bytes);
export const explicit = (tagNumber: number, item: Uint8Array): Buffer => tlv(0xa0 | tagNumber, item);

export function integer(value: Uint8Array): Buffer {
  let bytes = Buffer.from(value);
  while (bytes.length > 1 && bytes[0] === 0 && (bytes[1] ?? 0) < 0x80) bytes = bytes.subarray(1);
  if ((bytes[0] ?? 0) >= 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(0x02, bytes);
}

export function objectIdentifier(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const groups: number[] = [];
    let remaining = arc;
    do {
      groups.unshift(remaining & 0x7f);
      remaining = Math.floor(remaining / 128);
    } while (remaining > 0);
    for (let index = 0; index < groups.length - 1; index++) groups[index] = (groups[index] ?? 0) | 0x80;
    bytes.push(...groups);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** UTCTime, as RFC 5280 requires for dates before 2050. */
export function utcTime(date: Date): Buffer {
  const text = `${date.toISOString().replace(/[-:T]/g, '').slice(2, 14)}Z`;
  return tlv(0x17, Buffer.from(text, 'ascii'));
}

/** One decoded DER element: its tag, its content bytes and, for constructed types, its children. */
export interface DerNode {
  tag: number;
  content: Buffer;
  children: DerNode[];
}

/** Decodes one DER element at `offset`; requires well-formed input (it came from our own encoder or a CA). */
export function decode(bytes: Buffer, offset = 0): { node: DerNode; end: number } {
  const tag = bytes[offset] ?? 0;
  let cursor = offset + 1;
  let length = bytes[cursor++] ?? 0;
  if (length & 0x80) {
    const count = length & 0x7f;
    length = 0;
    for (let index = 0; index < count; index++) length = length * 256 + (bytes[cursor++] ?? 0);
  }
  const content = bytes.subarray(cursor, cursor + length);
  const children: DerNode[] = [];
  if (tag & 0x20) {
    let childOffset = 0;
    while (childOffset < content.length) {
      const child = decode(content, childOffset);
      children.push(child.node);
      childOffset = child.end;
    }
  }
  return { node: { tag, content, children }, end: cursor + length };
}

export function decodeObjectIdentifier(content: Buffer): string {
  const first = content[0] ?? 0;
  const arcs = [Math.floor(first / 40), first % 40];
  let value = 0;
  for (const byte of content.subarray(1)) {
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      arcs.push(value);
      value = 0;
    }
  }
  return arcs.join('.');
}
