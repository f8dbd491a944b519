import type { Batch } from '@ledgerkit/example-supply-chain';
import { type FormEvent, useState } from 'react';
import { api, type BackendKind, type Participant, sha256Hex } from './api.ts';

interface Props {
  kind: BackendKind;
  me: Participant;
  participants: readonly Participant[];
  batch: Batch | undefined;
  busy: boolean;
  act: (label: string, action: () => Promise<unknown>, focusBatch?: string) => Promise<void>;
}

/**
 * What the signed-in participant's role can do. The page offers the actions of the role; the
 * ledger's rules decide (a carrier that does not hold the batch is refused, with the reason).
 */
export function Actions({ kind, me, participants, batch, busy, act }: Props) {
  const role = me.role;
  return (
    <section aria-labelledby="actions-heading" className="card">
      <h2 id="actions-heading">
        Actions as {me.label} <span className="role">({role})</span>
      </h2>
      {role === 'manufacturer' && <RegisterForm kind={kind} me={me} busy={busy} act={act} />}
      {role === 'auditor' && (
        <p className="hint">An auditor writes nothing: select a batch and verify its provenance in this browser.</p>
      )}
      {batch && role !== 'auditor' && (
        <div className="batch-actions">
          <h3>
            On batch <span className="batch-id">{batch.id}</span>
          </h3>
          {(role === 'manufacturer' || role === 'carrier') && (
            <OfferForm kind={kind} me={me} participants={participants} batch={batch} busy={busy} act={act} />
          )}
          {(role === 'carrier' || role === 'retailer') && (
            <button
              type="button"
              disabled={busy}
              onClick={() => act('Custody accepted', () => api.accept(kind, me.name, batch.id))}
            >
              Accept custody
            </button>
          )}
          <CheckpointForm kind={kind} me={me} batch={batch} busy={busy} act={act} />
          {role === 'retailer' && (
            <button
              type="button"
              disabled={busy}
              onClick={() => act('Batch received', () => api.receive(kind, me.name, batch.id))}
            >
              Receive batch
            </button>
          )}
        </div>
      )}
    </section>
  );
}

type FormProps = Omit<Props, 'participants' | 'batch'>;

function RegisterForm({ kind, me, busy, act }: FormProps) {
  const [id, setId] = useState(() => `lot-${Math.floor(Date.now() / 1000) % 100_000}`);
  const [product, setProduct] = useState('mRNA vaccine');
  const [maxTemperature, setMaxTemperature] = useState('8');
  const [document, setDocument] = useState('Certificate of analysis 2026-117');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const batchId = id.trim();
    void act(
      `Batch ${batchId} registered`,
      async () =>
        api.register(kind, me.name, {
          id: batchId,
          product: product.trim(),
          documentHash: await sha256Hex(document),
          maxTemperature: Number(maxTemperature),
        }),
      batchId,
    );
  };
  return (
    <form onSubmit={submit} aria-labelledby="register-heading" className="form">
      <h3 id="register-heading">Register a batch</h3>
      <label>
        Batch id
        <input value={id} onChange={(event) => setId(event.target.value)} required maxLength={31} />
      </label>
      <label>
        Product
        <input value={product} onChange={(event) => setProduct(event.target.value)} required maxLength={31} />
      </label>
      <label>
        Highest allowed temperature (°C)
        <input
          type="number"
          step="0.01"
          value={maxTemperature}
          onChange={(event) => setMaxTemperature(event.target.value)}
          required
        />
      </label>
      <label>
        Certificate (its SHA-256 is recorded)
        <input value={document} onChange={(event) => setDocument(event.target.value)} required />
      </label>
      <button type="submit" disabled={busy}>
        Register batch
      </button>
    </form>
  );
}

function OfferForm({ kind, me, participants, batch, busy, act }: Props & { batch: Batch }) {
  const receivers = participants.filter(
    (participant) =>
      participant.name !== me.name && (participant.role === 'carrier' || participant.role === 'retailer'),
  );
  const [to, setTo] = useState(receivers[0]?.name ?? '');
  const target = receivers.some((receiver) => receiver.name === to) ? to : (receivers[0]?.name ?? '');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const label = participants.find((participant) => participant.name === target)?.label ?? target;
    void act(`Custody offered to ${label}`, () => api.offer(kind, me.name, batch.id, target));
  };
  return (
    <form onSubmit={submit} className="form inline">
      <label>
        Offer custody to
        <select value={target} onChange={(event) => setTo(event.target.value)}>
          {receivers.map((receiver) => (
            <option key={receiver.name} value={receiver.name}>
              {receiver.label} — {receiver.role}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" disabled={busy || target === ''}>
        Offer custody
      </button>
    </form>
  );
}

function CheckpointForm({ kind, me, batch, busy, act }: FormProps & { batch: Batch }) {
  const [location, setLocation] = useState('DE-HAM');
  const [temperature, setTemperature] = useState('5');
  const [document, setDocument] = useState('Waybill 4711');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void act(`Checkpoint at ${location} recorded`, async () =>
      api.checkpoint(kind, me.name, batch.id, {
        location: location.trim().toUpperCase(),
        temperature: Number(temperature),
        documentHash: await sha256Hex(document),
      }),
    );
  };
  return (
    <form onSubmit={submit} aria-labelledby="checkpoint-heading" className="form">
      <h3 id="checkpoint-heading">Record a checkpoint</h3>
      <label>
        Location code
        <input value={location} onChange={(event) => setLocation(event.target.value)} required maxLength={16} />
      </label>
      <label>
        Temperature (°C)
        <input
          type="number"
          step="0.01"
          value={temperature}
          onChange={(event) => setTemperature(event.target.value)}
          required
        />
      </label>
      <label>
        Shipping document (its SHA-256 is recorded)
        <input value={document} onChange={(event) => setDocument(event.target.value)} required />
      </label>
      <button type="submit" disabled={busy}>
        Record checkpoint
      </button>
    </form>
  );
}
