import { InvalidArgumentError } from '../errors.js';

/** One decoded DER element. */
export interface DerNode {
  /** The identifier octet, e.g. `0x30` for SEQUENCE, `0xa3` for `[3]` constructed. */
  readonly tag: number;
  /** The content bytes (a view into the input). */
  readonly content: Buffer;
  /** The whole encoding: tag, length and content (a view into the input), e.g. to copy a name verbatim. */
  readonly encoded: Buffer;
  /** For constructed elements (tag bit 0x20), the decoded children; empty otherwise. */
  readonly children: readonly DerNode[];
}

/**
 * Decodes one DER element, and recursively the children of constructed elements.
 *
 * @param bytes - the encoding
 * @param offset - where the element starts; defaults to 0
 * @returns the element and the offset just after it
 * @throws InvalidArgumentError when an element's length runs past the end of its input or uses an indefinite length
 * @example
 * const certificate = decode(der).node;
 * const toBeSigned = certificate.children[0];
 */
export function decode(bytes: Uint8Array, offset = 0): { node: DerNode; end: number } {
  const input = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return decodeAt(input, offset, 0);
}

// Certificates nest about ten levels deep; a bound keeps hostile input from exhausting the stack.
const maxDepth = 64;

function decodeAt(input: Buffer, offset: number, depth: number): { node: DerNode; end: number } {
  if (depth > maxDepth) throw malformed(`elements nest deeper than ${maxDepth} levels`, offset);
  const tag = input[offset];
  let cursor = offset + 1;
  let length = input[cursor++];
  if (tag === undefined || length === undefined) throw malformed('element header is truncated', offset);
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 6) throw malformed('element uses an indefinite or oversized length', offset);
    length = 0;
    for (let index = 0; index < count; index++) {
      const byte = input[cursor++];
      if (byte === undefined) throw malformed('element length is truncated', offset);
      // DER lengths are minimal (X.690 §10.1): no leading zero octet, no long form below 128.
      if (index === 0 && byte === 0) throw malformed('element length has a leading zero octet (not DER)', offset);
      length = length * 256 + byte;
    }
    if (length < 0x80) throw malformed('element length uses the long form for a short length (not DER)', offset);
  }
  const end = cursor + length;
  if (end > input.length) throw malformed('element content runs past the end of the input', offset);
  const content = input.subarray(cursor, end);
  const children: DerNode[] = [];
  if (tag & 0x20) {
    let childOffset = 0;
    while (childOffset < content.length) {
      const child = decodeAt(content, childOffset, depth + 1);
      children.push(child.node);
      childOffset = child.end;
    }
  }
  return { node: { tag, content, encoded: input.subarray(offset, end), children }, end };
}

/**
 * Decodes the content of an OBJECT IDENTIFIER into dotted form.
 *
 * @param content - the OID's content bytes (a {@link DerNode}'s `content`, without tag and length)
 * @returns the dotted OID, e.g. `2.5.4.3`
 * @example
 * decodeObjectIdentifier(node.content) === '1.2.3.4.5.6.7.8.1';
 */
export function decodeObjectIdentifier(content: Uint8Array): string {
  const subidentifiers: number[] = [];
  let value = 0;
  for (const byte of content) {
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      subidentifiers.push(value);
      value = 0;
    }
  }
  const [first = 0, ...rest] = subidentifiers;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...rest].join('.');
}

function malformed(message: string, offset: number): InvalidArgumentError {
  return new InvalidArgumentError('bytes', `malformed DER: ${message}`, { offset });
}
