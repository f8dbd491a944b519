import type { JsonValue } from '@ledgerkit/core';
import { Interface, type InterfaceAbi } from 'ethers';
import { toJson } from './internal/json.js';
import { decodeRevertData, findRevertData } from './internal/rpc-errors.js';

/** A revert decoded to the contract's custom error. */
export interface DecodedRevert {
  /** Error name, e.g. `NotCustodian`, `Error` (require message) or `Panic`. */
  errorName: string;
  /** Arguments as JSON (bigints as decimal strings). */
  errorArgs: JsonValue[];
  /** The 4-byte selector. */
  selector: string;
  /** The raw revert data. */
  data: string;
}

/**
 * Decodes a revert from any provider's error: ethers `CALL_EXCEPTION` from a JSON-RPC
 * node, or Hardhat's in-process EDR error (`code: 3`, `data`).
 *
 * @param error - what a call or send threw
 * @param abis - ABIs whose custom errors to try
 * @returns the decoded revert, or undefined when the error carries no revert data
 */
export function decodeRevert(error: unknown, abis: readonly InterfaceAbi[]): DecodedRevert | undefined {
  const data = findRevertData(error);
  if (data === undefined) return undefined;
  const decoded = decodeRevertData(
    data,
    abis.map((abi) => new Interface(abi)),
  );
  return {
    errorName: decoded?.description.name ?? 'unknown',
    errorArgs: decoded ? (toJson([...decoded.description.args]) as JsonValue[]) : [],
    selector: data.slice(0, 10),
    data,
  };
}
