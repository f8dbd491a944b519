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
  test('--help lists the commands and exit codes', async () => {
    const { code, stdout } = await run('--help');
    expect(code).toBe(exitCodes.ok);
    expect(stdout).toContain('demo');
    expect(stdout).toContain('verify FILE');
    expect(stdout).toContain('Exit codes');
    expect(stdout).toContain('verify: 1 when a check failed');
  });

  test('no command prints help and exits with bad input', async () => {
    expect((await run()).code).toBe(exitCodes.badInput);
  });

  test('an unknown command is bad input', async () => {
    const { code, stderr } = await run('launch');
    expect(code).toBe(exitCodes.badInput);
    expect(stderr).toContain("unknown command 'launch'");
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

  test('demo rejects an unknown flag and a bad event count', async () => {
    expect((await run('demo', '--bogus')).code).toBe(exitCodes.badInput);
    const { code, stderr } = await run('demo', '--events', 'many');
    expect(code).toBe(exitCodes.badInput);
    expect(stderr).toContain('--events');
  });
});

describe('ledgerkit fabric', () => {
  test('--help lists the subcommands', async () => {
    const { code, stdout } = await run('fabric', '--help');
    expect(code).toBe(exitCodes.ok);
    for (const subcommand of ['up', 'status', 'logs', 'deploy', 'identity', 'down'])
      expect(stdout).toContain(subcommand);
  });

  test('status of a directory without a network is bad input that says to run up', async () => {
    const { code, stderr } = await run('fabric', 'status', '--dir', '/nonexistent/ledgerkit-network');
    expect(code).toBe(exitCodes.badInput);
    expect(stderr).toContain("run 'ledgerkit fabric up");
  });

  test('an unknown subcommand and a bad org name are bad input', async () => {
    expect((await run('fabric', 'launch')).code).toBe(exitCodes.badInput);
    const { code, stderr } = await run('fabric', 'up', '--dir', '/nonexistent/x', '--orgs', 'Bad Name');
    expect(code).toBe(exitCodes.badInput);
    expect(stderr).toContain('invalid organization name');
  });

  test('identity needs --org and --name, name=value attributes and a known role', async () => {
    const dir = ['--dir', '/nonexistent/ledgerkit-network'];
    expect((await run('fabric', 'identity', ...dir, '--name', 'alice')).code).toBe(exitCodes.badInput);
    const badAttribute = await run('fabric', 'identity', ...dir, '--org', 'Org1', '--name', 'alice', '--attr', 'role');
    expect(badAttribute.code).toBe(exitCodes.badInput);
    expect(badAttribute.stderr).toContain('--attr takes name=value');
    const badRole = await run('fabric', 'identity', ...dir, '--org', 'Org1', '--name', 'alice', '--role', 'peer');
    expect(badRole.code).toBe(exitCodes.badInput);
    const noNetwork = await run('fabric', 'identity', ...dir, '--org', 'Org1', '--name', 'alice', '--attr', 'a=b=c');
    expect(noNetwork.code).toBe(exitCodes.badInput);
    expect(noNetwork.stderr).toContain("run 'ledgerkit fabric up");
  });
});
