import type { Verification } from './ledger.js';

/** Output formats of {@link formatVerification}. */
export type VerificationFormat = 'markdown' | 'json' | 'text';

/**
 * Renders a verification for people (`text`, `markdown`) or machines (`json`): every check
 * with pass or fail, what it was checked against, and a one-line verdict.
 *
 * @param result - the verification
 * @param format - `text` (default), `markdown` or `json`
 * @param title - what was verified, e.g. `receipt 0x12ab… (ethereum, chain 31337)`
 * @returns the rendered verification, ending with a newline
 */
export function formatVerification(
  result: Verification,
  format: VerificationFormat = 'text',
  title = 'verification',
): string {
  const failed = result.checks.filter((check) => !check.ok).length;
  const verdict = result.ok
    ? `VERIFIED: ${result.checks.length} of ${result.checks.length} checks passed`
    : result.checks.length === 0
      ? 'NOT VERIFIED: no check was made'
      : `NOT VERIFIED: ${failed} of ${result.checks.length} checks failed`;
  const against = result.anchor
    ? `${result.anchor.detail} (${result.anchor.explicit ? 'anchor chosen by the verifier' : 'anchor taken from the backend that was asked; it is trusted'})`
    : 'no trust anchor recorded';
  switch (format) {
    case 'json':
      return `${JSON.stringify({ title, ok: result.ok, verdict, anchor: result.anchor ?? null, checks: result.checks })}\n`;
    case 'markdown': {
      const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
      const rows = result.checks.map(
        (check) => `| ${check.ok ? 'pass' : '**FAIL**'} | \`${cell(check.name)}\` | ${cell(check.detail)} |`,
      );
      return [
        `### ${title}`,
        '',
        `Checked against: ${against}`,
        '',
        '| result | check | detail |',
        '| --- | --- | --- |',
        ...rows,
        '',
        `**${verdict}**`,
        '',
      ].join('\n');
    }
    case 'text': {
      const lines = result.checks.map((check) => `  ${check.ok ? 'pass' : 'FAIL'}  ${check.name}: ${check.detail}`);
      return [`${title}`, `  checked against: ${against}`, ...lines, verdict, ''].join('\n');
    }
  }
}
