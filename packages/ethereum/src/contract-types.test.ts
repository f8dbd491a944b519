import { describe, expectTypeOf, test } from 'vitest';
import type {
  ConstructorArgs,
  FunctionArgs,
  FunctionResult,
  ReadFunctionName,
  WriteFunctionName,
} from './contract-types.js';

const abi = [
  { type: 'constructor', inputs: [{ name: 'admin', type: 'address' }], stateMutability: 'nonpayable' },
  {
    type: 'function',
    name: 'record',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'id', type: 'bytes32' },
      { name: 'temperature', type: 'int16' },
    ],
    outputs: [],
  },
  {
    type: 'function',
    name: 'get',
    stateMutability: 'view',
    inputs: [{ name: 'id', type: 'bytes32' }],
    outputs: [
      {
        name: '',
        type: 'tuple',
        components: [
          { name: 'owner', type: 'address' },
          { name: 'count', type: 'uint32' },
          { name: 'since', type: 'uint64' },
        ],
      },
    ],
  },
] as const;

type Hex = `0x${string}`;

describe('typed calls from an ABI', () => {
  test('function names split into writes and reads', () => {
    expectTypeOf<WriteFunctionName<typeof abi>>().toEqualTypeOf<'record'>();
    expectTypeOf<ReadFunctionName<typeof abi>>().toEqualTypeOf<'get'>();
  });

  test('arguments, results and constructor arguments come from the ABI', () => {
    expectTypeOf<FunctionArgs<typeof abi, 'record'>>().toEqualTypeOf<readonly [Hex, number]>();
    expectTypeOf<FunctionResult<typeof abi, 'get'>>().toEqualTypeOf<{ owner: Hex; count: number; since: bigint }>();
    expectTypeOf<ConstructorArgs<typeof abi>>().toEqualTypeOf<readonly [Hex]>();
  });

  test('a wrong argument is a compile error', () => {
    const accept = (_args: FunctionArgs<typeof abi, 'record'>) => undefined;
    accept(['0x01', 5]);
    // @ts-expect-error a number where bytes32 is expected
    accept([1, 5]);
    // @ts-expect-error a missing argument
    accept(['0x01']);
  });
});
