// A Hardhat artifact read from the command line, and arguments typed from its ABI.
import { InvalidArgumentError } from '@ledgerkit/core';

/** One parameter of an ABI entry. */
interface AbiParameter {
  type: string;
  name?: string;
  components?: readonly AbiParameter[];
}

/** One entry of an ABI. */
interface AbiEntry {
  type: string;
  name?: string;
  inputs?: readonly AbiParameter[];
  outputs?: readonly AbiParameter[];
  stateMutability?: string;
}

/** The parts of a Hardhat artifact the eth commands use. */
export interface Artifact {
  contractName?: string;
  abi: readonly AbiEntry[];
  bytecode: string;
}

/**
 * Checks that a document is a Hardhat artifact (or anything with `abi` and `bytecode`).
 *
 * @param document - the parsed JSON
 * @param where - the file, for messages
 * @param needsBytecode - whether creation bytecode must be present (deploy)
 * @returns the artifact
 * @throws InvalidArgumentError naming what is missing
 */
export function readArtifact(document: unknown, where: string, needsBytecode: boolean): Artifact {
  const value = document as Partial<Artifact> | null;
  if (typeof value !== 'object' || value === null || !Array.isArray(value.abi)) {
    throw new InvalidArgumentError('ARTIFACT', `${where} is not a contract artifact: it has no "abi" array`);
  }
  if (needsBytecode && (typeof value.bytecode !== 'string' || !/^0x([0-9a-fA-F]{2})+$/.test(value.bytecode))) {
    throw new InvalidArgumentError(
      'ARTIFACT',
      `${where} has no creation bytecode ("bytecode": "0x..."); an interface or abstract contract cannot be deployed`,
    );
  }
  return value as Artifact;
}

/**
 * The ABI function a command names: by name (or full signature such as `set(uint256)`), the
 * overload taking as many arguments as were given.
 *
 * @param artifact - the contract's artifact
 * @param name - the function's name or signature
 * @param argumentCount - how many arguments were given
 * @returns the ABI entry
 * @throws InvalidArgumentError for a function the ABI does not have
 */
export function findFunction(artifact: Artifact, name: string, argumentCount: number): AbiEntry {
  const functions = artifact.abi.filter((entry) => entry.type === 'function');
  const bySignature = functions.find((entry) => signature(entry) === name);
  if (bySignature) return bySignature;
  const named = functions.filter((entry) => entry.name === name);
  if (named.length === 0) {
    throw new InvalidArgumentError(
      'FUNCTION',
      `the ABI has no function '${name}'; it has: ${functions.map(signature).join(', ') || 'none'}`,
    );
  }
  return named.find((entry) => (entry.inputs ?? []).length === argumentCount) ?? (named[0] as AbiEntry);
}

/** `name(type,type)`, as Solidity writes a function's signature. */
export function signature(entry: AbiEntry): string {
  return `${entry.name ?? ''}(${(entry.inputs ?? []).map(canonicalType).join(',')})`;
}

function canonicalType(parameter: AbiParameter): string {
  if (!parameter.type.startsWith('tuple')) return parameter.type;
  return `(${(parameter.components ?? []).map(canonicalType).join(',')})${parameter.type.slice('tuple'.length)}`;
}

/** The constructor's parameters (none when the ABI has no constructor). */
export function constructorInputs(artifact: Artifact): readonly AbiParameter[] {
  return artifact.abi.find((entry) => entry.type === 'constructor')?.inputs ?? [];
}

/**
 * Turns command-line strings into the values an ABI's parameters take: integers as bigints,
 * `true`/`false` as booleans, arrays and tuples as JSON; addresses, bytes and strings as given.
 *
 * @param parameters - the function's or constructor's inputs
 * @param values - the strings from the command line
 * @param what - the function, for messages
 * @returns the typed values
 * @throws InvalidArgumentError for a wrong count or a value its type cannot take
 */
export function typedArguments(
  parameters: readonly AbiParameter[],
  values: readonly string[],
  what: string,
): unknown[] {
  if (parameters.length !== values.length) {
    throw new InvalidArgumentError(
      'ARGS',
      `${what} takes ${parameters.length} argument${parameters.length === 1 ? '' : 's'} (${parameters.map((p) => `${p.type}${p.name ? ` ${p.name}` : ''}`).join(', ')}), got ${values.length}`,
    );
  }
  return parameters.map((parameter, index) => typedValue(parameter, values[index] as string, what));
}

function typedValue(parameter: AbiParameter, value: string, what: string): unknown {
  const { type } = parameter;
  const fail = (expected: string): never => {
    throw new InvalidArgumentError(
      'ARGS',
      `${what}: argument ${parameter.name ?? ''} of type ${type} must be ${expected}, got '${value}'`.replace(
        '  ',
        ' ',
      ),
      { type, value },
    );
  };
  if (type.endsWith(']') || type.startsWith('tuple')) {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return fail('JSON (an array or a tuple as an array)');
    }
  }
  if (/^u?int\d*$/.test(type)) {
    if (!/^-?(\d+|0x[0-9a-fA-F]+)$/.test(value)) return fail('an integer');
    return value.startsWith('-') ? -BigInt(value.slice(1)) : BigInt(value);
  }
  if (type === 'bool') {
    if (value !== 'true' && value !== 'false') return fail('true or false');
    return value === 'true';
  }
  if (type === 'address' && !/^0x[0-9a-fA-F]{40}$/.test(value)) return fail('a 0x address of 20 bytes');
  if (type.startsWith('bytes') && !/^0x([0-9a-fA-F]{2})*$/.test(value)) return fail('0x hex');
  return value;
}
