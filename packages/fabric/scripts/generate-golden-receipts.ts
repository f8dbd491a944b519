// Writes the golden receipt vectors in testdata/receipts/: verification bundles (subject +
// evidence) with the anchor to check them against and the expected verdict, from a real
// two-organization network (1 Raft orderer, 1 peer per org) started in a temporary directory
// and torn down at the end. The valid vectors must verify and the tampered ones must fail
// with the named checks for every later version of the verifier
// (src/verify/golden-receipts.test.ts); regenerate only to add vectors, never to make a
// failing test pass.
//   npm run golden -w @ledgerkit/fabric
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Receipt, Revision, TrustAnchor, VerificationBundle } from '@ledgerkit/core';
import {
  boolean,
  derToPem,
  extension,
  objectIdentifier,
  sequence,
  set,
  signCertificate,
  utf8String,
} from '@ledgerkit/core/der';
import { FabricNetwork } from '@ledgerkit/fabric-network';
import { claimNetworkDir } from '@ledgerkit/fabric-network/testing';
import { connectFabric, type FabricLedger, fabricBlockHash, verifyFabricReceipt } from '../dist/index.js';

const channel = 'golden';
const chaincode = 'kv';
const chaincodePath = fileURLToPath(new URL('../test/fixtures/ledger-chaincode', import.meta.url));
const outDir = fileURLToPath(new URL('../testdata/receipts', import.meta.url));
const log = (message: string) => process.stderr.write(`[golden] ${message}\n`);

interface Vector {
  description: string;
  bundle: VerificationBundle;
  anchor?: TrustAnchor;
  expect: { ok: boolean; failing?: string[] };
}

async function pemFiles(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.pem')).sort();
  return Promise.all(names.map((name) => readFile(join(dir, name), 'utf8')));
}

async function mspRoots(network: FabricNetwork): Promise<Record<string, string[]>> {
  const roots: Record<string, string[]> = {};
  for (const mspId of network.mspIds)
    roots[mspId] = await pemFiles(join(network.organization(mspId).user.mspDir, 'cacerts'));
  const ordererOrgs = join(network.dir, 'crypto', 'ordererOrganizations');
  for (const domain of await readdir(ordererOrgs))
    roots.OrdererMSP = await pemFiles(join(ordererOrgs, domain, 'msp', 'cacerts'));
  return roots;
}

function strangerRoot(): string {
  const keys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const name = sequence(set(sequence(objectIdentifier('2.5.4.3'), utf8String('ca.stranger.example.com'))));
  return derToPem(
    'CERTIFICATE',
    signCertificate({
      serialNumber: Buffer.from([7]),
      issuer: name,
      subject: name,
      notBefore: new Date('2020-01-01T00:00:00Z'),
      notAfter: new Date('2049-01-01T00:00:00Z'),
      publicKey: keys.publicKey,
      signingKey: keys.privateKey,
      extensions: [extension('2.5.29.19', true, sequence(boolean(true)))],
    }),
  );
}

const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'ledgerkit-sdk-fabric-golden-'));
  await claimNetworkDir(dir);
  let network: FabricNetwork | undefined;
  const ledgers: FabricLedger[] = [];
  try {
    log('starting a 2-org network');
    network = await FabricNetwork.up({ dir, orgs: 2, peersPerOrg: 1, orderers: 1, channel });
    await network.deployChaincode({ name: chaincode, path: chaincodePath });
    const connect = async (org: string) => {
      const ledger = await connectFabric({
        connectionProfile: (network as FabricNetwork).organization(org).connectionProfilePath,
        chaincode,
        retry: { retries: 60, baseDelayMs: 250, maxDelayMs: 1_000 },
      });
      ledgers.push(ledger);
      return ledger;
    };
    const org1 = await connect('Org1');
    const org2 = await connect('Org2');
    await org1.submit({ method: 'Put', args: ['pallet-7', { owner: 'Acme', weight: 40 }] });
    const receipt = await org1.submit({ method: 'Put', args: ['pallet-7', { owner: 'Globex', weight: 42 }] });
    const [, revision] = (await org1.history('pallet-7')) as [Revision, Revision];
    const pinned = fabricBlockHash(await readFile(join(dir, 'config', `${channel}.block`)));
    const roots = await mspRoots(network);
    const receiptBundle = await org1.evidence(receipt);
    const revisionBundle = await org1.evidence(revision);
    // Org2's peer's copy of the block, fetched through Org2's own gateway.
    const witnessBundle = await org2.evidence(receipt);
    const pinnedAnchor: TrustAnchor = { type: 'fabric-config-block', hash: pinned };
    const evidence = receiptBundle.evidence as Record<string, unknown> & { block: string };
    const previousHash = fabricBlockHash(Buffer.from(evidence.previousBlock as string, 'base64'));
    const legacy = copy(receipt) as Partial<Receipt>;
    delete legacy.version;
    legacy.position = { block: receipt.position.block, index: -1 };
    const bundle = (
      subject: Receipt | Revision,
      evidenceOf: Record<string, unknown> = evidence,
    ): VerificationBundle => ({
      format: 'ledgerkit.verification-bundle',
      version: 1,
      subject: copy(subject),
      evidence: copy(evidenceOf) as VerificationBundle['evidence'],
    });
    const tamperedRevision = copy(revision);
    tamperedRevision.value = { owner: 'Globex', weight: 43 };
    const vectors: Record<string, Vector> = {
      'valid-receipt-pinned-config': {
        description: 'a receipt against the pinned hash of the channel genesis (config) block',
        bundle: bundle(receipt),
        anchor: pinnedAnchor,
        expect: { ok: true },
      },
      'valid-receipt-no-anchor': {
        description: 'a receipt against the config block as served (anchor.explicit false)',
        bundle: bundle(receipt),
        expect: { ok: true },
      },
      'valid-receipt-msp-roots': {
        description: "a receipt against the organizations' MSP root certificates",
        bundle: bundle(receipt),
        anchor: { type: 'fabric-msp-roots', roots },
        expect: { ok: true },
      },
      'valid-revision': {
        description: 'a revision (history) with its written value, against the pinned config block',
        bundle: bundle(revision, revisionBundle.evidence as Record<string, unknown>),
        anchor: pinnedAnchor,
        expect: { ok: true },
      },
      'valid-legacy-receipt': {
        description: 'a receipt without a format version and with an unlocated index (-1), as version 1 wrote them',
        bundle: bundle(legacy as Receipt),
        anchor: pinnedAnchor,
        expect: { ok: true },
      },
      'valid-receipt-witness': {
        description: "a receipt with Org2's peer's copy of the block as witness (peer-agreement)",
        bundle: bundle(receipt, {
          ...evidence,
          witnessBlocks: [(witnessBundle.evidence as { block: string }).block],
        }),
        anchor: pinnedAnchor,
        expect: { ok: true },
      },
      'tampered-value': {
        description: 'the revision with its value changed',
        bundle: bundle(tamperedRevision, revisionBundle.evidence as Record<string, unknown>),
        anchor: pinnedAnchor,
        expect: { ok: false, failing: ['revision-value'] },
      },
      'tampered-position': {
        description: 'the receipt moved to the next index of its block',
        bundle: bundle({ ...receipt, position: { ...receipt.position, index: receipt.position.index + 1 } }),
        anchor: pinnedAnchor,
        expect: { ok: false, failing: ['block-located'] },
      },
      'tampered-block-number': {
        description: 'the receipt moved to the next block',
        bundle: bundle({ ...receipt, position: { ...receipt.position, block: receipt.position.block + 1 } }),
        anchor: pinnedAnchor,
        expect: { ok: false, failing: ['block-located'] },
      },
      'tampered-other-channel': {
        description: 'the receipt claiming another channel',
        bundle: bundle({ ...receipt, ledger: 'other-channel' }),
        anchor: pinnedAnchor,
        expect: { ok: false, failing: ['channel'] },
      },
      'tampered-timestamp': {
        description: 'the receipt with its time moved by one second',
        bundle: bundle({ ...receipt, timestamp: new Date(Date.parse(receipt.timestamp) + 1000).toISOString() }),
        anchor: pinnedAnchor,
        expect: { ok: false, failing: ['timestamp'] },
      },
      'tampered-truncated-block': {
        description: 'the evidence block cut short',
        bundle: bundle(receipt, { ...evidence, block: evidence.block.slice(0, 400) }),
        anchor: pinnedAnchor,
        expect: { ok: false, failing: ['block-decodes'] },
      },
      'tampered-wrong-anchor-type': {
        description: 'an Ethereum anchor for a Fabric receipt',
        bundle: bundle(receipt),
        anchor: { type: 'ethereum-block', number: 1, hash: `0x${'00'.repeat(32)}` },
        expect: { ok: false, failing: ['anchor-type'] },
      },
      'tampered-wrong-pinned-config': {
        description: 'the pinned hash of another block (the one before the receipt) instead of the config block',
        bundle: bundle(receipt),
        anchor: { type: 'fabric-config-block', hash: previousHash },
        expect: { ok: false, failing: ['anchor-config-block'] },
      },
      'tampered-wrong-msp-roots': {
        description: "a stranger's root certificate in place of Org2MSP's",
        bundle: bundle(receipt),
        anchor: { type: 'fabric-msp-roots', roots: { ...roots, Org2MSP: [strangerRoot()] } },
        expect: { ok: false, failing: ['endorsement:Org2MSP'] },
      },
    };
    await rm(outDir, { recursive: true, force: true });
    await mkdir(outDir, { recursive: true });
    for (const [name, vector] of Object.entries(vectors)) {
      // Checked before writing: a generator that writes vectors its own verifier disagrees with is broken.
      const result = await verifyFabricReceipt(vector.bundle.subject, vector.bundle.evidence, vector.anchor);
      const failing = result.checks.filter((check) => !check.ok).map((check) => check.name);
      if (result.ok !== vector.expect.ok || JSON.stringify(failing) !== JSON.stringify(vector.expect.failing ?? [])) {
        throw new Error(
          `vector ${name}: expected ${JSON.stringify(vector.expect)}, got failing ${JSON.stringify(failing)}`,
        );
      }
      await writeFile(join(outDir, `${name}.json`), `${JSON.stringify(vector, null, 2)}\n`);
      log(`wrote ${name}`);
    }
  } finally {
    for (const ledger of ledgers) await ledger.close();
    await network?.down({ purge: true }).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
