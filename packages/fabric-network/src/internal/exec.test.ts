import { expect, test } from 'vitest';
import { runCommand } from './exec.js';

test('onStderrLine receives each stderr line as it is written, before the command ends', async () => {
  const seen: { line: string; at: number }[] = [];
  const started = performance.now();
  const result = await runCommand(
    'sh',
    ['-c', 'printf "go: downloading a v1\\n" >&2; sleep 0.3; printf "compiled b\\npartial" >&2; echo out'],
    { onStderrLine: (line) => seen.push({ line, at: performance.now() - started }) },
  );
  expect(seen.map((entry) => entry.line)).toEqual(['go: downloading a v1', 'compiled b', 'partial']);
  // The first line arrived while the command was still sleeping.
  expect((seen[1]?.at ?? 0) - (seen[0]?.at ?? 0)).toBeGreaterThan(200);
  // The buffered result is unchanged.
  expect(result.stdout).toBe('out\n');
  expect(result.stderr).toBe('go: downloading a v1\ncompiled b\npartial');
});
