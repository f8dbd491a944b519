import { describe, expect, test } from 'vitest';
import { exitCodes, runCli } from './run-cli.js';

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr };
}

describe('ledgerkit', () => {
  test('--help lists the groups and the exit codes', async () => {
    const { code, stdout } = await run('--help');
    expect(code).toBe(exitCodes.ok);
    for (const group of ['db', 'demo', 'eth', 'fabric', 'verify', 'completion'])
      expect(stdout).toContain(`\n  ${group} `);
    expect(stdout).toContain('Exit codes');
    expect(stdout).toContain('ledgerkit verify: 1 when a check failed');
  });

  test('an unknown command is bad input, with a suggestion', async () => {
    const { code, stderr } = await run('verfy');
    expect(code).toBe(exitCodes.badInput);
    expect(stderr).toBe("ledgerkit: unknown command 'verfy' (Did you mean verify?) [INVALID_ARGUMENT]\n");
  });

  test('demo --json proves inclusion and consistency and catches the tampered event', async () => {
    const { code, stdout } = await run('demo', '--json', '--events', '37');
    expect(code).toBe(exitCodes.ok);
    const result = JSON.parse(stdout) as { ok: boolean; events: number; checks: { name: string; ok: boolean }[] };
    expect(result.ok).toBe(true);
    expect(result.events).toBe(37);
    expect(result.checks.map((check) => [check.name, check.ok])).toEqual([
      ['inclusion-proof', true],
      ['consistency-proof', true],
      ['tampered-event-detected', true],
    ]);
  });

  test('demo prints the walkthrough as text', async () => {
    const { code, stdout } = await run('demo');
    expect(code).toBe(exitCodes.ok);
    expect(stdout).toContain('All checks passed');
    expect(stdout).not.toContain('{"ok"');
  });

  test('fabric up --help and demo --help work (they did not on node:util parseArgs)', async () => {
    for (const argv of [
      ['fabric', 'up', '--help'],
      ['demo', '--help'],
    ]) {
      const { code, stdout } = await run(...argv);
      expect(code).toBe(exitCodes.ok);
      expect(stdout).toContain(`Usage: ledgerkit ${argv.slice(0, -1).join(' ')}`);
    }
  });
});

describe('ledgerkit fabric', () => {
  test('--help lists every subcommand', async () => {
    const { code, stdout } = await run('fabric', '--help');
    expect(code).toBe(exitCodes.ok);
    for (const subcommand of ['up', 'status', 'logs', 'deploy', 'identity', 'down'])
      expect(stdout).toMatch(new RegExp(`\\n  ${subcommand} `));
  });

  test('the default network directory is in the working directory', async () => {
    const { stdout } = await run('fabric', 'status', '--help');
    expect(stdout).toContain('(default: ".ledgerkit/fabric")');
  });
});
