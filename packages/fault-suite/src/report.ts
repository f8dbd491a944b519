// One JSON line per fault scenario: what the clients were told was committed
// (acknowledged), what is there afterwards (present), what is missing (lost), what is
// there more than once (duplicates), the typed errors clients met by code, and how long
// the system took to accept writes again after the fault ended (recoveryMs).
import { appendFileSync } from 'node:fs';
import { isLedgerError } from '@ledgerkit/core';

/** The line a scenario reports. */
export interface ScenarioResult {
  scenario: string;
  acknowledged: number;
  present: number;
  lost: number;
  duplicates: number;
  errorsByCode: Record<string, number>;
  /** Milliseconds from the end of the fault to the first acknowledged write; null when not measured. */
  recoveryMs: number | null;
  /** False when anything acknowledged was lost or duplicated, or the scenario's own checks failed. */
  ok: boolean;
}

/** Where results are appended: `FAULT_RESULTS_FILE`, or fault-results.jsonl in this package. */
export const resultsFile: string =
  process.env.FAULT_RESULTS_FILE ?? new URL('../fault-results.jsonl', import.meta.url).pathname;

/**
 * Counts acknowledged ids against the ids found afterwards.
 *
 * @param acknowledged ids the system acknowledged to a client as committed
 * @param found every id found in the system afterwards, once per occurrence
 * @returns present (acknowledged and found), lost (acknowledged, not found) and duplicates (extra occurrences of any id)
 */
export function tally(
  acknowledged: Iterable<string>,
  found: Iterable<string>,
): { acknowledged: number; present: number; lost: number; duplicates: number } {
  const occurrences = new Map<string, number>();
  for (const id of found) occurrences.set(id, (occurrences.get(id) ?? 0) + 1);
  const acked = new Set(acknowledged);
  let present = 0;
  for (const id of acked) if (occurrences.has(id)) present++;
  let duplicates = 0;
  for (const count of occurrences.values()) duplicates += count - 1;
  return { acknowledged: acked.size, present, lost: acked.size - present, duplicates };
}

/** Counts errors by their `LedgerError` code (`UNTYPED` for anything else). */
export class ErrorTally {
  readonly byCode: Record<string, number> = {};

  /**
   * @param error what a client caught
   * @returns the code it was counted under
   */
  add(error: unknown): string {
    const code = isLedgerError(error) ? error.code : 'UNTYPED';
    this.byCode[code] = (this.byCode[code] ?? 0) + 1;
    return code;
  }
}

/**
 * Reports a scenario: appends its JSON line to {@link resultsFile} and prints it.
 *
 * @param result the counts; `ok` defaults to true and is forced false on any loss or duplicate
 * @param file where to append the line
 * @returns the line as written
 */
export function reportScenario(
  result: Omit<ScenarioResult, 'ok'> & { ok?: boolean },
  file: string = resultsFile,
): ScenarioResult {
  const line: ScenarioResult = {
    scenario: result.scenario,
    acknowledged: result.acknowledged,
    present: result.present,
    lost: result.lost,
    duplicates: result.duplicates,
    errorsByCode: result.errorsByCode,
    recoveryMs: result.recoveryMs === null ? null : Math.round(result.recoveryMs),
    ok: (result.ok ?? true) && result.lost === 0 && result.duplicates === 0,
  };
  const text = JSON.stringify(line);
  appendFileSync(file, `${text}\n`);
  console.log(text);
  return line;
}

/**
 * Reports a scenario and throws when it lost or duplicated anything, so its test fails.
 *
 * @param result as for {@link reportScenario}
 * @param file where to append the line
 * @returns the line as written
 * @throws Error when `lost > 0`, `duplicates > 0` or `ok` is false
 */
export function reportAndAssert(
  result: Omit<ScenarioResult, 'ok'> & { ok?: boolean },
  file: string = resultsFile,
): ScenarioResult {
  const line = reportScenario(result, file);
  if (!line.ok) throw new Error(`fault scenario failed: ${JSON.stringify(line)}`);
  return line;
}
