// `ledgerkit fabric up` and `status` print each organization's connection details and the
// environment a fabric-samples application (asset-transfer-basic's application-gateway-*)
// reads. The claim that crypto/ follows test-network's layout is checked the way those
// applications use it: from CRYPTO_PATH alone (users/User1@<domain>/msp/{keystore,signcerts},
// the first file of each; peers/<peer>/tls/ca.crt), through the printed endpoint with the
// printed host alias as TLS server name, a query on a real two-organization network.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectFabric } from '@ledgerkit/fabric';
import { claimNetworkDir } from '@ledgerkit/fabric-network/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../src/run-cli.js';

const channel = 'samples';

async function fabric(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['fabric', ...args], {
    readStdin: async () => new Uint8Array(),
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr };
}

/** The `fabric-samples app` line of one organization, as environment variables. */
function samplesEnvironment(output: string, mspId: string): Record<string, string> {
  const block = output.slice(output.indexOf(`(${mspId})\n`));
  const line = /fabric-samples app\s+(.*)\n/.exec(block)?.[1] ?? '';
  return Object.fromEntries(
    line.split(' ').map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );
}

const firstFile = async (dir: string): Promise<string> => join(dir, (await readdir(dir))[0] as string);

describe('ledgerkit fabric: connection details', () => {
  let dir: string;
  let up: { code: number; stdout: string; stderr: string };
  let downRan = false;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ledgerkit-testing-fabric-cli-'));
    await claimNetworkDir(dir);
    up = await fabric(['up', '--dir', dir, '--orgs', '2', '--channel', channel]);
  }, 600_000);

  afterAll(async () => {
    if (!downRan) await fabric(['down', '--dir', dir, '--purge']);
    await rm(dir, { recursive: true, force: true });
  }, 120_000);

  test('up and status print each organization’s endpoint, host alias, TLS CA, MSP folder and crypto path', async () => {
    expect(up.code, up.stderr).toBe(0);
    const status = await fabric(['status', '--dir', dir]);
    expect(status.code).toBe(0);
    for (const output of [up.stdout, status.stdout]) {
      expect(output).toContain("follows fabric-samples test-network's organizations/ layout");
      expect(output).toContain('CRYPTO_PATH');
      for (const [org, domain] of [
        ['Org1', 'org1.example.com'],
        ['Org2', 'org2.example.com'],
      ] as const) {
        const block = output.slice(output.indexOf(`\n${org} (${org}MSP)\n`));
        expect(block).toMatch(/gateway endpoint +127\.0\.0\.1:\d+\n/);
        expect(block).toContain(`host alias          peer0.${domain} `);
        expect(block).toContain(`TLS CA file         ${join(dir, 'organizations', org, 'tls-ca.pem')}\n`);
        expect(block).toContain(`MSP folder          ${join(dir, 'organizations', org, 'user', 'msp')} `);
        expect(block).toContain(`crypto path         ${join(dir, 'crypto', 'peerOrganizations', domain)}\n`);
      }
    }
    const json = JSON.parse((await fabric(['status', '--dir', dir, '--json'])).stdout) as {
      organizations: Array<{ mspId: string; peerHostAlias: string; cryptoPath: string }>;
    };
    expect(json.organizations.map((org) => [org.mspId, org.peerHostAlias])).toEqual([
      ['Org1MSP', 'peer0.org1.example.com'],
      ['Org2MSP', 'peer0.org2.example.com'],
    ]);
  });

  test('a client set up as fabric-samples applications are, from CRYPTO_PATH, queries the channel', async () => {
    for (const [mspId, domain] of [
      ['Org1MSP', 'org1.example.com'],
      ['Org2MSP', 'org2.example.com'],
    ] as const) {
      const env = samplesEnvironment(up.stdout, mspId);
      expect(env.CRYPTO_PATH).toBe(join(dir, 'crypto', 'peerOrganizations', domain));
      expect(env.MSP_ID).toBe(mspId);
      expect(env.CHANNEL_NAME).toBe(channel);
      // The paths the applications derive from CRYPTO_PATH by default, for User1 and peer0.
      const cryptoPath = env.CRYPTO_PATH as string;
      const msp = join(cryptoPath, 'users', `User1@${domain}`, 'msp');
      expect(env.KEY_DIRECTORY_PATH).toBe(join(msp, 'keystore'));
      expect(env.CERT_DIRECTORY_PATH).toBe(join(msp, 'signcerts'));
      expect(env.TLS_CERT_PATH).toBe(join(cryptoPath, 'peers', `peer0.${domain}`, 'tls', 'ca.crt'));
      const ledger = await connectFabric({
        endpoint: env.PEER_ENDPOINT as string,
        hostnameOverride: env.PEER_HOST_ALIAS as string,
        tlsRootCertificate: await readFile(env.TLS_CERT_PATH as string, 'utf8'),
        mspId,
        certificate: await readFile(await firstFile(join(msp, 'signcerts')), 'utf8'),
        privateKey: await readFile(await firstFile(join(msp, 'keystore')), 'utf8'),
        channel,
        chaincode: 'qscc',
      });
      try {
        const info = await ledger.native.network.getContract('qscc').evaluateTransaction('GetChainInfo', channel);
        expect(info.length).toBeGreaterThan(0);
      } finally {
        await ledger.close();
      }
    }
  }, 120_000);

  test('deploy, identity, logs and down: human text by default, JSON with --json', async () => {
    const chaincode = fileURLToPath(new URL('../../fabric-network/test/fixtures/whoami', import.meta.url));
    const deployed = await fabric(['deploy', '--dir', dir, '--name', 'whoami', '--path', chaincode, '--json']);
    expect(deployed.code, deployed.stderr).toBe(0);
    expect(JSON.parse(deployed.stdout)).toMatchObject({ name: 'whoami', version: '1.0', sequence: 1 });
    // Progress went to stderr as JSON lines, never into the document on stdout.
    for (const line of deployed.stderr.split('\n').filter(Boolean)) expect(JSON.parse(line)).toHaveProperty('progress');

    const human = await fabric([
      'identity',
      '--dir',
      dir,
      '--org',
      'Org1',
      '--name',
      'alice',
      '--attr',
      'role=auditor',
    ]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^Issued client identity 'alice' of Org1MSP\n/);
    expect(human.stdout).toMatch(/^ {2}attribute role +auditor$/m);
    expect(human.stdout).not.toContain('{');
    const issued = JSON.parse(
      (await fabric(['identity', '--dir', dir, '--org', 'Org2', '--name', 'bob', '--role', 'admin', '--json'])).stdout,
    ) as { mspId: string; role: string };
    expect(issued).toMatchObject({ mspId: 'Org2MSP', role: 'admin' });

    const logs = await fabric(['logs', 'peer0.org1', '--dir', dir, '--lines', '5', '--json']);
    expect(logs.code).toBe(0);
    const lines = logs.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { component: string });
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((line) => line.component === 'peer0.org1')).toBe(true);
    const noComponent = await fabric(['logs', 'peer9.org9', '--dir', dir]);
    expect(noComponent.code).toBe(2);
    expect(noComponent.stderr.split('\n')).toHaveLength(2);

    const down = await fabric(['down', '--dir', dir, '--purge', '--json']);
    downRan = true;
    expect(down.code).toBe(0);
    const result = JSON.parse(down.stdout) as { stopped: number[]; purged: boolean };
    expect(result.purged).toBe(true);
    expect(result.stopped.length).toBeGreaterThan(0);
  }, 300_000);
});
