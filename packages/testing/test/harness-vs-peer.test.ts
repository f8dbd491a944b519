// The harness's conformance test: every scenario below (a sequence of transactions) runs
// once through ChaincodeHarness and once through a real two-organization Fabric network
// (1 Raft orderer, 1 peer per organization, native processes from @ledgerkit/fabric-network,
// the same chaincode run as a chaincode server, driven by the @hyperledger/fabric-gateway
// objects behind @ledgerkit/fabric's connectFabric, `native`), and the results must be
// identical after transaction ids and timestamps are replaced by the step that produced
// them. The chaincode (test/fixtures/conformance) returns what the stub answered, so a
// difference shows exactly where the harness is not a peer.
import { existsSync } from 'node:fs';
import { appendFile, cp, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Contract, type Gateway, type Proposal, StatusCode } from '@hyperledger/fabric-gateway';
import { isLedgerError, retry } from '@ledgerkit/core';
import { connectFabric, type FabricLedger } from '@ledgerkit/fabric';
import type { IssuedIdentity, OrganizationAccess } from '@ledgerkit/fabric-network';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type FabricNetworkFixture, startFabricNetwork } from '../src/fabric-network.js';
import {
  ChaincodeHarness,
  type ContractClass,
  type Endorsement,
  type TestIdentity,
  type TransactionCall,
} from '../src/index.js';
import { contracts as conformanceContracts } from './fixtures/conformance/index.js';
import { contracts as calleeContracts } from './fixtures/conformance-callee/index.js';
import { loadAssetTransfer, prepareAssetTransfer } from './fixtures/prepare-asset-transfer.js';

type Org = 'Org1' | 'Org2';
/** `basic`: the asset-transfer-style TypeScript chaincode on its own, older fabric-contract-api. */
type Chaincode = 'conformance' | 'callee' | 'basic';

interface Call {
  transaction: string;
  args?: string[];
  /** Default Org1. */
  org?: Org;
  /** Default `conformance`. */
  chaincode?: Chaincode;
  transient?: Record<string, string>;
}

type Step =
  | ({ kind: 'submit' | 'evaluate' } & Call)
  /** Both endorsed against the same state, then submitted (committed) in order. */
  | { kind: 'concurrent'; calls: [Call, Call] }
  /** Submits a Marker transaction to each chaincode, then reads the chaincode events since the scenario began. */
  | { kind: 'events' };

interface Scenario {
  name: string;
  steps: Step[];
}

/** What one step produced, before normalization. */
interface StepRecord {
  txIds: string[];
  outcome: unknown;
}

interface ReceivedEvent {
  chaincode: string;
  name: string;
  payload: string;
  txId: string;
}

interface Runner {
  begin(): Promise<void>;
  submit(call: Call): Promise<StepRecord>;
  evaluate(call: Call): Promise<StepRecord>;
  concurrent(calls: [Call, Call]): Promise<StepRecord>;
  events(): Promise<StepRecord>;
}

const channel = 'conformance';
/** The chaincodes with a Marker transaction, whose events a scenario reads. */
const chaincodes: readonly Chaincode[] = ['conformance', 'callee'];
const conformancePath = fileURLToPath(new URL('./fixtures/conformance', import.meta.url));
const calleePath = fileURLToPath(new URL('./fixtures/conformance-callee', import.meta.url));
const decoder = new TextDecoder();
const statusNames = new Map<number, string>(Object.entries(StatusCode).map(([name, code]) => [code, name]));

const json = (value: unknown): string => JSON.stringify(value);
const submit = (transaction: string, args: string[] = [], more: Omit<Call, 'transaction' | 'args'> = {}): Step => ({
  kind: 'submit',
  transaction,
  args,
  ...more,
});
const evaluate = (transaction: string, args: string[] = [], more: Omit<Call, 'transaction' | 'args'> = {}): Step => ({
  kind: 'evaluate',
  transaction,
  args,
  ...more,
});
const concurrent = (first: Call, second: Call): Step => ({ kind: 'concurrent', calls: [first, second] });
const basic = (kind: 'submit' | 'evaluate', transaction: string, args: string[] = []): Step => ({
  kind,
  transaction,
  args,
  chaincode: 'basic',
});

// Keys chosen where a stub tends to differ from LevelDB: byte order of UTF-8 (not UTF-16:
// U+1F600 sorts after U+FFFF), upper before lower case, a NUL inside a key, a key starting
// with U+0001 (the substitute for an empty start key), the largest code point U+10FFFF.
const rangeKeys = [
  'a',
  'b',
  'B',
  'a\u0000x',
  '\u0001lead',
  'é',
  '€',
  '\uffff',
  '😀',
  '\u{10ffff}',
  'z',
  'zz',
  '~',
  'a/1',
  'a/2',
  'a/3',
  'a/4',
  'a/5',
];

const scenarios: Scenario[] = [
  {
    // First, while the namespace holds only these keys: the open ranges see all of them.
    name: 'range queries, pagination and bookmarks over unusual keys',
    steps: [
      submit('PutMany', [json(rangeKeys.map((key) => [key, `value of ${key}`]))]),
      submit('PutComposite', ['rangetype', json(['k1']), 'composite']),
      evaluate('Range', ['', '']),
      evaluate('RangeByIterator', ['', '']),
      evaluate('Range', ['a', 'b']),
      evaluate('Range', ['b', 'a']),
      evaluate('Range', ['a', '']),
      evaluate('Range', ['', 'b']),
      evaluate('Range', ['\uffff', '']),
      evaluate('Range', ['\u0001', '']),
      evaluate('Range', ['a', 'a']),
      evaluate('Range', ['a/', 'a0']),
      evaluate('Range', ['\u0000', '']),
      evaluate('Range', ['a', '\u0000x']),
      evaluate('Range', ['\u0000rangetype\u0000', '\u0000rangetype\u0000\u{10ffff}']),
      evaluate('RangePage', ['', '', '3', '']),
      evaluate('RangePage', ['a/', 'a0', '2', '']),
      evaluate('RangePage', ['a/', 'a0', '2', 'a/3']),
      evaluate('RangePage', ['a/', 'a0', '2', 'a/35']),
      evaluate('RangePage', ['a/', 'a0', '2', 'c']),
      evaluate('RangePage', ['a/', 'a0', '2', '0']),
      evaluate('RangePage', ['a/', 'a0', '5', '']),
      evaluate('RangePage', ['a/', 'a0', '10', '']),
      evaluate('RangePage', ['a/', 'a0', '0', '']),
      evaluate('RangePage', ['\u0000', '', '2', '']),
      evaluate('RangeAllPages', ['', '', '4']),
      evaluate('RangeAllPages', ['a/', 'a0', '2']),
      submit('PageThenPut', ['page/written']),
      submit('PutThenPage', ['page/written']),
      evaluate('Get', ['page/written']),
      submit('PageZeroThenPut', ['page/zero']),
      evaluate('Get', ['page/zero']),
    ],
  },
  {
    name: 'reads never see the transaction’s own writes; an empty value is a delete',
    steps: [
      submit('PutThenGet', ['rw/a', 'one']),
      evaluate('Get', ['rw/a']),
      submit('PutThenGet', ['rw/a', 'two']),
      evaluate('Get', ['rw/a']),
      evaluate('Get', ['rw/missing']),
      submit('DeleteThenGet', ['rw/a']),
      evaluate('Get', ['rw/a']),
      submit('Put', ['rw/e', 'x']),
      submit('PutEmpty', ['rw/e']),
      evaluate('Get', ['rw/e']),
      evaluate('History', ['rw/e']),
      submit('Delete', ['rw/never-existed']),
      evaluate('History', ['rw/never-existed']),
    ],
  },
  {
    name: 'composite keys and partial-key queries, with pagination',
    steps: [
      evaluate('CompositeKey', ['color', json(['blue', 'a1'])]),
      evaluate('CompositeKey', ['color', json([])]),
      evaluate('CompositeKey', ['', json(['x'])]),
      evaluate('CompositeKey', ['color', json(['blue', ''])]),
      evaluate('Split', ['plain-key']),
      evaluate('Split', ['\u0000']),
      evaluate('Split', ['\u0000type\u0000']),
      evaluate('Split', ['\u0000type\u0000a\u0000b\u0000']),
      submit('PutComposite', ['color', json(['blue', 'a2']), 'blue a2']),
      submit('PutComposite', ['color', json(['blue', 'a1']), 'blue a1']),
      submit('PutComposite', ['color', json(['red', 'a3']), 'red a3']),
      submit('PutComposite', ['color', json(['😀', 'a4']), 'smile a4']),
      submit('PutComposite', ['color', json(['Blue', 'a5']), 'Blue a5']),
      submit('PutComposite', ['colour', json(['x']), 'colour x']),
      evaluate('Partial', ['color', json([])]),
      evaluate('Partial', ['color', json(['blue'])]),
      evaluate('Partial', ['color', json(['bl'])]),
      evaluate('Partial', ['color', json(['😀'])]),
      evaluate('Partial', ['col', json([])]),
      evaluate('Partial', ['color', json([''])]),
      evaluate('PartialPage', ['color', json([]), '2', '']),
      evaluate('PartialPage', ['color', json([]), '2', '\u0000color\u0000blue\u0000a2\u0000']),
      evaluate('PartialPage', ['color', json(['red']), '2', '']),
      evaluate('Range', ['color', 'colour~']),
    ],
  },
  {
    name: 'key history across transactions, newest first, with delete markers',
    steps: [
      submit('Put', ['h/k', 'v1']),
      submit('Put', ['h/k', 'v2']),
      submit('Delete', ['h/k']),
      submit('Put', ['h/k', 'v3'], { org: 'Org2' }),
      evaluate('History', ['h/k']),
      evaluate('History', ['h/never']),
      submit('PutComposite', ['hist', json(['x']), 'c1']),
      evaluate('History', ['\u0000hist\u0000x\u0000']),
    ],
  },
  {
    name: 'private data: writes, hashes, reads from both organizations, deletes, purges, ranges',
    steps: [
      submit('PutPrivate', ['shared', 'p/1'], { transient: { value: 'secret one' } }),
      evaluate('GetPrivate', ['shared', 'p/1']),
      evaluate('GetPrivate', ['shared', 'p/1'], { org: 'Org2' }),
      submit('PutPrivateThenGet', ['shared', 'p/2', 'two']),
      evaluate('GetPrivate', ['shared', 'p/2']),
      evaluate('GetPrivate', ['shared', 'p/missing']),
      submit('PutPrivate', ['shared', 'p/3'], { transient: { value: 'three' } }),
      evaluate('PrivateRange', ['shared', '', '']),
      evaluate('PrivateRange', ['shared', 'p/2', '']),
      evaluate('PrivatePartial', ['shared', 'type', json([])]),
      evaluate('Get', ['p/1']),
      submit('PutPrivate', ['shared', 'p/4']),
      submit('PutPrivate', ['undeclared', 'p/1'], { transient: { value: 'x' } }),
      evaluate('GetPrivate', ['undeclared', 'p/1']),
      submit('DeletePrivate', ['shared', 'p/1']),
      evaluate('GetPrivate', ['shared', 'p/1']),
      submit('PurgePrivate', ['shared', 'p/3']),
      evaluate('GetPrivate', ['shared', 'p/3']),
      evaluate('PrivateRange', ['shared', '', '']),
      evaluate('GetPrivateHash', ['shared', 'p/2'], { org: 'Org2' }),
      evaluate('GetPrivateHash', ['undeclared', 'p/2']),
      submit('DeletePrivate', ['undeclared', 'p/2']),
      submit('PurgePrivate', ['undeclared', 'p/2']),
      submit('PrivateRangeThenPut', ['shared', 'pr/count']),
      submit('PutThenPrivateRange', ['shared', 'pr/x']),
      evaluate('Get', ['pr/x']),
      concurrent(
        { transaction: 'PutPrivate', args: ['shared', 'p/2'], transient: { value: 'changed' } },
        { transaction: 'CopyPrivateToPublic', args: ['shared', 'p/2', 'pub/p2'], org: 'Org2' },
      ),
      evaluate('GetPrivate', ['shared', 'p/2'], { org: 'Org2' }),
      evaluate('Get', ['pub/p2']),
    ],
  },
  {
    name: 'private data of one organization: member-only reads and writes',
    // No successful write here: the chaincode's policy needs Org2's endorsement, which the
    // gateway does not ask a peer outside the collection for (an endorser choice the harness
    // does not model). The creator's access rules are what this checks.
    steps: [
      evaluate('GetPrivate', ['org1', 'o/1']),
      evaluate('GetPrivate', ['org1', 'o/1'], { org: 'Org2' }),
      evaluate('GetPrivateHash', ['org1', 'o/1'], { org: 'Org2' }),
      evaluate('GetPrivateHash', ['org1', 'o/1']),
      submit('PutPrivate', ['org1', 'o/2'], { org: 'Org2', transient: { value: 'from org2' } }),
      evaluate('PrivateRange', ['org1', '', '']),
      evaluate('PrivateRange', ['org1', '', ''], { org: 'Org2' }),
      submit('DeletePrivate', ['org1', 'o/1'], { org: 'Org2' }),
      submit('PurgePrivate', ['org1', 'o/1'], { org: 'Org2' }),
      submit('DeletePrivate', ['org1', 'o/1']),
      evaluate('GetPrivate', ['org1', 'o/1']),
    ],
  },
  {
    name: 'transient data',
    steps: [
      evaluate('Transient', [], { transient: { b: '2', a: '1', ü: 'ö' } }),
      submit('Transient', [], { transient: { only: 'submitted' } }),
      evaluate('Transient'),
    ],
  },
  {
    name: 'events: one per transaction, the last setEvent wins, none from failed or invalid transactions',
    steps: [
      submit('Events', ['First', 'Second']),
      submit('Events', ['Only', '']),
      submit('EventThenFail', ['Lost']),
      evaluate('Events', ['Evaluated', '']),
      submit('Call', ['callee', json(['Put', 'ev/1', 'v'])]),
      submit('CallThenEvent', ['callee', json(['Put', 'ev/2', 'v'])]),
      submit('Put', ['ev/counter', '0']),
      concurrent(
        { transaction: 'IncrementAndSignal', args: ['ev/counter'] },
        { transaction: 'IncrementAndSignal', args: ['ev/counter'], org: 'Org2' },
      ),
      { kind: 'events' },
    ],
  },
  {
    name: 'invokeChaincode: the callee’s result, its writes, its view of the transaction, its errors',
    steps: [
      submit('Call', ['callee', json(['Put', 'cc/k', 'from caller'])]),
      evaluate('Get', ['cc/k'], { chaincode: 'callee' }),
      evaluate('Get', ['cc/k']),
      evaluate('Call', ['callee', json(['Get', 'cc/k'])]),
      evaluate('Call', ['callee', json(['Context'])], { transient: { t: 'x' } }),
      evaluate('Call', ['callee', json(['Fail', 'callee says no'])]),
      evaluate('Call', ['callee', json(['NoSuchFunction'])]),
      evaluate('Call', ['no-such-chaincode', json(['Get', 'cc/k'])]),
      submit('Call', ['callee', json(['Fail', 'callee fails a submit'])]),
    ],
  },
  {
    name: 'transaction context: channel, creator, arguments, timestamps',
    steps: [
      evaluate('Context'),
      submit('Context', [], { org: 'Org2' }),
      evaluate('conformance:Context'),
      evaluate('second:Name'),
      evaluate('Echo', ['lone \ud800 surrogate']),
      evaluate('Echo', ['😀 é \u0000 end']),
      evaluate('Echo', ['']),
      evaluate('PeerMspId'),
    ],
  },
  {
    name: 'errors: what a client sees when the chaincode throws or the call is wrong',
    steps: [
      evaluate('Fail', ['plain failure']),
      submit('Fail', ['submitted failure'], { org: 'Org2' }),
      evaluate('NoSuchTransaction'),
      evaluate('nosuch:Fn'),
      evaluate('_Hidden'),
      evaluate(':Echo', ['default contract']),
      evaluate('second:Name:extra'),
      evaluate('conformance:'),
      evaluate('PutThenGet', ['only-one-argument']),
      evaluate('Echo', ['one', 'two']),
      evaluate('Echo'),
      submit('Put', ['', 'empty key']),
      evaluate('Return', ['bogus']),
    ],
  },
  {
    name: 'return values as fabric-contract-api serializes them',
    steps: [
      'string',
      'empty-string',
      'number',
      'zero',
      'boolean',
      'undefined',
      'null',
      'object',
      'array',
      'buffer',
      'uint8array',
      'map',
      'set',
      'date',
      'to-json',
      'getter',
      'nested-buffer',
    ].map((kind) => evaluate('Return', [kind])),
  },
  {
    // fabric-samples' asset-transfer-basic as a new user writes it: TypeScript with
    // decorators, number parameters, writes returned from the stub, on fabric-contract-api
    // 2.5.6 while this package is built against 2.5.8.
    name: 'asset-transfer chaincode: typed parameters, returned writes, its own fabric-contract-api',
    steps: [
      basic('submit', 'CreateAsset', ['asset1', 'blue', '5', 'Tomoko', '1300']),
      basic('evaluate', 'ReadAsset', ['asset1']),
      basic('submit', 'CreateAsset', ['asset2', 'red', 'five', 'Brad', '400']),
      basic('submit', 'CreateAsset', ['asset2', 'red', ' 7 ', 'Brad', '4e2']),
      basic('submit', 'CreateAsset', ['asset3', 'green', '', 'Jin Soo', '-0.5']),
      basic('submit', 'CreateAsset', ['asset4', 'green', 'Infinity', 'Max', '0x10']),
      basic('submit', 'CreateAsset', ['asset5', 'green', '5', 'Max']),
      basic('evaluate', 'ReadAsset', ['asset2']),
      basic('evaluate', 'AssetExists', ['asset1']),
      basic('evaluate', 'AssetExists', ['nothing']),
      basic('submit', 'Appraise', ['asset1', '0.4', 'true']),
      basic('submit', 'Appraise', ['asset1', '0.4', ' FALSE ']),
      basic('submit', 'Appraise', ['asset1', '1', 'yes']),
      basic('submit', 'UpdateAsset', ['asset1', 'purple', '6', 'Tomoko', '1400']),
      basic('submit', 'DeleteAsset', ['asset3']),
      basic('submit', 'DeleteAsset', ['asset3']),
      basic('submit', 'TransferAsset', ['asset1', 'Max']),
      basic('evaluate', 'ReadAssetObject', ['asset1']),
      basic('evaluate', 'Plain'),
      basic('submit', 'CreateAssetFromObject', [
        json({ ID: 'asset6', Color: 'white', Size: 1, Owner: 'Ann', AppraisedValue: 2 }),
      ]),
      basic('submit', 'CreateAssetFromObject', [
        json({ ID: 'asset7', Color: 'white', Size: 'big', Owner: 'Ann', AppraisedValue: 2 }),
      ]),
      basic('submit', 'CreateAssetFromObject', ['not json']),
      basic('evaluate', 'GetAllAssets'),
      basic('evaluate', 'ReadAsset', ['asset3']),
    ],
  },
  {
    name: 'MVCC and phantom reads: concurrent transactions endorsed against the same state',
    steps: [
      submit('Put', ['m/counter', '0']),
      concurrent(
        { transaction: 'Increment', args: ['m/counter'] },
        { transaction: 'Increment', args: ['m/counter'], org: 'Org2' },
      ),
      evaluate('Get', ['m/counter']),
      concurrent({ transaction: 'Put', args: ['m/new', 'created'] }, { transaction: 'Increment', args: ['m/new'] }),
      evaluate('Get', ['m/new']),
      concurrent(
        { transaction: 'Put', args: ['m/blind', 'first'] },
        { transaction: 'Put', args: ['m/blind', 'second'] },
      ),
      evaluate('Get', ['m/blind']),
      submit('Put', ['ph/a', '1']),
      concurrent(
        { transaction: 'Put', args: ['ph/b', '2'] },
        { transaction: 'CountRangeThenPut', args: ['ph/', 'ph0', 'phc/count'] },
      ),
      concurrent(
        { transaction: 'Put', args: ['ph/b', '3'] },
        { transaction: 'CountRangeThenPut', args: ['ph/', 'ph0', 'phc/count'] },
      ),
      evaluate('Get', ['phc/count']),
      submit('PutMany', [
        json([
          ['fr/a', '1'],
          ['fr/m', '2'],
        ]),
      ]),
      concurrent(
        { transaction: 'Put', args: ['fr/z', '3'] },
        { transaction: 'FirstOfRangeThenPut', args: ['fr/', 'fr0', 'frc/first'] },
      ),
      concurrent(
        { transaction: 'Put', args: ['fr/0', '0'] },
        { transaction: 'FirstOfRangeThenPut', args: ['fr/', 'fr0', 'frc/first'] },
      ),
      // 150 keys: the peer reads a range in batches of 100 plus one, so a chaincode that
      // looks at the first key only has read big/000 to big/100.
      submit('PutMany', [json(Array.from({ length: 150 }, (_, n) => [`big/${String(n).padStart(3, '0')}`, 'v']))]),
      concurrent(
        { transaction: 'Put', args: ['big/100x', 'after the batch'] },
        { transaction: 'FirstOfRangeThenPut', args: ['big/', 'big0', 'bigc/first'] },
      ),
      concurrent(
        { transaction: 'Put', args: ['big/099x', 'inside the batch'] },
        { transaction: 'FirstOfRangeThenPut', args: ['big/', 'big0', 'bigc/first'] },
      ),
      // Read-only transactions submitted anyway: their range reads are validated too.
      submit('PutMany', [json(['1', '2', '3', '4', '5'].map((n) => [`pq/${n}`, n]))]),
      submit('Range', ['pq/', 'pq0']),
      submit('RangePage', ['pq/', 'pq0', '2', '']),
      submit('RangePage', ['pq/', 'pq0', '2', 'pq/3']),
      submit('RangePage', ['pq/', 'pq0', '2', 'pq/5']),
      submit('RangePage', ['pq/', 'pq0', '10', '']),
      submit('RangeAllPages', ['pq/', 'pq0', '2']),
      submit('PartialPage', ['color', json([]), '2', '']),
      submit('PartialPage', ['color', json([]), '10', '']),
      concurrent(
        { transaction: 'Call', args: ['callee', json(['Put', 'm/callee', 'first'])] },
        { transaction: 'Call', args: ['callee', json(['Get', 'm/callee'])] },
      ),
    ],
  },
];

function parsePayload(bytes: Uint8Array): unknown {
  const text = decoder.decode(bytes);
  try {
    return { json: JSON.parse(text) };
  } catch {
    return { text };
  }
}

/** The chaincode's message inside a gateway error: `chaincode response 500, <message>`. */
function peerErrorMessage(error: unknown): string {
  const details = (error as { details?: Array<{ message: string }> }).details ?? [];
  const message = details[0]?.message ?? (error as Error).message;
  return message.replace(/^chaincode response \d+, /, '');
}

/** Retries, for up to 30 s, while discovery has not yet learned a just-deployed chaincode (gRPC 9). */
function whenDiscovered<T>(call: () => Promise<T>): Promise<T> {
  return retry(call, {
    retries: 120,
    baseDelayMs: 250,
    maxDelayMs: 250,
    jitter: 'none',
    shouldRetry: (error) => (error as { code?: number }).code === 9,
  });
}

/** `user` through `org`'s gateway peer, with deadlines generous for a loaded machine. */
function ledgerFor(org: OrganizationAccess, user: IssuedIdentity): Promise<FabricLedger> {
  return connectFabric({
    connectionProfile: org.connectionProfilePath,
    identity: { certificatePath: user.certificatePath, privateKeyPath: user.privateKeyPath, mspId: user.mspId },
    channel,
    chaincode: 'conformance',
    deadlines: { evaluateMs: 30_000, endorseMs: 60_000, submitMs: 30_000, commitStatusMs: 120_000 },
  });
}

class PeerRunner implements Runner {
  readonly #gateways: Map<Org, Gateway>;
  #firstBlock: bigint | undefined;

  constructor(gateways: Map<Org, Gateway>) {
    this.#gateways = gateways;
  }

  async begin(): Promise<void> {
    this.#firstBlock = undefined;
  }

  #contract(call: Call): Contract {
    const gateway = this.#gateways.get(call.org ?? 'Org1') as Gateway;
    return gateway.getNetwork(channel).getContract(call.chaincode ?? 'conformance');
  }

  #proposal(call: Call): Proposal {
    return this.#contract(call).newProposal(call.transaction, {
      arguments: call.args ?? [],
      ...(call.transient ? { transientData: call.transient } : {}),
    });
  }

  /**
   * Waits until every organization's peer has committed a block. A commit status comes
   * from the gateway's own peer; without this, the next step, sent through the other
   * organization, could read that peer's ledger before the block reached it.
   */
  async #committedEverywhere(blockNumber: bigint): Promise<void> {
    for (const gateway of this.#gateways.values()) {
      const blocks = await gateway.getNetwork(channel).getFilteredBlockEvents({ startBlock: blockNumber });
      try {
        await blocks[Symbol.asyncIterator]().next();
      } finally {
        blocks.close();
      }
    }
  }

  async submit(call: Call): Promise<StepRecord> {
    const proposal = this.#proposal(call);
    const txId = proposal.getTransactionId();
    try {
      const transaction = await whenDiscovered(() => proposal.endorse());
      const status = await (await transaction.submit()).getStatus();
      this.#firstBlock ??= status.blockNumber;
      await this.#committedEverywhere(status.blockNumber);
      if (!status.successful) return { txIds: [txId], outcome: { invalid: statusNames.get(status.code) } };
      return { txIds: [txId], outcome: { result: parsePayload(transaction.getResult()) } };
    } catch (error) {
      return { txIds: [txId], outcome: { error: peerErrorMessage(error) } };
    }
  }

  async evaluate(call: Call): Promise<StepRecord> {
    const proposal = this.#proposal(call);
    const txId = proposal.getTransactionId();
    try {
      return { txIds: [txId], outcome: { result: parsePayload(await whenDiscovered(() => proposal.evaluate())) } };
    } catch (error) {
      return { txIds: [txId], outcome: { error: peerErrorMessage(error) } };
    }
  }

  async concurrent(calls: [Call, Call]): Promise<StepRecord> {
    const proposals = calls.map((call) => this.#proposal(call));
    const transactions = [];
    for (const proposal of proposals) transactions.push(await whenDiscovered(() => proposal.endorse()));
    const submitted = [];
    for (const transaction of transactions) submitted.push(await transaction.submit());
    const validation: Array<string | undefined> = [];
    let lastBlock = 0n;
    for (const commit of submitted) {
      const status = await commit.getStatus();
      this.#firstBlock ??= status.blockNumber;
      if (status.blockNumber > lastBlock) lastBlock = status.blockNumber;
      validation.push(statusNames.get(status.code));
    }
    await this.#committedEverywhere(lastBlock);
    return {
      txIds: proposals.map((proposal) => proposal.getTransactionId()),
      outcome: { results: transactions.map((transaction) => parsePayload(transaction.getResult())), validation },
    };
  }

  async events(): Promise<StepRecord> {
    const markers: string[] = [];
    for (const chaincode of chaincodes) {
      const marker = await this.submit({ transaction: 'Marker', chaincode });
      markers.push(...marker.txIds);
    }
    const received: ReceivedEvent[] = [];
    const network = (this.#gateways.get('Org1') as Gateway).getNetwork(channel);
    for (const chaincode of chaincodes) {
      const events = await network.getChaincodeEvents(chaincode, { startBlock: this.#firstBlock ?? 0n });
      const timer = setTimeout(() => events.close(), 60_000);
      try {
        for await (const event of events) {
          received.push({
            chaincode: event.chaincodeName,
            name: event.eventName,
            payload: decoder.decode(event.payload),
            txId: event.transactionId,
          });
          if (event.eventName === 'Marker') break;
        }
      } finally {
        clearTimeout(timer);
        events.close();
      }
    }
    return { txIds: markers, outcome: { events: received } };
  }
}

class HarnessRunner implements Runner {
  readonly #harness: ChaincodeHarness;
  readonly #identities: Map<Org, TestIdentity>;
  #firstEvent = 0;

  /** @param identities - the callers, with the very certificates the peer sees */
  constructor(harness: ChaincodeHarness, identities: Map<Org, TestIdentity>) {
    this.#harness = harness;
    this.#identities = identities;
  }

  async begin(): Promise<void> {
    this.#firstEvent = this.#harness.events.length;
  }

  #call(call: Call): TransactionCall {
    return {
      as: this.#identities.get(call.org ?? 'Org1') as TransactionCall['as'],
      chaincode: call.chaincode ?? 'conformance',
      transaction: call.transaction,
      args: call.args ?? [],
      ...(call.transient ? { transient: call.transient } : {}),
    };
  }

  #failure(error: unknown): StepRecord {
    if (isLedgerError(error, 'CONTRACT_REVERTED')) {
      const details = error.details as { txId: string; message: string };
      return { txIds: [details.txId], outcome: { error: details.message } };
    }
    if (isLedgerError(error)) {
      const details = error.details as { txId?: string; validationCode?: string };
      if (details.validationCode) return { txIds: [details.txId ?? ''], outcome: { invalid: details.validationCode } };
    }
    throw error;
  }

  async submit(call: Call): Promise<StepRecord> {
    try {
      const result = await this.#harness.submit(this.#call(call));
      return { txIds: [result.txId], outcome: { result: parsePayload(result.payload) } };
    } catch (error) {
      return this.#failure(error);
    }
  }

  async evaluate(call: Call): Promise<StepRecord> {
    try {
      const result = await this.#harness.evaluate(this.#call(call));
      return { txIds: [result.txId], outcome: { result: parsePayload(result.payload) } };
    } catch (error) {
      return this.#failure(error);
    }
  }

  async concurrent(calls: [Call, Call]): Promise<StepRecord> {
    const endorsements: Endorsement[] = [];
    for (const call of calls) endorsements.push(await this.#harness.endorse(this.#call(call)));
    const validation: string[] = [];
    for (const endorsement of endorsements) {
      const [result] = await this.#harness.commitBlock([endorsement]);
      validation.push(result?.validationCode ?? 'none');
    }
    return {
      txIds: endorsements.map((endorsement) => endorsement.txId),
      outcome: { results: endorsements.map((endorsement) => parsePayload(endorsement.payload)), validation },
    };
  }

  async events(): Promise<StepRecord> {
    const markers: string[] = [];
    for (const chaincode of chaincodes) {
      const marker = await this.submit({ transaction: 'Marker', chaincode });
      markers.push(...marker.txIds);
    }
    const received: ReceivedEvent[] = [];
    for (const chaincode of chaincodes) {
      for (const event of this.#harness.events.slice(this.#firstEvent)) {
        if (event.chaincode !== chaincode) continue;
        received.push({
          chaincode: event.chaincode,
          name: event.name,
          payload: decoder.decode(event.payload),
          txId: event.txId,
        });
        if (event.name === 'Marker') break;
      }
    }
    return { txIds: markers, outcome: { events: received } };
  }
}

async function run(runner: Runner, scenario: Scenario): Promise<StepRecord[]> {
  await runner.begin();
  const records: StepRecord[] = [];
  for (const step of scenario.steps) {
    if (step.kind === 'submit') records.push(await runner.submit(step));
    else if (step.kind === 'evaluate') records.push(await runner.evaluate(step));
    else if (step.kind === 'concurrent') records.push(await runner.concurrent(step.calls));
    else records.push(await runner.events());
  }
  return records;
}

/**
 * Replaces transaction ids by the step that created them (`tx3`, `tx5.1` for the second of
 * a concurrent pair). A timestamp next to a transaction id (what a writing transaction
 * returns, a history entry) becomes `<time of tx3>` when it is the time that transaction
 * first reported, so a history entry must carry its transaction's timestamp; any other
 * timestamp becomes `<time>` (two proposals may share a millisecond on the peer).
 */
function normalize(scenario: Scenario, records: StepRecord[]): unknown[] {
  const labels = new Map<string, string>();
  records.forEach((record, index) => {
    record.txIds.forEach((txId, position) => {
      if (txId) labels.set(txId, record.txIds.length > 1 ? `tx${index}.${position}` : `tx${index}`);
    });
  });
  const timeOf = new Map<string, string>();
  const collect = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(collect);
    else if (value && typeof value === 'object') {
      const { txId, timestamp } = value as { txId?: unknown; timestamp?: unknown };
      if (typeof txId === 'string' && typeof timestamp === 'string' && !timeOf.has(txId)) timeOf.set(txId, timestamp);
      Object.values(value).forEach(collect);
    }
  };
  const rewrite = (text: string): string => {
    let result = text;
    for (const [txId, label] of labels) result = result.replaceAll(txId, `<${label}>`);
    return result.replace(/ts:\d+\.\d{9}/g, '<time>');
  };
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return rewrite(value);
    if (Array.isArray(value)) return value.map(walk);
    if (value && typeof value === 'object') {
      const { txId, timestamp } = value as { txId?: unknown; timestamp?: unknown };
      const entries = Object.entries(value).map(([key, inner]) => {
        if (key === 'timestamp' && typeof txId === 'string' && timeOf.get(txId) === timestamp) {
          return [key, `<time of ${rewrite(txId)}>`];
        }
        return [key, walk(inner)];
      });
      return Object.fromEntries(entries);
    }
    return value;
  };
  return records.map((record, index) => {
    collect(record.outcome);
    const step = scenario.steps[index] as Step;
    const what = step.kind === 'concurrent' ? step.calls.map((call) => call.transaction).join(' ‖ ') : step.kind;
    return {
      step: `${index} ${step.kind === 'submit' || step.kind === 'evaluate' ? `${step.kind} ${step.transaction}` : what}`,
      ...(walk(record.outcome) as object),
    };
  });
}

describe('ChaincodeHarness against a real peer', () => {
  let fabric: FabricNetworkFixture | undefined;
  let ledgers: FabricLedger[] = [];
  let peer: PeerRunner;
  let harness: HarnessRunner;

  beforeAll(async () => {
    // Starting the network is not what this file tests: under load an orderer has refused
    // its admin connection while joining the channel (fabric-network retries that only for
    // a few seconds), so a failed start is retried once in a fresh directory.
    const options = { orgs: 2, peersPerOrg: 1, orderers: 1 as const, channel };
    fabric = await startFabricNetwork(options).catch((error: unknown) => {
      console.warn(`[conformance] network start failed, retrying once: ${(error as Error).message}`);
      return startFabricNetwork(options);
    });
    await fabric.network.deployChaincode({
      name: 'conformance',
      path: conformancePath,
      collections: [
        { name: 'shared', requiredPeerCount: 0, maxPeerCount: 1 },
        { name: 'org1', policy: "OR('Org1MSP.member')", memberOnlyRead: true, memberOnlyWrite: true },
      ],
    });
    await fabric.network.deployChaincode({ name: 'callee', path: calleePath });
    await fabric.network.deployChaincode({ name: 'basic', path: await prepareAssetTransfer() });
    // Callers with attributes in their certificates (as Fabric CA issues them); the harness
    // gets the same certificates, so ctx.clientIdentity answers can be compared too.
    const users: Record<Org, IssuedIdentity> = {
      Org1: await fabric.network.issueIdentity({ org: 'Org1', name: 'alice', attributes: { role: 'admin' } }),
      Org2: await fabric.network.issueIdentity({ org: 'Org2', name: 'bob.x', attributes: { role: 'auditor' } }),
    };
    const gateways = new Map<Org, Gateway>();
    const identities = new Map<Org, TestIdentity>();
    for (const org of ['Org1', 'Org2'] as const) {
      const user = users[org];
      const ledger = await ledgerFor(fabric.network.organization(org), user);
      ledgers.push(ledger);
      gateways.set(org, ledger.native.gateway);
      identities.set(org, {
        mspId: user.mspId,
        name: user.name,
        certificate: await readFile(user.certificatePath, 'utf8'),
        attributes: user.attributes,
      });
    }
    peer = new PeerRunner(gateways);

    const chaincodeHarness = new ChaincodeHarness({ channel });
    chaincodeHarness.deploy('conformance', conformanceContracts, {
      collections: ['shared', { name: 'org1', members: ['Org1MSP'], memberOnlyRead: true, memberOnlyWrite: true }],
    });
    chaincodeHarness.deploy('callee', calleeContracts);
    chaincodeHarness.deploy('basic', (await loadAssetTransfer()) as ContractClass[]);
    harness = new HarnessRunner(chaincodeHarness, identities);
  }, 600_000);

  afterAll(async () => {
    for (const ledger of ledgers) await ledger.close();
    ledgers = [];
    await fabric?.close();
  }, 180_000);

  // Scenarios share one ledger on each side, in this order, like tests sharing a network.
  for (const scenario of scenarios) {
    test(scenario.name, async () => {
      const fromPeer = normalize(scenario, await run(peer, scenario));
      const fromHarness = normalize(scenario, await run(harness, scenario));
      // LEDGERKIT_CONFORMANCE_DUMP=<file> appends what the peer answered, to read or diff.
      const dump = process.env.LEDGERKIT_CONFORMANCE_DUMP;
      if (dump) await appendFile(dump, `${JSON.stringify({ scenario: scenario.name, peer: fromPeer }, null, 2)}\n`);
      expect(fromHarness).toEqual(fromPeer);
    }, 300_000);
  }

  test('deploying unbuilt chaincode (package.json main missing) is refused before anything reaches the peer', async () => {
    const network = (fabric as FabricNetworkFixture).network;
    const source = await prepareAssetTransfer();
    const unbuilt = await mkdtemp(join(tmpdir(), 'ledgerkit-unbuilt-'));
    try {
      for (const file of ['package.json', 'tsconfig.json', 'src']) {
        await cp(join(source, file), join(unbuilt, file), { recursive: true });
      }
      await symlink(join(source, 'node_modules'), join(unbuilt, 'node_modules'));
      const error = await network.deployChaincode({ name: 'unbuilt', path: unbuilt }).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(isLedgerError(error, 'NOT_FOUND')).toBe(true);
      expect((error as { details: Record<string, unknown> }).details).toMatchObject({
        reason: 'CHAINCODE_NOT_BUILT',
        main: 'dist/index.js',
        file: join(unbuilt, 'dist', 'index.js'),
      });
      expect((await network.status()).chaincodes.map((chaincode) => chaincode.name)).not.toContain('unbuilt');
      // Nothing was packaged (so nothing installed): the package directory was never made.
      expect(existsSync(join(network.dir, 'chaincodes', 'unbuilt'))).toBe(false);
    } finally {
      await rm(unbuilt, { recursive: true, force: true });
    }
  });
});
