import type { Batch } from '@ledgerkit/example-supply-chain';
import type { Participant } from './api.ts';
import { partyName } from './format.ts';

interface Props {
  batches: readonly Batch[];
  participants: readonly Participant[];
  selected: string | undefined;
  onSelect: (id: string) => void;
  /** Reads the batches again (others may have acted meanwhile). */
  onRefresh: () => void;
}

/** The batches of the ledger with their status; a batch's button opens its provenance. */
export function BatchList({ batches, participants, selected, onSelect, onRefresh }: Props) {
  return (
    <section aria-labelledby="batches-heading" className="card">
      <div className="card-head">
        <h2 id="batches-heading">Batches</h2>
        <button type="button" onClick={onRefresh} aria-label="Refresh the batches">
          Refresh
        </button>
      </div>
      {batches.length === 0 ? (
        <p className="empty">No batches yet.</p>
      ) : (
        <ul className="batches">
          {batches.map((batch) => (
            <li key={batch.id}>
              <button
                type="button"
                className="batch"
                aria-pressed={selected === batch.id}
                aria-label={`Batch ${batch.id}: ${batch.product}, ${batch.status}${batch.flagged ? ', flagged' : ''}`}
                onClick={() => onSelect(batch.id)}
              >
                <span className="batch-id">{batch.id}</span>
                <span className="batch-product">{batch.product}</span>
                <span className="badges">
                  <span className={`badge ${batch.status}`}>
                    {batch.status === 'received' ? 'Received' : 'In transit'}
                  </span>
                  {batch.flagged && <span className="badge flagged">Flagged</span>}
                </span>
                <span className="batch-custodian">Custodian: {partyName(batch.custodian, participants)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
