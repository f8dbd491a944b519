import type { Batch, ProvenanceStep } from '@ledgerkit/example-supply-chain';
import { useCallback, useEffect, useState } from 'react';
import { Actions } from './actions.tsx';
import { ApiError, api, type BackendInfo, type BackendKind } from './api.ts';
import { BatchList } from './batch-list.tsx';
import { BatchView } from './batch-view.tsx';
import { VerifyPanel } from './verify-panel.tsx';

const backendNames: Readonly<Record<BackendKind, string>> = {
  ledgerdb: 'ledgerdb (centralized)',
  ethereum: 'Ethereum (decentralized)',
  fabric: 'Fabric (decentralized)',
};

/** A message for the alert or status region. */
export interface Notice {
  kind: 'error' | 'success';
  text: string;
}

/**
 * Turns anything thrown into a sentence for the alert region.
 *
 * @param error - an ApiError or anything else
 * @returns the notice
 */
export function errorNotice(error: unknown): Notice {
  if (error instanceof ApiError) {
    return { kind: 'error', text: error.reasonCode ? error.message : `${error.message} [${error.code}]` };
  }
  return { kind: 'error', text: `Something went wrong in the page: ${(error as Error)?.message ?? String(error)}` };
}

export function App() {
  const [backends, setBackends] = useState<BackendInfo[]>([]);
  const [kind, setKind] = useState<BackendKind>('ledgerdb');
  const [identity, setIdentity] = useState('acme');
  const [batches, setBatches] = useState<Batch[]>([]);
  const [selected, setSelected] = useState<string | undefined>();
  const [detail, setDetail] = useState<{ batch: Batch; history: ProvenanceStep[] } | undefined>();
  const [notice, setNotice] = useState<Notice | undefined>();
  const [busy, setBusy] = useState(false);
  /** Per transaction id: whether the browser verified every revision of it (undefined: not verified yet). */
  const [verified, setVerified] = useState<ReadonlyMap<string, boolean> | undefined>();

  const backend = backends.find((candidate) => candidate.kind === kind);
  const participants = backend?.participants ?? [];
  const me = participants.find((participant) => participant.name === identity) ?? participants[0];

  const loadBackends = useCallback(async () => {
    try {
      setBackends(await api.backends());
    } catch (error) {
      setNotice(errorNotice(error));
    }
  }, []);

  const refresh = useCallback(
    async (id = selected) => {
      if (!backend?.available) return;
      setVerified(undefined);
      setBatches(await api.batches(kind));
      setDetail(id ? await api.batch(kind, id) : undefined);
    },
    [backend?.available, kind, selected],
  );

  useEffect(() => {
    void loadBackends();
  }, [loadBackends]);

  // A backend the server is still starting (Fabric with --fabric) appears when it is up.
  const anyStarting = backends.some((entry) => entry.starting);
  useEffect(() => {
    if (!anyStarting) return;
    const timer = setInterval(() => void loadBackends(), 3000);
    return () => clearInterval(timer);
  }, [anyStarting, loadBackends]);

  useEffect(() => {
    setVerified(undefined);
    setDetail(undefined);
    setSelected(undefined);
    setBatches([]);
    if (backend?.available) api.batches(kind).then(setBatches, (error) => setNotice(errorNotice(error)));
  }, [kind, backend?.available]);

  const select = async (id: string) => {
    setSelected(id);
    setVerified(undefined);
    try {
      setDetail(await api.batch(kind, id));
    } catch (error) {
      setNotice(errorNotice(error));
    }
  };

  /** Runs one action as the signed-in participant, then shows the ledger's state. */
  const act = async (label: string, action: () => Promise<unknown>, focusBatch?: string) => {
    setBusy(true);
    setNotice(undefined);
    try {
      await action();
      if (focusBatch) setSelected(focusBatch);
      await refresh(focusBatch ?? selected);
      // Announced once the page shows the ledger's new state.
      setNotice({ kind: 'success', text: `${label}: committed on ${backendNames[kind]}.` });
    } catch (error) {
      await refresh().catch(() => {});
      setNotice(errorNotice(error));
    } finally {
      setBusy(false);
    }
  };

  const startFabric = async () => {
    setBusy(true);
    setNotice({ kind: 'success', text: 'Starting a two-organization Fabric network; this takes a minute…' });
    try {
      await api.startBackend('fabric');
      await loadBackends();
      setNotice({ kind: 'success', text: 'Fabric is running.' });
    } catch (error) {
      setNotice(errorNotice(error));
      await loadBackends();
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="app">
      <header className="masthead">
        <h1>Cold-chain provenance</h1>
        <p className="tagline">
          One business, two trust models. Every step is a ledger write with a receipt you can verify in this browser.
        </p>
      </header>

      <section className="controls" aria-label="Session">
        <fieldset className="trust-switch">
          <legend>Trust model</legend>
          {(['ledgerdb', 'ethereum', 'fabric'] as const).map((candidate) => {
            const info = backends.find((entry) => entry.kind === candidate);
            const available = info?.available === true;
            return (
              <label key={candidate} className={available ? '' : 'unavailable'}>
                <input
                  type="radio"
                  name="backend"
                  value={candidate}
                  checked={kind === candidate}
                  disabled={!available}
                  aria-describedby={available ? undefined : `${candidate}-reason`}
                  onChange={() => setKind(candidate)}
                />
                {backendNames[candidate]}
                {!available && info && (
                  <span id={`${candidate}-reason`} className="reason">
                    {' '}
                    — unavailable: {info.reason}
                  </span>
                )}
              </label>
            );
          })}
          {backends.find((entry) => entry.kind === 'fabric')?.canStart && (
            <button type="button" onClick={startFabric} disabled={busy}>
              Start Fabric
            </button>
          )}
        </fieldset>

        <div className="identity">
          <label htmlFor="identity">Signed in as</label>
          <select
            id="identity"
            value={me?.name ?? ''}
            onChange={(event) => {
              setIdentity(event.target.value);
              setNotice(undefined);
            }}
          >
            {participants.map((participant) => (
              <option key={participant.name} value={participant.name}>
                {participant.label} — {participant.role}
              </option>
            ))}
          </select>
          <p className="hint">The API server holds each participant's key and signs as the one chosen here.</p>
        </div>
        {backend?.description && <p className="trust-note">{backend.description}</p>}
      </section>

      <div role="alert" aria-live="assertive" className={notice?.kind === 'error' ? 'notice error' : 'notice-empty'}>
        {notice?.kind === 'error' ? notice.text : ''}
      </div>
      <div role="status" aria-live="polite" className={notice?.kind === 'success' ? 'notice success' : 'notice-empty'}>
        {notice?.kind === 'success' ? notice.text : ''}
      </div>

      <main className="layout">
        <div className="column">
          <BatchList
            batches={batches}
            participants={participants}
            selected={selected}
            onSelect={select}
            onRefresh={() => refresh().catch((error) => setNotice(errorNotice(error)))}
          />
          {me && (
            <Actions kind={kind} me={me} participants={participants} batch={detail?.batch} busy={busy} act={act} />
          )}
        </div>
        <div className="column wide">
          {detail ? (
            <>
              <BatchView
                batch={detail.batch}
                history={detail.history}
                participants={participants}
                verified={verified}
              />
              <VerifyPanel
                kind={kind}
                batchId={detail.batch.id}
                onError={(error) => setNotice(errorNotice(error))}
                onStart={() => setNotice(undefined)}
                onResults={setVerified}
              />
            </>
          ) : (
            <p className="empty">Select a batch to see its provenance, or register one as the manufacturer.</p>
          )}
        </div>
      </main>
    </div>
  );
}
