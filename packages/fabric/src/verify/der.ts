// A DER reader and the few encoders block hashing needs, on Uint8Array (no Buffer), for the
// browser-safe verifier.

/** One decoded DER element. */
export interface DerElement {
  /** The identifier octet, e.g. `0x30` for SEQUENCE. */
  readonly tag: number;
  /** The content bytes (a view into the input). */
  readonly content: Uint8Array;
  /** Tag, length and content (a view into the input). */
  readonly encoded: Uint8Array;
  /** Children of a constructed element; empty otherwise. */
  readonly children: readonly DerElement[];
}

/**
 * Decodes one DER element and, recursively, the children of constructed ones.
 *
 * @param bytes - the encoding
 * @param offset - where the element starts
 * @returns the element and the offset just after it
 * @throws Error on a truncated element, an indefinite length or a multi-byte tag
 */
export function decodeDer(bytes: Uint8Array, offset = 0): { element: DerElement; end: number } {
  const tag = bytes[offset];
  let cursor = offset + 1;
  let length = bytes[cursor++];
  if (tag === undefined || length === undefined) throw new Error('malformed DER: truncated element header');
  if ((tag & 0x1f) === 0x1f) throw new Error('malformed DER: multi-byte tags are not supported');
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4) throw new Error('malformed DER: indefinite or oversized length');
    length = 0;
    for (let index = 0; index < count; index++) {
      const byte = bytes[cursor++];
      if (byte === undefined) throw new Error('malformed DER: truncated length');
      length = length * 256 + byte;
    }
  }
  const end = cursor + length;
  if (end > bytes.length) throw new Error('malformed DER: content runs past the end of the input');
  const content = bytes.subarray(cursor, end);
  const children: DerElement[] = [];
  if (tag & 0x20) {
    let at = 0;
    while (at < content.length) {
      const child = decodeDer(content, at);
      children.push(child.element);
      at = child.end;
    }
  }
  return { element: { tag, content, encoded: bytes.subarray(offset, end), children }, end };
}

/** Decodes a whole DER input that must be exactly one element. */
export function decodeDerExactly(bytes: Uint8Array): DerElement {
  const { element, end } = decodeDer(bytes);
  if (end !== bytes.length) throw new Error('malformed DER: trailing bytes after the element');
  return element;
}

/** The dotted form of an OBJECT IDENTIFIER's content. */
export function objectIdentifier(content: Uint8Array): string {
  const parts: number[] = [];
  let value = 0;
  for (const byte of content) {
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      parts.push(value);
      value = 0;
    }
  }
  const [first = 0, ...rest] = parts;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...rest].join('.');
}

function derLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/** A DER element: tag, length, content. */
export function derTlv(tag: number, ...contents: Uint8Array[]): Uint8Array {
  const size = contents.reduce((sum, part) => sum + part.length, 0);
  const length = derLength(size);
  const out = new Uint8Array(1 + length.length + size);
  out[0] = tag;
  out.set(length, 1);
  let at = 1 + length.length;
  for (const part of contents) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A DER INTEGER of an unsigned big-endian magnitude (minimal, with a 0 byte when the top bit is set). */
export function derUnsignedInteger(magnitude: Uint8Array): Uint8Array {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const trimmed = magnitude.length === 0 ? Uint8Array.of(0) : magnitude.subarray(start);
  const needsZero = ((trimmed[0] as number) & 0x80) !== 0;
  return derTlv(0x02, needsZero ? Uint8Array.of(0, ...trimmed) : trimmed);
}
