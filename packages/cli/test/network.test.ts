// `ledgerkit network` on a real two-organization Fabric network (native processes): create
// with a voting policy, propose inviting Org3, vote, accept (Org3's fabric-ca-server and peer,
// the signed config update, the join), list, add a node, status with each node's health; a
// refused vote is one error line with exit code 2; an audit receipt from the network's
// ledgerdb audit ledger verifies with `ledgerkit verify`. The network is torn down after.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { claimNetworkDir } from '@ledgerkit/fabric-network/testing';
import { asLedger, openLedgerDatabase } from '@ledgerkit/ledgerdb';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { exitCodes, runCli } from '../src/run-cli.js';

async function ledgerkit(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
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

describe('ledgerkit network', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ledgerkit-testing-fabric-network-cli-'));
    await claimNetworkDir(dir);
  });

  afterAll(async () => {
    await ledgerkit(['fabric', 'down', '--dir', dir, '--purge']);
    await rm(dir, { recursive: true, force: true });
  }, 120_000);

  test('create, propose, vote, accept, proposals, invitations, members, add-node, status; audit receipts verify', async () => {
    const network = ['--dir', dir, '--json'];
    const json = async (args: string[]) => {
      const run = await ledgerkit([...args, ...network]);
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(exitCodes.ok);
      return JSON.parse(run.stdout);
    };
    const created = await json(['network', 'create', '--orgs', 'Org1,Org2', '--threshold', '50', '--channel', 'club']);
    expect(created).toMatchObject({
      policy: { thresholdPercentage: 50, comparator: 'GREATER_THAN', proposalDurationHours: 24 },
      requiredSignatures: 2,
    });
    const proposal = await json(['network', 'propose', 'invite', 'Org3', '--member', 'Org1']);
    expect(proposal.result).toMatchObject({ id: 'p1', status: 'IN_PROGRESS' });
    expect((await json(['network', 'vote', 'p1', 'YES', '--member', 'Org1'])).result.status).toBe('IN_PROGRESS');

    const double = await ledgerkit(['network', 'vote', 'p1', 'NO', '--member', 'Org1', '--dir', dir]);
    expect(double.code).toBe(exitCodes.badInput);
    expect(double.stderr).toMatch(/^ledgerkit network vote: .*\[ALREADY_EXISTS\]\n$/);

    expect((await json(['network', 'vote', 'p1', 'YES', '--member', 'Org2'])).result.status).toBe('APPROVED');
    expect(await json(['network', 'invitations', '--org', 'Org3'])).toMatchObject([{ status: 'OPEN' }]);
    const accepted = await json(['network', 'accept', 'Org3', '--admin', 'admin', '--admin-password', 'Passw0rd1']);
    expect(accepted.result).toMatchObject({ name: 'Org3', mspId: 'Org3MSP', status: 'ACTIVE' });
    expect(accepted.configUpdate.signers).toEqual(['Org1MSP', 'Org2MSP']);
    expect((await json(['network', 'members'])).map((member: { name: string }) => member.name)).toEqual([
      'Org1',
      'Org2',
      'Org3',
    ]);
    expect((await json(['network', 'proposals']))[0]).toMatchObject({ id: 'p1', status: 'APPROVED' });
    // An approved invitation the invitee declines.
    await json(['network', 'propose', 'invite', 'Org4', '--member', 'Org3']);
    await json(['network', 'vote', 'p2', 'YES', '--member', 'Org1']);
    expect((await json(['network', 'vote', 'p2', 'YES', '--member', 'Org3'])).result.status).toBe('APPROVED');
    expect((await json(['network', 'reject', 'Org4'])).audit[0].document.type).toBe('INVITATION_REJECTED');
    expect(await json(['network', 'invitations', '--org', 'Org4'])).toMatchObject([{ status: 'REJECTED' }]);
    const node = await json(['network', 'add-node', 'Org3']);
    expect(node).toMatchObject({ joined: true });

    // An endorsement policy change through a proposal: committed once 2 of the 3 members approve.
    const chaincode = fileURLToPath(new URL('../../fabric-network/test/fixtures/whoami', import.meta.url));
    expect(
      (await json(['fabric', 'deploy', '--name', 'whoami', '--path', chaincode, '--policy', 'any'])).sequence,
    ).toBe(1);
    const noPolicy = await ledgerkit([
      'network',
      'propose',
      'endorsement-policy',
      'whoami',
      '--member',
      'Org1',
      '--dir',
      dir,
    ]);
    expect(noPolicy.code).toBe(exitCodes.badInput);
    const unknown = await ledgerkit([
      'network',
      'propose',
      'endorsement-policy',
      'nosuch',
      '--policy',
      'all',
      '--member',
      'Org1',
      '--dir',
      dir,
    ]);
    expect(unknown.stderr).toMatch(/nosuch.*\[NOT_FOUND\]\n$/);
    const change = await json([
      'network',
      'propose',
      'endorsement-policy',
      'whoami',
      '--policy',
      'all',
      '--member',
      'Org1',
    ]);
    expect(change.result.action).toEqual({
      type: 'UPDATE_ENDORSEMENT_POLICY',
      chaincode: 'whoami',
      policy: "AND('Org1MSP.peer','Org2MSP.peer','Org3MSP.peer')",
    });
    await json(['network', 'vote', change.result.id, 'YES', '--member', 'Org1']);
    const committed = await json(['network', 'vote', change.result.id, 'YES', '--member', 'Org3']);
    expect(committed.result.status).toBe('APPROVED');
    expect(committed.chaincodeDefinition).toMatchObject({
      chaincode: 'whoami',
      sequence: 2,
      approvers: ['Org1MSP', 'Org3MSP'],
    });
    const shown = await json(['fabric', 'status']);
    expect(shown.chaincodes.find((one: { name: string }) => one.name === 'whoami')).toMatchObject({
      sequence: 2,
      policy: "AND('Org1MSP.peer','Org2MSP.peer','Org3MSP.peer')",
    });

    const status = await json(['network', 'status']);
    expect(status.requiredSignatures).toBe(2);
    const peers = status.nodes.filter((one: { kind: string }) => one.kind === 'peer');
    expect(peers.map((one: { id: string }) => one.id)).toEqual(
      expect.arrayContaining(['peer0.org1', 'peer0.org2', 'peer0.org3', node.id]),
    );
    for (const peer of peers) expect(peer).toMatchObject({ running: true, healthy: true });

    // The acceptance's audit receipt, with its evidence from the audit ledger, verifies.
    const entries = (await readFile(join(dir, 'governance', 'audit.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const acceptance = entries.find((entry) => entry.document.type === 'INVITATION_ACCEPTED');
    const database = await openLedgerDatabase({ path: join(dir, 'governance', 'audit.ledger'), name: 'governance' });
    const ledger = asLedger(database);
    try {
      await writeFile(join(dir, 'bundle.json'), JSON.stringify(await ledger.evidence(acceptance.receipt)));
    } finally {
      await ledger.close();
    }
    const verified = await ledgerkit(['verify', join(dir, 'bundle.json'), '--json']);
    expect(verified.code, verified.stderr).toBe(0);
  }, 600_000);
});
