import type { Batch, ProvenanceStep } from '@ledgerkit/example-supply-chain';
import type { Participant } from './api.ts';
import { describeStep, partyName, when } from './format.ts';
import { TemperatureChart } from './temperature-chart.tsx';

interface Props {
  batch: Batch;
  history: readonly ProvenanceStep[];
  participants: readonly Participant[];
  /** The browser's verdict per transaction id, once the auditor verified. */
  verified?: ReadonlyMap<string, boolean> | undefined;
}

/** A batch's state, its provenance timeline and its temperature readings against the limit. */
export function BatchView({ batch, history, participants, verified }: Props) {
  const checkpoints = history.filter((step) => step.kind === 'checkpoint');
  return (
    <section aria-labelledby="batch-heading" className="card">
      <h2 id="batch-heading">
        Batch {batch.id}: {batch.product}
      </h2>
      <dl className="summary">
        <dt>Status</dt>
        <dd>
          <span className={`badge ${batch.status}`}>
            {batch.status === 'received' ? 'Received (final)' : 'In transit'}
          </span>
          {batch.flagged && (
            <span className="badge flagged" data-testid="flagged">
              Flagged: temperature excursion
            </span>
          )}
        </dd>
        <dt>Custodian</dt>
        <dd>{partyName(batch.custodian, participants)}</dd>
        <dt>Pending offer</dt>
        <dd>{batch.pendingOffer ? partyName(batch.pendingOffer, participants) : 'none'}</dd>
        <dt>Allowed temperature</dt>
        <dd>up to {batch.maxTemperature} °C</dd>
        <dt>Checkpoints</dt>
        <dd>{batch.checkpoints}</dd>
      </dl>

      <h3 id="chart-heading">Temperature</h3>
      <TemperatureChart checkpoints={checkpoints} maxTemperature={batch.maxTemperature} />

      <h3 id="timeline-heading">Provenance timeline</h3>
      <ol className="timeline" aria-labelledby="timeline-heading">
        {history.map((step) => (
          <li
            key={`${step.receipt.txId}-${step.kind}`}
            className={`step ${step.kind}${step.kind === 'checkpoint' && step.excursion ? ' excursion' : ''}`}
          >
            <span className="step-kind">{stepTitle(step)}</span>
            <span className="step-text">{describeStep(step, participants)}</span>
            <span className="step-meta">
              {when(step.at)} · block {step.receipt.position.block} · tx{' '}
              <code title={step.receipt.txId}>{step.receipt.txId.slice(0, 14)}…</code>
            </span>
            {verified && <VerifiedMark ok={verified.get(step.receipt.txId)} />}
          </li>
        ))}
      </ol>
    </section>
  );
}

function stepTitle(step: ProvenanceStep): string {
  switch (step.kind) {
    case 'registered':
      return 'Registered';
    case 'custody-offered':
      return 'Custody offered';
    case 'custody-accepted':
      return 'Custody changed';
    case 'checkpoint':
      return step.excursion ? 'Checkpoint — excursion' : 'Checkpoint';
    case 'received':
      return 'Received';
  }
}

function VerifiedMark({ ok }: { ok: boolean | undefined }) {
  if (ok === undefined) return <span className="step-verified missing">not in the verified provenance</span>;
  return ok ? (
    <span className="step-verified ok">✓ receipt verified in this browser</span>
  ) : (
    <span className="step-verified failed">✗ receipt failed verification</span>
  );
}
