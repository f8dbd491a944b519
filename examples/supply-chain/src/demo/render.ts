// Human output of the demo: aligned columns and a side-by-side comparison table, wrapped to
// the terminal's width. No JSON in it: --json prints the machine form.
import type { BackendRun, DemoStep } from './run-demo.ts';
import { shortId } from './run-demo.ts';

/** What the comparison table says of each trust model, beside what this run measured. */
export const trustModels = {
  ledgerdb: {
    enforces: "the operator's service (the rules run inside each ledgerdb transaction)",
    rewrite:
      'the operator, who holds the database; detected by an audit or a proof against a digest the auditor kept (the journal is hash-chained)',
    trusts: 'the digest the auditor pinned (ideally signed by the operator), SHA-256',
  },
  ethereum: {
    enforces: 'SupplyChain.sol, executed by every node',
    rewrite:
      'nobody without forking the chain; a fork changes every block hash after it, so it no longer links to a block hash the auditor pinned',
    trusts: 'the block hash the auditor pinned (from its own node or a light client), keccak-256, the tries',
  },
  fabric: {
    enforces: 'the chaincode, endorsed by the peers of both organizations',
    rewrite:
      'nobody alone: blocks are signed by the orderer and endorsed by both orgs; a lying peer is caught by signatures and by other peers',
    trusts: "the organizations' root CA certificates (MSP roots) the auditor pinned",
  },
} as const;

/**
 * Short form of a transaction id: `3f2a9c…81d0`.
 *
 * @param txId - the id
 * @returns the first 8 and last 4 characters around an ellipsis, for long ids
 */
export function shortTx(txId: string): string {
  return txId.length > 16 ? `${txId.slice(0, 8)}…${txId.slice(-4)}` : txId;
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - [...text].length));
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && [...line].length + 1 + [...word].length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.length > 0 ? lines : [''];
}

/**
 * Renders rows as aligned columns; cells wider than their column wrap onto more lines.
 *
 * @param rows - the rows, the first is the header
 * @param widths - each column's width
 * @returns the table, one string per line
 */
export function table(rows: readonly (readonly string[])[], widths: readonly number[]): string[] {
  const out: string[] = [];
  rows.forEach((row, r) => {
    const cells = row.map((cell, c) => wrap(cell, widths[c] ?? 20));
    const height = Math.max(...cells.map((lines) => lines.length));
    for (let i = 0; i < height; i++) {
      out.push(
        cells
          .map((lines, c) => pad(lines[i] ?? '', widths[c] ?? 20))
          .join('  ')
          .trimEnd(),
      );
    }
    if (r === 0) out.push(widths.map((width) => '─'.repeat(width)).join('  '));
    else if (r < rows.length - 1 && height > 1) out.push('');
  });
  return out;
}

/**
 * One committed step as a line: number, what, who, receipt in short form, latency.
 *
 * @param step - the step
 * @returns the line
 */
export function stepLine(step: DemoStep): string {
  const { receipt } = step;
  return `  ${pad(String(step.n), 2)} ${pad(step.what, 46)} ${pad(`${step.role} ${shortId(step.identity)}`, 26)} ${pad(receipt.backend, 8)} tx ${pad(shortTx(receipt.txId), 14)} block ${pad(`${receipt.block}#${receipt.index}`, 6)} ${Math.round(step.ms)} ms`;
}

/**
 * The part of a backend's run printed after its steps: verification, tamper, rules.
 *
 * @param run - the backend's run
 * @returns the lines
 */
export function runSections(run: BackendRun): string[] {
  const lines: string[] = [];
  const passed = run.verifications.filter((v) => v.ok).length;
  lines.push('', `  auditor: ${passed} of ${run.verifications.length} receipts verified independently`);
  lines.push(
    `    against: ${run.anchor.detail} (${run.anchor.explicit ? 'pinned by the auditor' : 'served by the backend, trusted'})`,
  );
  lines.push(`    pinned from: ${run.anchor.source}`);
  const names = [...new Set(run.verifications.flatMap((v) => v.checks.map((check) => check.name)))];
  lines.push(...wrap(`checks: ${names.join(', ')}`, 96).map((line, i) => `    ${i === 0 ? '' : '  '}${line}`));
  for (const v of run.verifications) {
    const step = run.steps[v.n - 1];
    const failed = v.checks.filter((check) => !check.ok);
    const verdict = v.ok
      ? `ok    ${v.checks.length}/${v.checks.length} checks`
      : `FAIL  ${failed.map((check) => `${check.name}: ${check.detail}`).join('; ') || 'history differs from the committed steps'}`;
    lines.push(`    ${pad(String(v.n), 2)} ${pad(step ? shortTx(step.receipt.txId) : '', 14)} ${verdict}`);
  }
  lines.push('', '  tamper:');
  for (const tamper of run.tampers) {
    lines.push(...wrap(tamper.attempt, 92).map((line, i) => `    ${i === 0 ? '- ' : '  '}${line}`));
    lines.push(
      ...wrap(`${tamper.caught ? 'CAUGHT' : 'NOT CAUGHT'}: ${tamper.how}`, 90).map(
        (line, i) => `      ${i === 0 ? '' : '  '}${line}`,
      ),
    );
  }
  lines.push('', '  rules:');
  for (const refusal of run.refusals) {
    lines.push(
      `    - ${pad(refusal.attempt, 72)} ${refusal.refused ? 'refused' : 'NOT REFUSED as expected'}: ${refusal.error}`,
    );
  }
  lines.push('', `  ${run.ok ? 'OK' : 'FAILED'}: ${run.label}`);
  return lines;
}

/** A backend that did not run, and why. */
export interface SkippedBackend {
  backend: 'ledgerdb' | 'ethereum' | 'fabric';
  label: string;
  reason: string;
}

/**
 * The side-by-side comparison of the trust models, with this run's measured latency.
 *
 * @param runs - the backends that ran
 * @param skipped - the ones that did not
 * @param width - terminal width
 * @returns the lines
 */
export function comparison(runs: readonly BackendRun[], skipped: readonly SkippedBackend[], width: number): string[] {
  const kinds = ['ledgerdb', 'ethereum', 'fabric'] as const;
  const columns = kinds.map((kind) => ({
    kind,
    run: runs.find((run) => run.backend === kind),
    skipped: skipped.find((skip) => skip.backend === kind),
  }));
  const header = [
    '',
    ...columns.map(({ kind, run, skipped: skip }) =>
      run ? `${run.label}` : skip ? `${skip.label}` : `${kind} (not selected)`,
    ),
  ];
  const latency = columns.map(({ run, skipped: skip }) =>
    run ? `${Math.round(run.p50Ms)} ms (${run.steps.length} writes)` : skip ? 'not run: skipped' : 'not run',
  );
  const verified = columns.map(({ run }) =>
    run
      ? `${run.verifications.filter((v) => v.ok).length}/${run.verifications.length} receipts; tamper ${run.tampers.every((t) => t.caught) ? 'caught' : 'NOT caught'}`
      : '—',
  );
  const rows = [
    header,
    ['trust model', 'centralized', 'decentralized', 'decentralized'],
    ['who enforces the rules', ...kinds.map((kind) => trustModels[kind].enforces)],
    ['who could rewrite history, and how it is detected', ...kinds.map((kind) => trustModels[kind].rewrite)],
    ['write latency p50 (this run)', ...latency],
    ['what verification trusts', ...kinds.map((kind) => trustModels[kind].trusts)],
    ['this run', ...verified],
  ];
  const labelWidth = 18;
  const column = Math.max(22, Math.floor((Math.max(width, 90) - labelWidth - 6) / 3));
  return table(rows, [labelWidth, column, column, column]);
}
