// A protobuf wire-format reader, enough to walk Fabric's messages by field number without
// generated code (which pulls in Node's gRPC stack). Signed fields keep their exact bytes:
// nothing is ever re-serialized.

/** A field's value: varints and fixed-width numbers as bigint, length-delimited fields as bytes. */
export type ProtoValue = bigint | Uint8Array;

/** A decoded message: every occurrence of each field number, in wire order. */
export type ProtoMessage = ReadonlyMap<number, readonly ProtoValue[]>;

function readVarint(bytes: Uint8Array, start: number): { value: bigint; end: number } {
  let value = 0n;
  let shift = 0n;
  for (let at = start; at < bytes.length && at < start + 10; at++) {
    const byte = bytes[at] as number;
    value |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return { value, end: at + 1 };
    shift += 7n;
  }
  throw new Error('truncated or overlong protobuf varint');
}

/**
 * Decodes one message level.
 *
 * @param bytes - the serialized message
 * @returns the fields by number
 * @throws Error when the bytes are not well-formed protobuf (truncated, groups, unknown wire type)
 */
export function parseMessage(bytes: Uint8Array): ProtoMessage {
  const fields = new Map<number, ProtoValue[]>();
  let at = 0;
  while (at < bytes.length) {
    const key = readVarint(bytes, at);
    at = key.end;
    const field = Number(key.value >> 3n);
    const wireType = Number(key.value & 7n);
    if (field === 0) throw new Error('protobuf field number 0');
    let value: ProtoValue;
    if (wireType === 0) {
      const read = readVarint(bytes, at);
      value = read.value;
      at = read.end;
    } else if (wireType === 2) {
      const length = readVarint(bytes, at);
      const end = length.end + Number(length.value);
      if (length.value > BigInt(bytes.length) || end > bytes.length) {
        throw new Error('protobuf length-delimited field runs past the end of its message');
      }
      value = bytes.subarray(length.end, end);
      at = end;
    } else if (wireType === 1 || wireType === 5) {
      const width = wireType === 1 ? 8 : 4;
      if (at + width > bytes.length) throw new Error('truncated protobuf fixed-width field');
      let number = 0n;
      for (let index = width - 1; index >= 0; index--) number = (number << 8n) | BigInt(bytes[at + index] as number);
      value = number;
      at += width;
    } else {
      throw new Error(`unsupported protobuf wire type ${wireType}`);
    }
    const list = fields.get(field);
    if (list) list.push(value);
    else fields.set(field, [value]);
  }
  return fields;
}

function asBytes(value: ProtoValue | undefined, field: number): Uint8Array {
  if (value === undefined) return new Uint8Array();
  if (typeof value === 'bigint') throw new Error(`protobuf field ${field} is a number, not bytes`);
  return value;
}

function asNumber(value: ProtoValue | undefined, field: number): bigint {
  if (value === undefined) return 0n;
  if (typeof value !== 'bigint') throw new Error(`protobuf field ${field} is bytes, not a number`);
  return value;
}

/** A singular bytes/string/message field (the last occurrence wins, as in protobuf); empty when absent. */
export function bytesField(message: ProtoMessage, field: number): Uint8Array {
  const values = message.get(field);
  return asBytes(values?.[values.length - 1], field);
}

/** A repeated bytes/string/message field. */
export function repeatedBytes(message: ProtoMessage, field: number): Uint8Array[] {
  return (message.get(field) ?? []).map((value) => asBytes(value, field));
}

/** A singular embedded message field, decoded (an absent field decodes as an empty message). */
export function messageField(message: ProtoMessage, field: number): ProtoMessage {
  return parseMessage(bytesField(message, field));
}

/** A singular varint field as bigint (0 when absent). */
export function uintField(message: ProtoMessage, field: number): bigint {
  const values = message.get(field);
  return asNumber(values?.[values.length - 1], field);
}

/** A singular integer field as a number; throws above 2^53. */
export function numberField(message: ProtoMessage, field: number): number {
  const value = uintField(message, field);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`protobuf field ${field} is too large`);
  return Number(value);
}

/** A signed int32 field (negative values are sign-extended to 64 bits on the wire). */
export function int32Field(message: ProtoMessage, field: number): number {
  return Number(BigInt.asIntN(32, uintField(message, field)));
}

/** A singular bool field. */
export function boolField(message: ProtoMessage, field: number): boolean {
  return uintField(message, field) !== 0n;
}

/** A singular string field, as UTF-8. */
export function stringField(message: ProtoMessage, field: number): string {
  return new TextDecoder().decode(bytesField(message, field));
}

/** A `map<string, bytes|message>` field: entries with key 1 and value 2. */
export function mapField(message: ProtoMessage, field: number): Map<string, Uint8Array> {
  const map = new Map<string, Uint8Array>();
  for (const entry of repeatedBytes(message, field)) {
    const parsed = parseMessage(entry);
    map.set(stringField(parsed, 1), bytesField(parsed, 2));
  }
  return map;
}
