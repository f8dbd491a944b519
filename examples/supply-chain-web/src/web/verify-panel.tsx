import type { TrustAnchor, VerificationBundle } from '@ledgerkit/core';
import { useEffect, useState } from 'react';
import { ApiError, api, type BackendKind } from './api.ts';
import { type BundleResult, verifyInBrowser } from './verify.ts';

interface Props {
  kind: BackendKind;
  batchId: string;
  onError: (error: unknown) => void;
  /** Called when a verification starts: an earlier message no longer applies. */
  onStart: () => void;
  /** The verdict per transaction id, for the timeline; undefined when there is none (yet). */
  onResults: (verified: ReadonlyMap<string, boolean> | undefined) => void;
}

type Mode = 'served' | 'pinned';

const anchorTypes: Readonly<Record<BackendKind, string>> = {
  ledgerdb: 'ledgerdb-digest',
  ethereum: 'ethereum-block',
  fabric: 'fabric-msp-roots or fabric-config-block',
};

/**
 * The auditor's panel: fetches the evidence (untrusted) from the API server and verifies it
 * with the backend's pure verifier in this page, against the anchor the auditor chose.
 */
export function VerifyPanel({ kind, batchId, onError, onStart, onResults }: Props) {
  const storageKey = `ledgerkit.supply-chain.anchor.${kind}`;
  const [mode, setMode] = useState<Mode>('served');
  const [pinned, setPinned] = useState(() => localStorage.getItem(storageKey) ?? '');
  const [pinnedFrom, setPinnedFrom] = useState<string | undefined>(
    () => localStorage.getItem(`${storageKey}.source`) ?? undefined,
  );
  const [results, setResults] = useState<BundleResult[] | undefined>();
  const [working, setWorking] = useState(false);

  useEffect(() => {
    setResults(undefined);
    setPinned(localStorage.getItem(storageKey) ?? '');
    setPinnedFrom(localStorage.getItem(`${storageKey}.source`) ?? undefined);
  }, [storageKey]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new batch starts with no verdict
  useEffect(() => setResults(undefined), [batchId]);

  const anchor = (): TrustAnchor | undefined => {
    if (mode === 'served') return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(pinned);
    } catch {
      throw new ApiError('INVALID_ARGUMENT', 'The pinned anchor is not valid JSON; paste a TrustAnchor object.');
    }
    if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { type?: unknown }).type !== 'string') {
      throw new ApiError('INVALID_ARGUMENT', 'The pinned anchor needs a "type" (for example "ledgerdb-digest").');
    }
    return parsed as TrustAnchor;
  };

  const fetchBundles = async (): Promise<{ bundles: VerificationBundle[]; anchor: TrustAnchor | undefined }> => {
    const chosen = anchor();
    return { bundles: await api.bundles(kind, batchId, chosen), anchor: chosen };
  };

  const verify = async () => {
    onStart();
    onResults(undefined);
    setWorking(true);
    setResults(undefined);
    try {
      const { bundles, anchor: chosen } = await fetchBundles();
      const verified = await verifyInBrowser(bundles, chosen);
      setResults(verified);
      onResults(verdictPerTransaction(verified));
    } catch (error) {
      onError(error);
    } finally {
      setWorking(false);
    }
  };

  const download = async () => {
    setWorking(true);
    try {
      const { bundles } = await fetchBundles();
      const blob = new Blob([`${JSON.stringify(bundles, null, 2)}\n`], { type: 'application/json' });
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = `provenance-${kind}-${batchId}.json`;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      onError(error);
    } finally {
      setWorking(false);
    }
  };

  const pinFromOperator = async () => {
    try {
      const { anchor: current, at } = await api.anchor(kind);
      const text = JSON.stringify(current, null, 2);
      const source = `fetched from the operator's API server at ${new Date(at).toLocaleString()} (trust on first use: a later rewrite is detected, an earlier one is not)`;
      setPinned(text);
      setPinnedFrom(source);
      localStorage.setItem(storageKey, text);
      localStorage.setItem(`${storageKey}.source`, source);
      setMode('pinned');
    } catch (error) {
      onError(error);
    }
  };

  const passed = results?.filter((result) => result.verification.ok).length ?? 0;
  return (
    <section aria-labelledby="verify-heading" className="card">
      <h2 id="verify-heading">Verify the provenance</h2>
      <p className="hint">
        The evidence comes from the API server and is not trusted: the checks run in this browser, with the bundled{' '}
        <code>@ledgerkit/{kind}/verify</code> verifier, against the anchor chosen here.
      </p>
      <fieldset className="anchor-choice">
        <legend>Trust anchor</legend>
        <label>
          <input type="radio" name="anchor-mode" checked={mode === 'served'} onChange={() => setMode('served')} />
          The anchor served with the evidence (trusts the server that served it)
        </label>
        <label>
          <input type="radio" name="anchor-mode" checked={mode === 'pinned'} onChange={() => setMode('pinned')} />
          An anchor I pinned ({anchorTypes[kind]})
        </label>
        <label className="block">
          Pinned anchor (TrustAnchor JSON from a source you trust)
          <textarea
            rows={4}
            value={pinned}
            spellCheck={false}
            onChange={(event) => {
              setPinned(event.target.value);
              setPinnedFrom('pasted by the auditor');
              localStorage.setItem(storageKey, event.target.value);
              localStorage.setItem(`${storageKey}.source`, 'pasted by the auditor');
              setMode('pinned');
            }}
          />
        </label>
        {pinnedFrom && <p className="hint">Pinned anchor: {pinnedFrom}.</p>}
        <button type="button" onClick={pinFromOperator} disabled={working}>
          Pin the operator's current anchor
        </button>
      </fieldset>
      <div className="button-row">
        <button type="button" className="primary" onClick={verify} disabled={working}>
          Verify
        </button>
        <button type="button" onClick={download} disabled={working}>
          Download provenance
        </button>
      </div>
      <p className="hint">
        The downloaded file is an array of verification bundles: check it anywhere with{' '}
        <code>
          ledgerkit verify provenance-{kind}-{batchId}.json
        </code>
        .
      </p>
      {working && <p role="status">Working…</p>}
      {results && (
        <div className="results">
          <p className={passed === results.length ? 'verdict ok' : 'verdict failed'} data-testid="verdict">
            {passed === results.length
              ? `All ${results.length} receipts verified in this browser.`
              : `${results.length - passed} of ${results.length} receipts failed verification.`}
          </p>
          <ol className="bundle-results">
            {results.map((result, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: one result per bundle, in the file's order
              <ResultView key={index} result={result} />
            ))}
          </ol>
        </div>
      )}
    </section>
  );
}

function ResultView({ result }: { result: BundleResult }) {
  const { bundle, verification } = result;
  const subject = bundle.subject;
  const receipt = 'key' in subject ? subject.receipt : subject;
  const title = `${'key' in subject ? `revision ${subject.version} · ` : ''}block ${receipt.position.block} · tx ${receipt.txId.slice(0, 12)}…`;
  const anchor = verification.anchor;
  return (
    <li className={verification.ok ? 'result ok' : 'result failed'}>
      <details open={!verification.ok}>
        <summary>
          <span className="mark" aria-hidden="true">
            {verification.ok ? '✓' : '✗'}
          </span>{' '}
          {verification.ok ? 'verified' : 'FAILED'}: {title}
        </summary>
        {anchor && (
          <p className="anchor">
            Anchor: <code>{anchor.type}</code>, explicit: <code>{String(anchor.explicit)}</code>
            {anchor.explicit ? ' (chosen by the auditor)' : ' (from the operator: the operator is trusted)'} —{' '}
            {anchor.detail}
          </p>
        )}
        <table className="checks">
          <caption className="visually-hidden">Checks of {title}</caption>
          <thead>
            <tr>
              <th scope="col">Check</th>
              <th scope="col">Result</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {verification.checks.map((check, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: checks come in the verifier's order and never move
              <tr key={`${check.name}-${index}`} className={check.ok ? 'ok' : 'failed'}>
                <td>
                  <code>{check.name}</code>
                </td>
                <td>{check.ok ? 'pass' : 'fail'}</td>
                <td>{check.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </li>
  );
}

/** A transaction is verified when every revision of it is (Ethereum writes several events per step). */
function verdictPerTransaction(results: readonly BundleResult[]): ReadonlyMap<string, boolean> {
  const verdicts = new Map<string, boolean>();
  for (const { bundle, verification } of results) {
    const receipt = 'key' in bundle.subject ? bundle.subject.receipt : bundle.subject;
    verdicts.set(receipt.txId, (verdicts.get(receipt.txId) ?? true) && verification.ok);
  }
  return verdicts;
}
