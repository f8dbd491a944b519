import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError, type JsonValue, LedgerError } from '@ledgerkit/core';
import type { EthereumLedger } from '@ledgerkit/ethereum';
import { Command, Option } from 'commander';
import {
  type Artifact,
  constructorInputs,
  findFunction,
  readArtifact,
  signature,
  typedArguments,
} from '../eth/artifact.js';
import {
  type NodeRecord,
  nodeFiles,
  probeNode,
  readNode,
  requireNode,
  rpc,
  runNode,
  startNode,
  stopNode,
} from '../eth/local-node.js';
import { loadOptional } from '../load-optional.js';
import { addCommonOptions, type CliOutput, cliAction, exitCodes, withExamples } from '../program/conventions.js';
import { integerIn, readJsonInput } from '../program/inputs.js';
import { createProgress, formatValue, printFields, printJson } from '../program/output.js';

/** The default node folder: in the working directory. */
const defaultDir = join('.ledgerkit', 'eth');

interface TargetOptions {
  dir: string;
  rpc?: string;
  account?: string;
  argsFile?: string;
  json?: boolean;
}

interface NodeFlags {
  dir: string;
  port?: number;
  chainId?: number;
  blockTime?: number;
  json?: boolean;
}

/** A contract deployed with `ledgerkit eth deploy`, remembered in the node folder. */
interface Deployment {
  contractName?: string;
  abi: Artifact['abi'];
  txHash: string;
  block: number;
}

/**
 * The `ledgerkit eth` group: a local anvil node, and contracts from Hardhat artifacts.
 *
 * @param io - where to write, and stdin
 * @returns the command
 */
export function createEthCommand(io: CliOutput): Command {
  const eth = new Command('eth').description(
    'Ethereum: run a local anvil node, deploy a contract from a Hardhat artifact, call and send, read receipts',
  );
  eth.addHelpText(
    'after',
    `\nThe node's files (node.json, chain-state.json, node.log, deployments.json) are in --dir\n(default ./${defaultDir} in the working directory). deploy, call, send and receipt talk to\nthat node, or to any JSON-RPC node with --rpc URL. Needs @ledgerkit/ethereum (and\n@foundry-rs/anvil for the node).`,
  );
  withExamples(eth, [
    'node start',
    'deploy artifacts/contracts/Counter.sol/Counter.json',
    'send 0x5FbDB2315678afecb367f032d93F642f64180aa3 increment',
    'node stop',
  ]);
  eth.addCommand(createNodeCommand(io));

  const withTarget = (command: Command) =>
    command
      .option('--dir <dir>', 'the node folder', defaultDir)
      .option('--rpc <url>', "a JSON-RPC node to use instead of the folder's node");
  const withSigner = (command: Command) =>
    command.option(
      '--account <account>',
      "who signs: an index of the node's accounts (default 0), an unlocked address, or a private key (prefer LEDGERKIT_ETH_ACCOUNT for keys)",
    );
  const withArgsFile = (command: Command) =>
    command.option('--args-file <file>', 'the arguments as a JSON array, from a file or - for stdin (instead of ARGS)');

  const deploy = withArgsFile(withSigner(withTarget(new Command('deploy'))))
    .description('Deploy a contract from a Hardhat artifact JSON')
    .argument('<ARTIFACT>', 'the artifact (abi and bytecode), or - for stdin')
    .argument('[ARGS...]', 'constructor arguments')
    .option('--name <name>', 'the name to remember it by (default the artifact’s contractName)');
  addCommonOptions(deploy, 'one JSON document: {contract, address, txHash, block, receipt}');
  withExamples(deploy, [
    'artifacts/contracts/Counter.sol/Counter.json',
    'Token.json "Acme Token" ACME 1000000 --json',
    '- --rpc http://127.0.0.1:8545 < Counter.json',
  ]);
  deploy.action(
    cliAction(io, async (file: string, values: string[], options: TargetOptions & { name?: string }) => {
      const artifact = readArtifact(await readJsonInput(io, file, 'ARTIFACT'), file === '-' ? 'stdin' : file, true);
      const name = options.name ?? artifact.contractName ?? 'Contract';
      const args = typedArguments(
        constructorInputs(artifact),
        await argumentStrings(io, values, options),
        `${name}'s constructor`,
      );
      const progress = createProgress(io, options.json === true);
      const url = await targetUrl(options);
      const ledger = await connect(url, options.account);
      const step = `deploy ${name}`;
      progress.start(step, { url });
      const started = performance.now();
      try {
        const { contract, receipt } = await ledger.deploy(artifact as never, args as never, { name });
        progress.end(step, true, performance.now() - started);
        const block = receipt.position.block;
        if (!options.rpc) {
          await remember(options.dir, contract.address, {
            contractName: name,
            abi: artifact.abi,
            txHash: receipt.txId,
            block,
          });
        }
        if (options.json)
          printJson(io, { contract: name, address: contract.address, txHash: receipt.txId, block, receipt });
        else {
          io.stdout(`Deployed ${name}\n`);
          printFields(
            io,
            [
              ['address', contract.address],
              ['transaction', receipt.txId],
              ['block', block],
              ['chain', receipt.ledger],
            ],
            '  ',
          );
        }
        return exitCodes.ok;
      } catch (error) {
        progress.end(step, false, performance.now() - started);
        throw error;
      } finally {
        progress.finish();
        await ledger.close();
      }
    }),
  );

  const callOrSend = (kind: 'call' | 'send') => {
    const command = withArgsFile(withSigner(withTarget(new Command(kind))))
      .description(
        kind === 'call'
          ? 'Call a view or pure function (eth_call) and print its result'
          : 'Send a transaction to a contract function and print its receipt',
      )
      .argument('<ADDRESS>', 'the contract')
      .argument('<FUNCTION>', 'the function name, or its signature for an overload: set(uint256)')
      .argument('[ARGS...]', 'its arguments: integers, true/false, addresses, strings; arrays and tuples as JSON')
      .option(
        '--artifact <file>',
        'the artifact with the ABI (default: the one deployed from --dir with ledgerkit eth deploy)',
      );
    addCommonOptions(
      command,
      kind === 'call'
        ? 'one JSON document: {function, result}'
        : 'one JSON document: {function, txHash, block, receipt}',
    );
    withExamples(
      command,
      kind === 'call'
        ? [
            '0x5FbDB2315678afecb367f032d93F642f64180aa3 count',
            '0x5FbD... balanceOf 0xf39F... --artifact Token.json --json',
          ]
        : [
            '0x5FbDB2315678afecb367f032d93F642f64180aa3 increment',
            '0x5FbD... transfer --args-file transfer.json --json',
          ],
    );
    return command.action(
      cliAction(
        io,
        async (address: string, method: string, values: string[], options: TargetOptions & { artifact?: string }) => {
          if (!/^0x[0-9a-fA-F]{40}$/.test(address)) {
            throw new InvalidArgumentError('ADDRESS', `ADDRESS must be a 0x address of 20 bytes, got '${address}'`);
          }
          const strings = await argumentStrings(io, values, options);
          const artifact = await abiFor(io, address, options);
          const entry = findFunction(artifact, method, strings.length);
          const args = typedArguments(entry.inputs ?? [], strings, signature(entry));
          const overloaded =
            artifact.abi.filter((each) => each.type === 'function' && each.name === entry.name).length > 1;
          const call = { contract: 'target', method: overloaded ? signature(entry) : (entry.name as string), args };
          const ledger = await connect(await targetUrl(options), options.account, {
            target: { address, abi: artifact.abi },
          });
          try {
            if (kind === 'call') {
              const result = (await ledger.evaluate(call)) as JsonValue;
              if (options.json) printJson(io, { function: signature(entry), result });
              else if (result !== null && typeof result === 'object' && !Array.isArray(result)) {
                printFields(io, Object.entries(result));
              } else io.stdout(`${formatValue(result)}\n`);
            } else {
              const receipt = await ledger.submit(call);
              if (options.json) {
                printJson(io, {
                  function: signature(entry),
                  txHash: receipt.txId,
                  block: receipt.position.block,
                  receipt,
                });
              } else {
                io.stdout(`Sent ${signature(entry)} to ${address}\n`);
                printFields(
                  io,
                  [
                    ['transaction', receipt.txId],
                    ['block', receipt.position.block],
                    ['time', receipt.timestamp],
                  ],
                  '  ',
                );
              }
            }
            return exitCodes.ok;
          } finally {
            await ledger.close();
          }
        },
      ),
    );
  };

  const receipt = withTarget(new Command('receipt'))
    .description('Print the receipt of a transaction (eth_getTransactionReceipt)')
    .argument('<TXHASH>', 'the transaction hash');
  addCommonOptions(receipt, 'one JSON document: the node’s receipt, quantities as decimal numbers');
  withExamples(receipt, ['0x3c5b...', '0x3c5b... --rpc http://127.0.0.1:8545 --json']);
  receipt.action(
    cliAction(io, async (hash: string, options: TargetOptions) => {
      if (!/^0x[0-9a-fA-F]{64}$/.test(hash)) {
        throw new InvalidArgumentError('TXHASH', `TXHASH must be 0x and 32 bytes of hex, got '${hash}'`);
      }
      const url = await targetUrl(options);
      const raw = (await rpc(url, 'eth_getTransactionReceipt', [hash])) as Record<string, unknown> | null;
      if (raw === null)
        throw new LedgerError('NOT_FOUND', `${url} has no receipt of transaction ${hash}`, { details: { hash } });
      const quantity = (value: unknown) => (typeof value === 'string' ? Number(BigInt(value)) : value);
      const logs = Array.isArray(raw.logs) ? raw.logs : [];
      const document = {
        transactionHash: raw.transactionHash,
        status: raw.status === '0x1' ? 'success' : 'reverted',
        blockNumber: quantity(raw.blockNumber),
        blockHash: raw.blockHash,
        transactionIndex: quantity(raw.transactionIndex),
        from: raw.from,
        to: raw.to,
        contractAddress: raw.contractAddress,
        gasUsed: quantity(raw.gasUsed),
        effectiveGasPrice: quantity(raw.effectiveGasPrice),
        logs: logs.length,
      };
      if (options.json) printJson(io, { ...document, logs });
      else
        printFields(
          io,
          Object.entries(document).map(([key, value]) => [key, value ?? '-'] as const),
        );
      return exitCodes.ok;
    }),
  );

  for (const command of [deploy, callOrSend('call'), callOrSend('send'), receipt]) eth.addCommand(command);
  return eth;
}

function createNodeCommand(io: CliOutput): Command {
  const node = new Command('node').description(
    'Start, stop and inspect a local anvil node that runs in the background',
  );
  withExamples(node, ['start', 'status --json', 'stop']);
  const withNodeFlags = (command: Command) =>
    command
      .option('--dir <dir>', 'the node folder', defaultDir)
      .option('--port <port>', 'port to listen on (default: a free one)', integerIn(1, 65_535))
      .option('--chain-id <id>', 'chain id (default 31337)', integerIn(1, 2 ** 32))
      .option(
        '--block-time <seconds>',
        'seconds between blocks (default: a block per transaction)',
        integerIn(1, 3600),
      );

  const start = withNodeFlags(new Command('start')).description(
    'Start anvil in the background (the chain is kept in the folder across stop and start)',
  );
  addCommonOptions(start, 'one JSON document: {running, alreadyRunning, url, pid, chainId, blockNumber, dir}');
  withExamples(start, ['', '--dir ./chain --port 8545 --json']);
  start.action(
    cliAction(io, async (options: NodeFlags) => {
      const progress = createProgress(io, options.json === true);
      const step = 'start anvil';
      progress.start(step);
      const started = performance.now();
      const { record, alreadyRunning } = await startNode(options.dir, options).catch((error: unknown) => {
        progress.end(step, false, performance.now() - started);
        progress.finish();
        throw error;
      });
      progress.end(step, true, performance.now() - started);
      progress.finish();
      const { blockNumber } = await probeNode(record.url);
      if (options.json) printJson(io, { running: true, alreadyRunning, ...nodeDocument(record), blockNumber });
      else {
        io.stdout(`${alreadyRunning ? 'Already running' : 'Started'}: anvil at ${record.url}\n`);
        printNode(io, record, blockNumber);
      }
      return exitCodes.ok;
    }),
  );

  const stop = new Command('stop')
    .description('Stop the node (anvil writes the chain to the folder first)')
    .option('--dir <dir>', 'the node folder', defaultDir);
  addCommonOptions(stop, 'one JSON document: {stopped, pid, url, dir}');
  withExamples(stop, ['', '--dir ./chain --json']);
  stop.action(
    cliAction(io, async (options: NodeFlags) => {
      const record = await stopNode(options.dir);
      if (options.json)
        printJson(io, { stopped: true, pid: record.pid, url: record.url, dir: nodeFiles(options.dir).dir });
      else io.stdout(`Stopped anvil at ${record.url} (pid ${record.pid}); the chain is in ${record.stateFile}\n`);
      return exitCodes.ok;
    }),
  );

  const status = new Command('status')
    .description('Whether the node runs, its URL, chain id and head block (exit 1 when it does not run)')
    .option('--dir <dir>', 'the node folder', defaultDir);
  addCommonOptions(status, 'one JSON document: {running, url, pid, chainId, blockNumber, dir}');
  withExamples(status, ['', '--dir ./chain --json']);
  status.action(
    cliAction(io, async (options: NodeFlags) => {
      const record = await readNode(options.dir);
      if (!record) {
        if (options.json) printJson(io, { running: false, dir: nodeFiles(options.dir).dir });
        else io.stdout(`No node is running in ${nodeFiles(options.dir).dir}\n`);
        await requireNode(options.dir);
      }
      const running = record as NodeRecord;
      const { blockNumber } = await probeNode(running.url);
      if (options.json) printJson(io, { running: true, ...nodeDocument(running), blockNumber });
      else printNode(io, running, blockNumber);
      return exitCodes.ok;
    }),
  );

  // What `start` spawns in the background; not for people.
  const run = withNodeFlags(new Command('run'))
    .description('Run the node in the foreground until SIGTERM (what start runs in the background)')
    .addOption(new Option('--json', 'no output besides the log').hideHelp())
    .option('--debug', 'print the stack trace of an error');
  withExamples(run, ['--dir ./chain']);
  run.action(cliAction(io, async (options: NodeFlags) => runNode(options.dir, options)));

  for (const command of [start, stop, status, run]) node.addCommand(command, command === run ? { hidden: true } : {});
  return node;
}

function nodeDocument(record: NodeRecord) {
  return {
    url: record.url,
    pid: record.pid,
    anvilPid: record.anvilPid,
    chainId: record.chainId,
    dir: record.dir,
    stateFile: record.stateFile,
    logFile: record.logFile,
    startedAt: record.startedAt,
  };
}

function printNode(io: CliOutput, record: NodeRecord, blockNumber: number): void {
  printFields(io, [
    ['url', record.url],
    ['chain id', record.chainId],
    ['head block', blockNumber],
    ['pid', `${record.pid} (anvil ${record.anvilPid})`],
    ['state file', record.stateFile],
    ['log', record.logFile],
    ['since', record.startedAt],
  ]);
}

async function targetUrl(options: TargetOptions): Promise<string> {
  if (options.rpc !== undefined) {
    let url: URL;
    try {
      url = new URL(options.rpc);
    } catch (error) {
      throw new InvalidArgumentError('--rpc', `--rpc ${JSON.stringify(options.rpc)} is not a URL`, {}, error);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new InvalidArgumentError('--rpc', `--rpc must be an http or https URL, got ${url.protocol}`);
    }
    return options.rpc;
  }
  return (await requireNode(options.dir)).url;
}

async function argumentStrings(io: CliOutput, values: readonly string[], options: TargetOptions): Promise<string[]> {
  if (options.argsFile === undefined) return [...values];
  if (values.length > 0)
    throw new InvalidArgumentError('--args-file', 'give the arguments as ARGS or --args-file, not both');
  const document = await readJsonInput(io, options.argsFile, '--args-file');
  if (!Array.isArray(document))
    throw new InvalidArgumentError('--args-file', '--args-file must hold a JSON array of arguments');
  return document.map((value) => (typeof value === 'string' ? value : JSON.stringify(value)));
}

async function connect(
  url: string,
  account: string | undefined,
  contracts: Record<string, { address: string; abi: unknown }> = {},
): Promise<EthereumLedger> {
  const { connectEthereum } = await loadOptional(
    '@ledgerkit/ethereum',
    'this command',
    () => import('@ledgerkit/ethereum'),
  );
  const signer = account ?? process.env.LEDGERKIT_ETH_ACCOUNT;
  return connectEthereum({
    url,
    ...(signer === undefined || signer === '' ? {} : { account: /^\d+$/.test(signer) ? Number(signer) : signer }),
    contracts: contracts as never,
  });
}

async function readDeployments(dir: string): Promise<Record<string, Deployment>> {
  try {
    return JSON.parse(await readFile(nodeFiles(dir).deployments, 'utf8')) as Record<string, Deployment>;
  } catch {
    return {};
  }
}

async function remember(dir: string, address: string, deployment: Deployment): Promise<void> {
  const deployments = await readDeployments(dir);
  deployments[address.toLowerCase()] = deployment;
  await writeFile(nodeFiles(dir).deployments, `${JSON.stringify(deployments, null, 2)}\n`);
}

async function abiFor(
  io: CliOutput,
  address: string,
  options: TargetOptions & { artifact?: string },
): Promise<Artifact> {
  if (options.artifact !== undefined) {
    const where = options.artifact === '-' ? 'stdin' : options.artifact;
    return readArtifact(await readJsonInput(io, options.artifact, '--artifact'), where, false);
  }
  const known = (await readDeployments(options.dir))[address.toLowerCase()];
  if (!known) {
    throw new InvalidArgumentError(
      '--artifact',
      `no ABI for ${address}: pass --artifact FILE (only contracts deployed with ledgerkit eth deploy --dir ${options.dir} are known)`,
    );
  }
  return { abi: known.abi, bytecode: '0x', ...(known.contractName ? { contractName: known.contractName } : {}) };
}
