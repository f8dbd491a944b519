import { Contract } from 'fabric-contract-api';
import { describe, expect, test } from 'vitest';
import { marshallFor, type TransactionMetadata } from './contract-library.js';

const typed: TransactionMetadata = {
  name: 'Typed',
  parameters: [
    { name: 'count', schema: { type: 'number' } },
    { name: 'flag', schema: { type: 'boolean' } },
    { name: 'label', schema: { type: 'string' } },
  ],
};
const buffers = (...values: string[]): Buffer[] => values.map((value) => Buffer.from(value));

// A class whose fabric-contract-api is not a loaded module (a bundled copy, say): the
// harness converts through its own serializer instead.
class Bundled {}

const limited: TransactionMetadata = {
  name: 'Limited',
  parameters: [{ name: 'code', schema: { type: 'string', maxLength: 2 } }],
};

test('with fabric-shim beside the library, parameters are validated against their schema too', () => {
  expect(() => marshallFor(Contract, {}).handleParameters(limited, buffers('abc'), '')).toThrow(
    /^Unable to validate parameter due to /,
  );
  // Without it (documented in the README): converted, not validated.
  expect(marshallFor(Bundled, {}).handleParameters(limited, buffers('abc'), '')).toEqual(['abc']);
});

describe.each([
  ['the chaincode’s own fabric-shim', Contract],
  ['the serializer alone (library not found)', Bundled],
])('marshallFor with %s', (_, contractClass) => {
  const marshall = marshallFor(contractClass, {});

  test('converts parameters by their declared types', () => {
    expect(marshall.handleParameters(typed, buffers('5', ' TRUE ', '7'), '')).toEqual([5, true, '7']);
  });

  test('refuses what does not convert, and a wrong argument count, with fabric-shim’s messages', () => {
    expect(() => marshall.handleParameters(typed, buffers('five', 'true', 'x'), '')).toThrow(
      'fromBuffer could not convert data to number',
    );
    expect(() => marshall.handleParameters(typed, buffers('1', 'yes', 'x'), '')).toThrow(
      'fromBuffer could not convert data to boolean',
    );
    expect(() => marshall.handleParameters(typed, buffers('1'), '')).toThrow(
      'Expected 3 parameters, but 1 have been supplied',
    );
  });

  test('passes any arguments of a transaction without parameter metadata on as strings', () => {
    expect(marshall.handleParameters({ name: 'Any' }, buffers('1', 'true'), '')).toEqual(['1', 'true']);
  });

  test('serializes results as fabric-contract-api does', () => {
    expect(marshall.toWireBuffer('text', undefined, '')?.toString()).toBe('text');
    expect(marshall.toWireBuffer(42, undefined, '')?.toString()).toBe('42');
    expect(marshall.toWireBuffer(undefined, undefined, '')).toBeUndefined();
  });
});
