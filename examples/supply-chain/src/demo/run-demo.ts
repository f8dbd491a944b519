// The demo's scenario, written once against the SupplyChain port and run on each backend:
// the journey of one batch with every receipt, the auditor's verification against an anchor
// it pinned out of band, a tamper attempt, and the rules refusing two violations.
import { createHash } from 'node:crypto';
import { isLedgerError, type TrustAnchor, type Verification } from '@ledgerkit/core';
import type { NewCheckpoint, ProvenanceStep } from '../domain.ts';
import { ruleReasonOf } from '../errors.ts';
import type { SupplyChain } from '../port.ts';
import type { DemoBackend, TamperOutcome } from './backends.ts';

/** A committed step as the demo reports it. */
export interface DemoStep {
  /** 1-based position in the journey. */
  n: number;
  /** What happened, e.g. `checkpoint DE-HAM 9.25 °C (above 8 °C: flagged)`. */
  what: string;
  /** The acting role. */
  role: string;
  /** The acting identity, as the backend knows it. */
  identity: string;
  receipt: { backend: string; ledger: string; txId: string; block: number; index: number; timestamp: string };
  /** Wall time of the write, submit to committed. */
  ms: number;
}

/** The auditor's verification of one step's receipt. */
export interface DemoVerification {
  n: number;
  ok: boolean;
  checks: { name: string; ok: boolean; detail: string }[];
}

/** A rule violation and how the backend refused it. */
export interface DemoRefusal {
  attempt: string;
  /** True when the backend refused with the expected typed error. */
  refused: boolean;
  /** The LedgerError code and reason code, e.g. `CONTRACT_REVERTED NOT_CUSTODIAN`. */
  error: string;
  expected: string;
}

/** Everything the demo did on one backend. */
export interface BackendRun {
  backend: DemoBackend['kind'];
  label: string;
  /** True when the journey committed, every receipt verified, the tamper was caught and the rules refused. */
  ok: boolean;
  batchId: string;
  steps: DemoStep[];
  anchor: { type: string; detail: string; explicit: boolean; source: string };
  verifications: DemoVerification[];
  tampers: TamperOutcome[];
  refusals: DemoRefusal[];
  /** Median write latency of the journey's steps, ms. */
  p50Ms: number;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Median of the values. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

const maxTemperature = 8;
const journeyCheckpoints: Record<string, NewCheckpoint> = {
  start: { location: 'BE-PUU', temperature: 4.5, documentHash: sha256('cmr-1') },
  hot: { location: 'DE-HAM', temperature: 9.25, documentHash: sha256('cmr-2') },
  cool: { location: 'NL-RTM', temperature: 5, documentHash: sha256('cmr-3') },
};

function describeStep(step: ProvenanceStep): string {
  switch (step.kind) {
    case 'registered':
      return `registered: ${step.product}, max ${step.maxTemperature} °C`;
    case 'custody-offered':
      return `custody offered to ${shortId(step.to)}`;
    case 'custody-accepted':
      return `custody accepted from ${shortId(step.from)}`;
    case 'checkpoint':
      return `checkpoint ${step.sequence} ${step.location} ${step.temperature} °C${step.excursion ? ` > ${maxTemperature} °C: FLAGGED` : ''}`;
    case 'received':
      return 'received (final)';
  }
}

/**
 * A party id short enough for a terminal: Ethereum addresses as `0x1234…abcd`.
 *
 * @param id - the party id
 * @returns the short form
 */
export function shortId(id: string): string {
  return /^0x[0-9a-fA-F]{40}$/.test(id) ? `${id.slice(0, 6)}…${id.slice(-4)}` : id;
}

/** The error a refused promise rejected with, or `undefined` when it was not refused. */
async function refusalOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return undefined;
}

function errorLabel(error: unknown): string {
  if (error === undefined) return 'accepted (not refused)';
  if (!isLedgerError(error)) return `not a LedgerError: ${String(error)}`;
  const reason = ruleReasonOf(error);
  return reason ? `${error.code} ${reason}` : error.code;
}

/**
 * Runs the demo's scenario on a started backend.
 *
 * @param backend - the backend with its four identities
 * @param onStep - receives each committed step as it happens (for live output)
 * @returns what happened, verified and was refused
 */
export async function runScenario(backend: DemoBackend, onStep: (step: DemoStep) => void): Promise<BackendRun> {
  const { manufacturer, carrier, retailer, auditor } = backend.parties;
  const batchId = `lot-${Date.now().toString(36)}-${backend.kind.slice(0, 3)}`;
  const steps: DemoStep[] = [];
  const committed: ProvenanceStep[] = [];
  const refusals: DemoRefusal[] = [];
  const write = async (party: SupplyChain, action: () => Promise<ProvenanceStep>) => {
    const started = performance.now();
    const step = await action();
    const ms = performance.now() - started;
    committed.push(step);
    const { receipt } = step;
    const demoStep: DemoStep = {
      n: steps.length + 1,
      what: describeStep(step),
      role: party.role,
      identity: party.identity,
      receipt: {
        backend: receipt.backend,
        ledger: receipt.ledger,
        txId: receipt.txId,
        block: receipt.position.block,
        index: receipt.position.index,
        timestamp: receipt.timestamp,
      },
      ms,
    };
    steps.push(demoStep);
    onStep(demoStep);
    return step;
  };
  const refuse = async (attempt: string, expected: string, promise: Promise<unknown>) => {
    const error = errorLabel(await refusalOf(promise));
    refusals.push({ attempt, refused: error === expected, error, expected });
  };

  await write(manufacturer, () =>
    manufacturer.register({ id: batchId, product: 'mRNA vaccine', documentHash: sha256('coa'), maxTemperature }),
  );
  await write(manufacturer, () => manufacturer.recordCheckpoint(batchId, journeyCheckpoints.start as NewCheckpoint));
  await write(manufacturer, () => manufacturer.offerCustody(batchId, carrier.identity));
  await write(carrier, () => carrier.acceptCustody(batchId));
  // The manufacturer no longer holds the batch: the rules refuse its checkpoint.
  await refuse(
    'the manufacturer records a checkpoint on a batch the carrier now holds',
    'CONTRACT_REVERTED NOT_CUSTODIAN',
    manufacturer.recordCheckpoint(batchId, journeyCheckpoints.cool as NewCheckpoint),
  );
  const excursion = await write(carrier, () =>
    carrier.recordCheckpoint(batchId, journeyCheckpoints.hot as NewCheckpoint),
  );
  await write(carrier, () => carrier.recordCheckpoint(batchId, journeyCheckpoints.cool as NewCheckpoint));
  await write(carrier, () => carrier.offerCustody(batchId, retailer.identity));
  await write(retailer, () => retailer.acceptCustody(batchId));
  await write(retailer, () => retailer.receive(batchId));
  await refuse(
    'the retailer receives the same batch a second time',
    'CONTRACT_REVERTED BATCH_RECEIVED',
    retailer.receive(batchId),
  );

  // The auditor pins an anchor out of band, then verifies the provenance the backend serves
  // against it: the history must be exactly the committed steps, each receipt verifying.
  const anchor: TrustAnchor = await backend.pinAnchor();
  const history = await auditor.history(batchId);
  const sameHistory =
    history.length === committed.length &&
    history.every((step, i) => step.receipt.txId === committed[i]?.receipt.txId && step.kind === committed[i]?.kind);
  const verified = await auditor.verify(history, { anchor });
  const verifications: DemoVerification[] = verified.map((step, i) => ({
    n: i + 1,
    ok: step.verification.ok && sameHistory,
    checks: step.verification.checks.map(({ name, ok, detail }) => ({ name, ok, detail })),
  }));
  const first: Verification | undefined = verified[0]?.verification;
  const anchorReport = {
    type: first?.anchor?.type ?? anchor.type,
    detail: first?.anchor?.detail ?? anchor.type,
    explicit: first?.anchor?.explicit ?? false,
    source: backend.anchorSource,
  };

  const forgedTemperature = 5.25;
  const tampers = await backend.tamper({ batchId, excursion, forgedTemperature, anchor });

  const ok =
    verifications.length === steps.length &&
    verifications.every((v) => v.ok) &&
    anchorReport.explicit &&
    tampers.length > 0 &&
    tampers.every((t) => t.caught) &&
    refusals.every((r) => r.refused);
  return {
    backend: backend.kind,
    label: backend.label,
    ok,
    batchId,
    steps,
    anchor: anchorReport,
    verifications,
    tampers,
    refusals,
    p50Ms: median(steps.map((step) => step.ms)),
  };
}
