import { common } from '@hyperledger/fabric-protos';
import { describe, expect, test } from 'vitest';
import { bytesField, mapField, numberField, parseMessage, repeatedBytes, stringField } from './protobuf.js';

describe('protobuf wire reader', () => {
  test('reads what the generated Fabric code writes', () => {
    const header = new common.BlockHeader();
    header.setNumber(300);
    header.setPreviousHash(Uint8Array.of(1, 2, 3));
    header.setDataHash(new Uint8Array(32).fill(9));
    const data = new common.BlockData();
    data.setDataList([Uint8Array.of(7), new Uint8Array(), Uint8Array.of(8, 8)]);
    const block = new common.Block();
    block.setHeader(header);
    block.setData(data);
    const parsed = parseMessage(block.serializeBinary());
    const parsedHeader = parseMessage(bytesField(parsed, 1));
    expect(numberField(parsedHeader, 1)).toBe(300);
    expect([...bytesField(parsedHeader, 2)]).toEqual([1, 2, 3]);
    expect(repeatedBytes(parseMessage(bytesField(parsed, 2)), 1).map((entry) => [...entry])).toEqual([[7], [], [8, 8]]);
  });

  test('reads maps and strings', () => {
    const group = new common.ConfigGroup();
    const inner = new common.ConfigGroup();
    inner.setModPolicy('Admins');
    group.getGroupsMap().set('Application', inner);
    const groups = mapField(parseMessage(group.serializeBinary()), 2);
    expect([...groups.keys()]).toEqual(['Application']);
    expect(stringField(parseMessage(groups.get('Application') as Uint8Array), 5)).toBe('Admins');
  });

  test('throws on truncated input, bad wire types and a field of the wrong kind', () => {
    expect(() => parseMessage(Uint8Array.of(0x0a, 0x05, 1, 2))).toThrow(/runs past/);
    expect(() => parseMessage(Uint8Array.of(0x08))).toThrow(/varint/);
    expect(() => parseMessage(Uint8Array.of(0x0b))).toThrow(/wire type/);
    expect(() => bytesField(parseMessage(Uint8Array.of(0x08, 0x01)), 1)).toThrow(/number, not bytes/);
  });
});
