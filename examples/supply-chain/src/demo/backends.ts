// The demo's backends, each started for real in this process (or as native processes for
// Fabric): the operator's ledgerdb service, Hardhat's in-process EDR chain, a two-organization
// Fabric network. Each also knows how to attempt the tamper that fits its trust model.
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { promisify } from 'node:util';
import {
  isLedgerError,
  type JsonObject,
  type JsonValue,
  type Ledger,
  type Revision,
  type TrustAnchor,
} from '@ledgerkit/core';
import type { EthereumLedger } from '@ledgerkit/ethereum';
import type { FabricLedger } from '@ledgerkit/fabric';
import { type FabricEvidence, verifyFabricReceipt } from '@ledgerkit/fabric/verify';
import { asLedger, type Digest, type LedgerDatabase, openLedgerDatabase } from '@ledgerkit/ledgerdb';
import { LedgerdbClient } from '@ledgerkit/ledgerdb/client';
import { postgresStorage } from '@ledgerkit/ledgerdb/postgres';
import { createServer, createToken, parseRoles, readTokensFile, TokenRegistry } from '@ledgerkit/ledgerdb/server';
import { encodeBytes32String } from 'ethers';
import type { ProvenanceStep } from '../domain.ts';
import { type EdrSupplyChain, startEdrSupplyChain } from '../edr-supply-chain.ts';
import { startFabricSupplyChainNetwork } from '../fabric-network-backend.ts';
import { batchesTable, LedgerdbSupplyChainService, supplyChainRules } from '../ledgerdb-supply-chain.ts';
import type { SupplyChain } from '../port.ts';

/** The four identities of the scenario, each a SupplyChain acting as itself. */
export interface Parties {
  manufacturer: SupplyChain;
  carrier: SupplyChain;
  retailer: SupplyChain;
  auditor: SupplyChain;
}

/** One tamper attempt and whether (and how) it was caught. */
export interface TamperOutcome {
  /** What the attacker did. */
  attempt: string;
  /** True when the verification or audit refused it. */
  caught: boolean;
  /** How it was caught: the failed named checks or the audit's first mismatch. */
  how: string;
}

/** What the excursion checkpoint said, and the lie the attacker wants recorded instead. */
export interface TamperTarget {
  batchId: string;
  /** The checkpoint above the limit, as committed. */
  excursion: ProvenanceStep;
  /** The temperature the attacker would rather show. */
  forgedTemperature: number;
  /** The auditor's anchor, pinned out of band before the attempt. */
  anchor: TrustAnchor;
}

/** A started backend with the scenario's identities. */
export interface DemoBackend {
  /** Backend kind, as its receipts name it. */
  kind: 'ledgerdb' | 'ethereum' | 'fabric';
  /** How the demo names it, e.g. `ledgerdb (embedded)`. */
  label: string;
  parties: Parties;
  /** A trust anchor the auditor obtains out of band (not from the verify call). */
  pinAnchor(): Promise<TrustAnchor>;
  /** How that anchor was obtained, in words. */
  anchorSource: string;
  /** Attempts to rewrite the excursion behind the rules' back; never throws for a caught attempt. */
  tamper(target: TamperTarget): Promise<TamperOutcome[]>;
  stop(): Promise<void>;
}

const participants = { acme: 'manufacturer', haulage: 'carrier', shop: 'retailer', audit: 'auditor' } as const;

function partiesOf(service: LedgerdbSupplyChainService): Parties {
  return {
    manufacturer: service.as('acme'),
    carrier: service.as('haulage'),
    retailer: service.as('shop'),
    auditor: service.as('audit'),
  };
}

function failedChecks(verification: { ok: boolean; checks: { name: string; ok: boolean }[] }): string {
  const failed = verification.checks.filter((check) => !check.ok).map((check) => check.name);
  return failed.length > 0 ? `failed check ${failed.join(', ')}` : 'every check passed';
}

/** Replaces `from` by `to` at the given properties of a JSON value (numbers or numeric strings). */
function rewriteTemperature(value: unknown, keys: readonly string[], from: number, to: number): unknown {
  if (Array.isArray(value)) return value.map((item) => rewriteTemperature(item, keys, from, to));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const hit = keys.includes(key) && (child === from || child === String(from));
    out[key] = hit ? (typeof child === 'string' ? String(to) : to) : rewriteTemperature(child, keys, from, to);
  }
  return out;
}

/**
 * The excursion's revision with its temperature rewritten and its genuine receipt, handed to
 * the auditor's verifier against the pinned anchor.
 */
async function forgedValueOutcome(
  ledger: Ledger,
  key: string,
  target: TamperTarget,
  keys: readonly string[],
  scale: number,
  who: string,
): Promise<TamperOutcome> {
  const { excursion, forgedTemperature, anchor } = target;
  const from = excursion.kind === 'checkpoint' ? excursion.temperature : Number.NaN;
  const attempt = `${who} shows the excursion's revision with ${from} °C changed to ${forgedTemperature} °C, with its genuine receipt`;
  for (const revision of await ledger.history(key)) {
    if (revision.receipt.txId !== excursion.receipt.txId) continue;
    const value = rewriteTemperature(
      revision.value,
      keys,
      Number((from * scale).toFixed(2)),
      Number((forgedTemperature * scale).toFixed(2)),
    );
    if (JSON.stringify(value) === JSON.stringify(revision.value)) continue;
    const forged: Revision = { ...revision, value: value as JsonValue };
    const result = await ledger.verify(forged, { anchor });
    return { attempt, caught: !result.ok, how: failedChecks(result) };
  }
  return { attempt, caught: false, how: 'the demo found no revision holding the temperature to change' };
}

/**
 * The operator's ledgerdb service, embedded: one SQLite ledger file the operator owns.
 *
 * @returns the backend; its tamper edits the journal file behind the ledger's back
 */
export async function startLedgerdbEmbedded(): Promise<DemoBackend> {
  const dir = await mkdtemp(join(tmpdir(), 'ledgerkit-demo-ledgerdb-'));
  const path = join(dir, 'supply-chain.ledger');
  // The operator signs its digests; the auditor pins the operator's public key with a digest.
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const reopen = () => openLedgerDatabase({ path, name: 'supply-chain', signingKey: privateKey });
  let database: LedgerDatabase = await reopen();
  let service = await LedgerdbSupplyChainService.open(database, { participants });
  let open = true;
  return {
    kind: 'ledgerdb',
    label: 'ledgerdb (embedded)',
    parties: partiesOf(service),
    anchorSource: "the digest the operator signed after the last step, and the operator's Ed25519 public key",
    pinAnchor: async () => ({
      type: 'ledgerdb-digest',
      digest: (await database.digest()) as unknown as JsonObject,
      publicKey: publicKeyPem,
    }),
    async tamper(target) {
      const { excursion, forgedTemperature, anchor } = target;
      if (excursion.kind !== 'checkpoint') throw new Error('the target is not a checkpoint');
      const trusted = (anchor as { digest: JsonObject }).digest as unknown as Digest;
      // The operator stops the service and edits the journal file directly, as anyone holding
      // the database could: the excursion's temperature becomes a compliant one.
      await service.close();
      open = false;
      const raw = new DatabaseSync(path);
      let edited = 0;
      try {
        // Journal format 2 keeps a revision's data in its own column (the leaf commits to its
        // hash); format 1 keeps it inside the leaf's body. The operator edits wherever it is.
        const rows = raw.prepare('SELECT leaf, body, data FROM leaves').all() as {
          leaf: number;
          body: string;
          data: string | null;
        }[];
        for (const { leaf, body, data } of rows) {
          const text = data ?? body;
          if (!body.includes(excursion.receipt.txId) && !text.includes(target.batchId)) continue;
          const next = text
            .replace(`"temperature":${excursion.temperature}`, `"temperature":${forgedTemperature}`)
            .replace('"excursion":true', '"excursion":false');
          if (next === text || !text.includes(`"sequence":${excursion.sequence}`)) continue;
          raw.prepare(`UPDATE leaves SET ${data === null ? 'body' : 'data'} = ? WHERE leaf = ?`).run(next, leaf);
          edited++;
          break;
        }
      } finally {
        raw.close();
      }
      database = await reopen();
      service = await LedgerdbSupplyChainService.open(database, { participants });
      open = true;
      const audit = await database.audit({ against: trusted });
      const ledger = asLedger(database);
      const shown = (await ledger.history(`${batchesTable}/${target.batchId}`)).find(
        (revision) => revision.receipt.txId === excursion.receipt.txId,
      );
      const verified = shown ? await ledger.verify(shown, { anchor }) : undefined;
      const outcomes: TamperOutcome[] = [
        {
          attempt: `the operator edits the journal file (SQL UPDATE): checkpoint ${excursion.sequence} ${excursion.temperature} °C -> ${forgedTemperature} °C, excursion cleared`,
          caught: edited === 1 && !audit.ok && verified?.ok === false,
          how:
            edited !== 1
              ? 'the demo found no journal entry to edit'
              : `audit against the pinned digest: ${audit.ok ? 'passed' : `mismatch at leaf ${audit.firstMismatch?.leaf} (${audit.firstMismatch?.reason})`}; the edited revision: ${verified ? failedChecks(verified) : 'no longer readable'}`,
        },
      ];
      return outcomes;
    },
    async stop() {
      if (open) await service.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The operator's service over `ledgerdb serve` on PostgreSQL (a throwaway cluster started with
 * the repository's scripts/postgres.sh): the server enforces the same rules on its table.
 *
 * @param onStarting - receives the function that stops the server and PostgreSQL, before they start
 * @returns the backend; its tamper hands the auditor a forged revision
 * @throws Error when PostgreSQL cannot be started
 */
export async function startLedgerdbServer(
  onStarting: (stop: () => Promise<void>) => void = () => {},
): Promise<DemoBackend> {
  const scriptUrl = new URL('../../../../scripts/postgres-server.mjs', import.meta.url).href;
  const { startPostgres } = (await import(scriptUrl)) as typeof import('../../../../scripts/postgres-server.mjs');
  const postgres = await startPostgres();
  const dir = await mkdtemp(join(tmpdir(), 'ledgerkit-demo-serve-'));
  const cleanups: Array<() => Promise<unknown>> = [
    () => postgres.stop(),
    () => rm(dir, { recursive: true, force: true }),
  ];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  };
  onStarting(stop);
  try {
    const tokensPath = join(dir, 'tokens.json');
    const token = (
      await createToken(tokensPath, 'supply-chain-service', parseRoles(['read:batches', 'write:batches', 'auditor']))
    ).token;
    const database = await openLedgerDatabase({
      storage: postgresStorage({ connectionString: postgres.url }),
      name: 'supply-chain',
    });
    await database.createTable(batchesTable);
    const server = await createServer({
      ledger: database,
      tokens: new TokenRegistry((await readTokensFile(tokensPath)).tokens),
      closeLedger: true,
      rules: supplyChainRules(participants),
    });
    cleanups.push(() => server.close());
    const url = await server.listen({ port: 0, host: '127.0.0.1' });
    const client = await LedgerdbClient.connect({ url, token });
    const service = LedgerdbSupplyChainService.connect(client, { participants });
    cleanups.push(() => service.close());
    return {
      kind: 'ledgerdb',
      label: 'ledgerdb (server)',
      parties: partiesOf(service),
      anchorSource: 'the digest ledgerdb serve published after the last step, kept by the auditor',
      pinAnchor: async () => ({
        type: 'ledgerdb-digest',
        digest: (await service.ledger.evaluate({ method: 'digest', args: [] })) as JsonObject,
      }),
      async tamper(target) {
        const key = `${batchesTable}/${target.batchId}`;
        const forged = await forgedValueOutcome(service.ledger, key, target, ['temperature'], 1, 'the operator');
        return [forged, await postgresEditOutcome(postgres.url, database, service.ledger, key, target)];
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The operator edits the excursion's journal entry in PostgreSQL with psql, behind the back of
 * the running `ledgerdb serve`; the auditor audits against its pinned digest and verifies the
 * revision the server now shows.
 */
async function postgresEditOutcome(
  url: string,
  database: LedgerDatabase,
  ledger: Ledger,
  key: string,
  target: TamperTarget,
): Promise<TamperOutcome> {
  const { excursion, forgedTemperature, anchor } = target;
  if (excursion.kind !== 'checkpoint') throw new Error('the target is not a checkpoint');
  const attempt = `the operator edits the journal in PostgreSQL (psql UPDATE): checkpoint ${excursion.sequence} ${excursion.temperature} °C -> ${forgedTemperature} °C, excursion cleared`;
  const from = `"temperature":${excursion.temperature}`;
  const to = `"temperature":${forgedTemperature}`;
  const psql = join(process.env.LEDGERKIT_PG_BIN ?? '/usr/lib/postgresql/15/bin', 'psql');
  // Only this demo's literals go into the statement: a batch id is [A-Za-z0-9._-].
  // Journal format 2 keeps a revision's data in its own column (format 1 inside the body).
  const edit = (column: string) =>
    `CASE WHEN data IS ${column === 'body' ? '' : 'NOT '}NULL THEN replace(replace(${column}, '${from}', '${to}'), '"excursion":true', '"excursion":false') ELSE ${column} END`;
  const sql = `UPDATE ledgerdb.leaves SET body = ${edit('body')}, data = ${edit('data')}
    WHERE leaf = (SELECT min(leaf) FROM ledgerdb.leaves WHERE coalesce(data, body) LIKE '%${target.batchId}%' AND coalesce(data, body) LIKE '%${from}%') RETURNING leaf`;
  const { stdout } = await promisify(execFile)(psql, [url, '-v', 'ON_ERROR_STOP=1', '-qtAc', sql], { timeout: 60_000 });
  const edited = stdout.trim().split('\n').filter(Boolean).length;
  const trusted = (anchor as { digest: JsonObject }).digest as unknown as Digest;
  const audit = await database.audit({ against: trusted });
  // The service's LedgerdbClient verifies what the server tells it: reading the edited history
  // may itself be refused (VERIFICATION_FAILED) before the auditor verifies anything.
  let revision: string;
  try {
    const shown = (await ledger.history(key)).find((candidate) => candidate.receipt.txId === excursion.receipt.txId);
    const verified = shown ? await ledger.verify(shown, { anchor }) : undefined;
    revision = verified?.ok === false ? failedChecks(verified) : 'VERIFIED (not caught)';
  } catch (error) {
    if (!isLedgerError(error, 'VERIFICATION_FAILED')) throw error;
    revision = `the verifying client refused the history the server now serves (${error.code}: ${error.shortMessage.split(':')[0]})`;
  }
  return {
    attempt,
    caught: edited === 1 && !audit.ok && !revision.startsWith('VERIFIED'),
    how:
      edited !== 1
        ? 'the demo found no journal entry to edit'
        : `audit against the pinned digest: ${audit.ok ? 'passed' : `mismatch at leaf ${audit.firstMismatch?.leaf} (${audit.firstMismatch?.reason})`}; the edited revision: ${revision}`,
  };
}

/** One EDR chain with SupplyChain.sol deployed and the four identities connected. */
interface EthereumChain {
  chain: EdrSupplyChain;
  parties: Parties;
  auditorLedger: EthereumLedger;
}

async function startEthereumChain(): Promise<EthereumChain> {
  const chain = await startEdrSupplyChain(['manufacturer', 'carrier', 'retailer', 'auditor']);
  const [manufacturer, carrier, retailer, auditor] = chain.parties;
  return {
    chain,
    parties: {
      manufacturer: manufacturer.supplyChain,
      carrier: carrier.supplyChain,
      retailer: retailer.supplyChain,
      auditor: auditor.supplyChain,
    },
    auditorLedger: auditor.ledger,
  };
}

/**
 * Rewriting history on a chain means a fork: the journey replayed on a second chain with the
 * excursion's temperature changed, mined up to the pinned block's height. Its receipt is then
 * checked against the block hash the auditor pinned on the real chain.
 */
async function forkOutcome(target: TamperTarget): Promise<TamperOutcome> {
  const { batchId, excursion, forgedTemperature, anchor } = target;
  if (excursion.kind !== 'checkpoint' || anchor.type !== 'ethereum-block') throw new Error('not an Ethereum excursion');
  const fork = await startEthereumChain();
  try {
    const { manufacturer, carrier } = fork.parties;
    await manufacturer.register({
      id: batchId,
      product: 'mRNA vaccine',
      documentHash: excursion.documentHash,
      maxTemperature: 8,
    });
    await manufacturer.offerCustody(batchId, carrier.identity);
    await carrier.acceptCustody(batchId);
    const lie = await carrier.recordCheckpoint(batchId, {
      location: excursion.location,
      temperature: forgedTemperature,
      documentHash: excursion.documentHash,
    });
    const missing = anchor.number - (await fork.chain.headAnchor()).number;
    if (missing > 0)
      await fork.chain.provider.request({ method: 'hardhat_mine', params: [`0x${missing.toString(16)}`] });
    const result = await fork.auditorLedger.verify(lie.receipt, { anchor });
    return {
      attempt: `history rewritten by forking: the journey replayed on a second chain with ${forgedTemperature} °C, mined to the pinned height ${anchor.number}`,
      caught: !result.ok && lie.kind === 'checkpoint' && !lie.excursion,
      how: `${failedChecks(result)}: the fork's block ${anchor.number} is not the block hash the auditor pinned`,
    };
  } finally {
    await fork.chain.stop();
  }
}

/**
 * SupplyChain.sol on Hardhat's in-process EDR chain, one Ledger per account.
 *
 * @returns the backend; its tamper forges a revision, moves a receipt and forks the chain
 */
export async function startEthereum(): Promise<DemoBackend> {
  const { chain, parties, auditorLedger } = await startEthereumChain();
  return {
    kind: 'ethereum',
    label: 'ethereum (EDR)',
    parties,
    anchorSource: 'the head block hash the auditor read itself (in production: its own node or a light client)',
    pinAnchor: chain.headAnchor,
    async tamper(target) {
      const { excursion, anchor } = target;
      const key = encodeBytes32String(target.batchId);
      const outcomes = [
        await forgedValueOutcome(auditorLedger, key, target, ['temperatureCentiCelsius'], 100, 'a participant'),
      ];
      // A receipt claiming another block: the block it names does not hold the transaction.
      const moved = {
        ...excursion.receipt,
        position: { ...excursion.receipt.position, block: excursion.receipt.position.block - 1 },
      };
      const result = await auditorLedger.verify(moved, { anchor });
      outcomes.push({
        attempt: `a receipt of the excursion moved to block ${moved.position.block} (an earlier, compliant place in history)`,
        caught: !result.ok,
        how: failedChecks(result),
      });
      outcomes.push(await forkOutcome(target));
      return outcomes;
    },
    stop: chain.stop,
  };
}

/**
 * The supply-chain chaincode on a real two-organization Fabric network (native processes),
 * endorsed by both organizations; identities are certificates with a `role` attribute.
 *
 * @param onProgress - one line per phase (binaries, network, chaincode)
 * @param onStarting - receives the function that stops the network, before it starts
 * @returns the backend; its tamper forges a revision and a block from a lying peer
 */
export async function startFabric(
  onProgress: (line: string) => void,
  onStarting: (stop: () => Promise<void>) => void = () => {},
): Promise<DemoBackend> {
  const { ensureFabricBinaries } = await import('@ledgerkit/fabric-network');
  const { stopLeftoverNetworks } = await import('@ledgerkit/fabric-network/testing');
  const binaries = await ensureFabricBinaries({ onProgress: (message) => onProgress(`fabric binaries: ${message}`) });
  if (binaries.builtInSeconds !== undefined)
    onProgress(`fabric binaries: built in ${binaries.builtInSeconds}s (cached from now on)`);
  await stopLeftoverNetworks('ledgerkit-demo-fabric-');
  const fabric = await startFabricSupplyChainNetwork({
    dirPrefix: 'ledgerkit-demo-fabric-',
    onProgress: (line) => onProgress(`fabric: ${line}`),
    onStarting,
  });
  try {
    const maker = await fabric.connectAs('Org1', 'maker', 'manufacturer');
    const carrier = await fabric.connectAs('Org2', 'carrier', 'carrier');
    const shop = await fabric.connectAs('Org1', 'shop', 'retailer');
    const audit = await fabric.connectAs('Org2', 'audit', 'auditor');
    const parties: Parties = {
      manufacturer: maker.supplyChain,
      carrier: carrier.supplyChain,
      retailer: shop.supplyChain,
      auditor: audit.supplyChain,
    };
    const anchor = await fabric.mspRootsAnchor();
    return {
      kind: 'fabric',
      label: 'fabric (2 orgs)',
      parties,
      anchorSource: "the organizations' root CA certificates, read from their crypto material (not from a peer)",
      pinAnchor: async () => anchor,
      async tamper(target) {
        return [
          await forgedValueOutcome(audit.ledger, target.batchId, target, ['temperature'], 1, 'one organization'),
          await lyingPeerOutcome(audit.ledger, target),
        ];
      },
      stop: fabric.stop,
    };
  } catch (error) {
    await fabric.stop();
    throw error;
  }
}

/**
 * A peer serves the excursion's block with the temperature in the transaction's write set
 * rewritten (same length, so the block still decodes); the auditor verifies the receipt with
 * that evidence against its pinned MSP roots.
 */
async function lyingPeerOutcome(ledger: FabricLedger, target: TamperTarget): Promise<TamperOutcome> {
  const { excursion, forgedTemperature, anchor } = target;
  const from = excursion.kind === 'checkpoint' ? String(excursion.temperature) : '';
  const to = String(forgedTemperature).padEnd(from.length, '0').slice(0, from.length);
  const attempt = `a lying peer serves the excursion's block with ${from} °C rewritten to ${to} °C in the transaction`;
  const bundle = await ledger.evidence(excursion.receipt);
  const evidence = bundle.evidence as unknown as FabricEvidence;
  const block = Buffer.from(evidence.block, 'base64');
  const needle = Buffer.from(`"temperature":${from}`);
  let replaced = 0;
  for (let at = block.indexOf(needle); at >= 0; at = block.indexOf(needle, at + needle.length)) {
    block.write(`"temperature":${to}`, at);
    replaced++;
  }
  if (replaced === 0) return { attempt, caught: false, how: 'the demo found no temperature in the block to rewrite' };
  const result = await verifyFabricReceipt(excursion.receipt, { ...evidence, block: block.toString('base64') }, anchor);
  return { attempt, caught: !result.ok, how: failedChecks(result) };
}
