// Verification in the browser: the pure verifiers of each backend, bundled into the page.
// The API server only serves evidence (untrusted); the verdict is computed here, against the
// anchor the auditor chose.
import type { TrustAnchor, Verification, VerificationBundle } from '@ledgerkit/core';
import { verifyEthereumReceipt } from '@ledgerkit/ethereum/verify';
import { verifyFabricReceipt } from '@ledgerkit/fabric/verify';
import { verifyLedgerdbReceipt } from '@ledgerkit/ledgerdb/verify';

type Verifier = (subject: never, evidence: never, anchor?: TrustAnchor) => Promise<Verification>;

const verifiers: Readonly<Record<string, Verifier>> = {
  ledgerdb: verifyLedgerdbReceipt as unknown as Verifier,
  ethereum: verifyEthereumReceipt as unknown as Verifier,
  fabric: verifyFabricReceipt as unknown as Verifier,
};

/** A bundle with the verdict the browser reached. */
export interface BundleResult {
  bundle: VerificationBundle;
  verification: Verification;
}

/**
 * Verifies every bundle in this page.
 *
 * @param bundles - from the API server (untrusted)
 * @param anchor - the auditor's pinned anchor; without it each verification uses (and reports) the anchor the evidence carries
 * @returns one result per bundle; malformed input is a failed check, never an exception
 */
export async function verifyInBrowser(
  bundles: readonly VerificationBundle[],
  anchor?: TrustAnchor,
): Promise<BundleResult[]> {
  const results: BundleResult[] = [];
  for (const bundle of bundles) {
    const subject = bundle.subject as { backend?: string; receipt?: { backend?: string } };
    const backend = subject.receipt?.backend ?? subject.backend ?? 'unknown';
    const verify = verifiers[backend];
    const verification: Verification = verify
      ? await verify(bundle.subject as never, bundle.evidence as never, anchor)
      : ({
          ok: false,
          checks: [{ name: 'backend', ok: false, detail: `no verifier for a ${backend} receipt in this page` }],
        } as unknown as Verification);
    results.push({ bundle, verification });
  }
  return results;
}
