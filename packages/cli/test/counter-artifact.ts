// A tiny contract compiled with solc-js for the eth command tests, as a Hardhat artifact.
import solc from 'solc';

const source = `// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

contract Counter {
    uint256 public count;
    string public label;
    event Added(uint256 amount, uint256 count);

    constructor(uint256 start, string memory name) {
        count = start;
        label = name;
    }

    function add(uint256 amount) external {
        count += amount;
        emit Added(amount, count);
    }

    function set(bool reset) external {
        if (reset) count = 0;
    }

    function describe() external view returns (string memory name, uint256 value) {
        return (label, count);
    }
}
`;

/** The Hardhat artifact of `Counter` (abi, bytecode, contractName). */
export function counterArtifact(): { contractName: string; abi: unknown[]; bytecode: string } {
  const input = {
    language: 'Solidity',
    sources: { 'Counter.sol': { content: source } },
    settings: { outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } } },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>>;
  };
  const errors = (output.errors ?? []).filter((error) => error.severity === 'error');
  if (errors.length > 0) throw new Error(errors.map((error) => error.formattedMessage).join('\n'));
  const compiled = output.contracts['Counter.sol']?.Counter;
  if (!compiled) throw new Error('solc produced no Counter');
  return { contractName: 'Counter', abi: compiled.abi, bytecode: `0x${compiled.evm.bytecode.object}` };
}
