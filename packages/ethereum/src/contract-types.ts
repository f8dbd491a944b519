import type { CallOptions, Receipt } from '@ledgerkit/core';
import type {
  Abi,
  AbiParametersToPrimitiveTypes,
  AbiParameterToPrimitiveType,
  ExtractAbiEvent,
  ExtractAbiEventNames,
  ExtractAbiFunction,
  ExtractAbiFunctionNames,
} from 'abitype';

/** Names of the functions of `TAbi` that write (nonpayable or payable). */
export type WriteFunctionName<TAbi extends Abi> = ExtractAbiFunctionNames<TAbi, 'nonpayable' | 'payable'>;

/** Names of the functions of `TAbi` that only read (view or pure). */
export type ReadFunctionName<TAbi extends Abi> = ExtractAbiFunctionNames<TAbi, 'view' | 'pure'>;

/** Argument tuple of function `TName`, e.g. `readonly [`0x${string}`, bigint]`. */
export type FunctionArgs<TAbi extends Abi, TName extends string> = AbiParametersToPrimitiveTypes<
  ExtractAbiFunction<TAbi, TName>['inputs'],
  'inputs'
>;

type Outputs<TAbi extends Abi, TName extends string> = AbiParametersToPrimitiveTypes<
  ExtractAbiFunction<TAbi, TName>['outputs'],
  'outputs'
>;

/** Result of function `TName`: the single output itself, or the tuple of outputs. */
export type FunctionResult<TAbi extends Abi, TName extends string> =
  Outputs<TAbi, TName> extends readonly [infer Only]
    ? Only
    : Outputs<TAbi, TName> extends readonly []
      ? undefined
      : Outputs<TAbi, TName>;

/** Constructor argument tuple of `TAbi`. */
export type ConstructorArgs<TAbi extends Abi> =
  Extract<TAbi[number], { type: 'constructor' }> extends {
    inputs: infer TInputs extends readonly import('abitype').AbiParameter[];
  }
    ? AbiParametersToPrimitiveTypes<TInputs, 'inputs'>
    : readonly [];

/** Decoded arguments of event `TName` as an object keyed by parameter name. */
export type EventArgs<TAbi extends Abi, TName extends ExtractAbiEventNames<TAbi>> = {
  [P in ExtractAbiEvent<TAbi, TName>['inputs'][number] as P['name'] & string]: AbiParameterToPrimitiveType<
    P,
    'outputs'
  >;
};

/** A contract's ABI and address, as given to {@link connectEthereum}. */
export interface ContractConfig<TAbi extends Abi = Abi> {
  /** Deployed address. */
  address: string;
  /** The ABI, `as const` for typed calls. */
  abi: TAbi;
}

/** A Hardhat artifact, or anything with an ABI and creation bytecode. */
export interface ContractArtifact<TAbi extends Abi = Abi> {
  /** The ABI, `as const` for typed constructor arguments. */
  abi: TAbi;
  /** Creation bytecode, 0x-prefixed. */
  bytecode: string;
  /** Name of the contract, used when none is given to `deploy`. */
  contractName?: string;
}

/**
 * Typed access to one deployed contract: the function name picks the argument and result
 * types from the ABI, so a wrong argument is a compile error.
 *
 * @typeParam TAbi - the contract's ABI (`as const`)
 */
export interface TypedContract<TAbi extends Abi> {
  /** Name under which the ledger knows the contract (`LedgerCall.contract`). */
  readonly name: string;
  /** Deployed address. */
  readonly address: string;
  /** The ABI. */
  readonly abi: TAbi;

  /**
   * Sends a transaction and waits for the ledger's confirmations.
   *
   * @param method - a nonpayable or payable function of the ABI
   * @param args - its arguments, typed from the ABI
   * @param options - abort signal
   * @returns the receipt
   * @throws LedgerError `CONTRACT_REVERTED` with `details.errorName` and `details.errorArgs`
   */
  submit<TName extends WriteFunctionName<TAbi>>(
    method: TName,
    args: FunctionArgs<TAbi, TName>,
    options?: CallOptions,
  ): Promise<Receipt>;

  /**
   * Calls a view or pure function.
   *
   * @param method - a view or pure function of the ABI
   * @param args - its arguments, typed from the ABI
   * @param options - abort signal
   * @returns the decoded result, typed from the ABI (structs as objects, small ints as numbers)
   * @throws LedgerError `CONTRACT_REVERTED` with the decoded custom error
   */
  read<TName extends ReadFunctionName<TAbi>>(
    method: TName,
    args: FunctionArgs<TAbi, TName>,
    options?: CallOptions,
  ): Promise<FunctionResult<TAbi, TName>>;
}
