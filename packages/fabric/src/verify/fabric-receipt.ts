// verifyFabricReceipt: a receipt or revision, the untrusted blocks that back it, and the
// anchor the verifier chose. Pure and browser-safe.
import {
  check,
  type JsonValue,
  type Receipt,
  type Revision,
  type TrustAnchor,
  type Verification,
  type VerificationAnchor,
  type VerificationCheck,
  verification,
} from '@ledgerkit/core';
import { blockHeaderHash } from './block-hash.js';
import { fromBase64, toHex, utf8Text } from './bytes.js';
import { channelConfigOf } from './channel-config.js';
import { failed } from './checks/check-text.js';
import { fabricReceiptProblem } from './checks/input-checks.js';
import { decodeBlock, decodeEndorserTransaction, decodeEnvelope, headerTypeEndorserTransaction } from './decode.js';
import { type FabricTransactionInput, verifyTransactionChecks } from './transaction.js';
import { type Certificate, parseCertificate, pemBlocks } from './x509.js';

/**
 * The evidence of a Fabric receipt, as `FabricLedger.evidence` returns it in a verification
 * bundle: serialized `common.Block`s in standard base64, exactly as the peer's `qscc` served
 * them. Untrusted: every claim in it is checked.
 */
export interface FabricEvidence {
  /** Marks the evidence kind. */
  type: 'fabric-blocks';
  /** The block holding the transaction. */
  block: string;
  /** The block before it (absent for block 0). */
  previousBlock?: string;
  /** The config block the block names as its last config (the MSP roots unless an anchor replaces them). */
  configBlock: string;
  /**
   * Copies of `block` from other organizations' peers. The validation codes and commit hash
   * are written by each peer, not signed by the orderer; copies that agree make the
   * `peer-agreement` check, which a single lying peer cannot pass.
   */
  witnessBlocks?: string[];
}

const anchorTypes = new Set(['fabric-config-block', 'fabric-msp-roots']);

function decodeEvidence(evidence: unknown): { input: Omit<FabricTransactionInput, 'txId'> } | { problem: string } {
  if (typeof evidence !== 'object' || evidence === null || Array.isArray(evidence)) {
    return { problem: 'the evidence is not an object' };
  }
  const record = evidence as Record<string, unknown>;
  if (record.type !== 'fabric-blocks') return { problem: `evidence type ${String(record.type)} is not fabric-blocks` };
  const bytes = (field: string, value: unknown): Uint8Array => {
    if (typeof value !== 'string' || value === '') throw new Error(`evidence.${field} is not a base64 block`);
    try {
      return fromBase64(value);
    } catch (error) {
      throw new Error(`evidence.${field} is not base64: ${(error as Error).message}`);
    }
  };
  try {
    const witnesses = record.witnessBlocks;
    if (witnesses !== undefined && !Array.isArray(witnesses)) throw new Error('evidence.witnessBlocks is not an array');
    return {
      input: {
        block: bytes('block', record.block),
        configBlock: bytes('configBlock', record.configBlock),
        ...(record.previousBlock === undefined ? {} : { previousBlock: bytes('previousBlock', record.previousBlock) }),
        ...(witnesses === undefined || witnesses.length === 0
          ? {}
          : { witnessBlocks: witnesses.map((copy, index) => bytes(`witnessBlocks[${index}]`, copy)) }),
      },
    };
  } catch (error) {
    return { problem: (error as Error).message };
  }
}

function revisionProblem(subject: Record<string, unknown>): string | undefined {
  if (typeof subject.key !== 'string' || subject.key === '') return 'revision.key is not a non-empty string';
  if (!Number.isSafeInteger(subject.version) || (subject.version as number) < 0) {
    return 'revision.version is not a non-negative integer';
  }
  if (typeof subject.deleted !== 'boolean') return 'revision.deleted is not a boolean';
  if (!('value' in subject)) return 'revision.value is missing';
  return undefined;
}

function parseRoots(roots: unknown): Map<string, Certificate[]> {
  if (typeof roots !== 'object' || roots === null || Array.isArray(roots)) {
    throw new Error('anchor.roots is not an object of MSP id to PEM certificates');
  }
  const parsed = new Map<string, Certificate[]>();
  for (const [mspId, list] of Object.entries(roots)) {
    if (!Array.isArray(list) || list.length === 0)
      throw new Error(`anchor.roots.${mspId} is not a list of PEM certificates`);
    const certificates = list.flatMap((pem, index) => {
      if (typeof pem !== 'string') throw new Error(`anchor.roots.${mspId}[${index}] is not PEM text`);
      const blocks = pemBlocks(pem, 'CERTIFICATE');
      if (blocks.length === 0) throw new Error(`anchor.roots.${mspId}[${index}] holds no PEM CERTIFICATE`);
      return blocks.map((der) => parseCertificate(der));
    });
    parsed.set(mspId, certificates);
  }
  if (parsed.size === 0) throw new Error('anchor.roots names no MSP');
  return parsed;
}

/** JSON text with object keys sorted, so that equal values compare equal whatever their key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

function writtenValue(bytes: Uint8Array): JsonValue {
  const text = utf8Text(bytes);
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}

/** The `revision-value` check: the transaction's write set writes the revision's value under its key. */
function revisionValueCheck(revision: Revision, block: Uint8Array): VerificationCheck {
  return check('revision-value', () => {
    const { receipt } = revision;
    const envelope = decodeBlock(block)
      .data.map((entry) => {
        try {
          return decodeEnvelope(entry);
        } catch {
          return undefined;
        }
      })
      .find((candidate) => candidate?.txId === receipt.txId);
    if (!envelope || envelope.headerType !== headerTypeEndorserTransaction) {
      return [false, `the block holds no endorser transaction ${receipt.txId}`];
    }
    const chaincode = typeof receipt.proof?.chaincode === 'string' ? receipt.proof.chaincode : '';
    // The world-state key the chaincode's history transaction read, when it is not the key
    // history() was asked for (a chaincode that prefixes or composes its keys).
    const stateKey = typeof receipt.proof?.stateKey === 'string' ? receipt.proof.stateKey : revision.key;
    const keyText =
      stateKey === revision.key
        ? JSON.stringify(stateKey)
        : `${JSON.stringify(stateKey)} (history of ${JSON.stringify(revision.key)})`;
    const writes = decodeEndorserTransaction(envelope)
      .flatMap((action) => action.writes)
      .filter(
        (write) =>
          write.collection === '' &&
          (chaincode === '' || write.namespace === chaincode) &&
          utf8Text(write.key) === stateKey,
      );
    const write = writes[writes.length - 1];
    if (!write) {
      return [
        false,
        `transaction ${receipt.txId} writes no key ${keyText}${chaincode ? ` of chaincode ${chaincode}` : ''}`,
      ];
    }
    if (write.isDelete || revision.deleted) {
      return [
        write.isDelete === revision.deleted,
        `transaction ${receipt.txId} ${write.isDelete ? 'deletes' : 'writes'} key ${keyText}; the revision says ${revision.deleted ? 'deleted' : 'written'}`,
      ];
    }
    const written = writtenValue(write.value);
    const ok = canonical(written) === canonical(revision.value);
    return [
      ok,
      `transaction ${receipt.txId} writes key ${keyText} of ${write.namespace} = ${canonical(written).slice(0, 200)}${ok ? ', the revision value' : `; the revision says ${canonical(revision.value).slice(0, 200)}`}`,
    ];
  });
}

/**
 * Verifies a Fabric receipt, or a revision (its receipt plus the written value), against the
 * blocks in `evidence` and a trust anchor the verifier chose. Pure: no I/O, no Node built-ins,
 * no clock, so it runs in a browser; malformed input of any kind is a failed named check,
 * never an exception.
 *
 * Anchors:
 * - none: the MSP roots of the config block as served with the evidence
 *   (`anchor.explicit: false`: the result trusts the peer that served it);
 * - `{ type: 'fabric-config-block', hash }`: the served config block's header hash must be the
 *   pinned one (`anchor-config-block`); its MSP roots are then the verifier's, and the orderer's
 *   signature on the transaction's block, naming that config block as its last config, ties the
 *   block to it;
 * - `{ type: 'fabric-msp-roots', roots }`: every endorser, the submitter and the orderer must
 *   chain to these roots (by MSP id), whatever roots the served config lists (`anchor-msp-roots`).
 *
 * Checks: `receipt-format`, `anchor-type`, `evidence-format`, then those of the transaction
 * (`block-decodes`, `block-located`, `block-data-hash`, `block-hash-chain`, `channel-config`,
 * `channel`, `orderer-signature`, `tx-id`, `creator-signature`, `proposal`,
 * `endorsement:<MSP id>`, `validation-code`, `commit-hash`, `peer-agreement`, `timestamp`), the
 * anchor's check, and for a revision `revision-value`.
 *
 * @param subject - a Fabric receipt or a revision carrying one
 * @param evidence - {@link FabricEvidence} (plain JSON, e.g. from a verification bundle)
 * @param anchor - what to trust; default the served config block
 * @returns every check made, and the anchor the verdict rests on
 * @example
 * ```ts
 * const bundle = await ledger.evidence(receipt);
 * const result = await verifyFabricReceipt(bundle.subject, bundle.evidence, { type: 'fabric-config-block', hash: pinned });
 * ```
 */
export async function verifyFabricReceipt(
  subject: Receipt | Revision,
  evidence: FabricEvidence | Record<string, unknown>,
  anchor?: TrustAnchor,
): Promise<Verification> {
  return verifyFabricReceiptSync(subject, evidence, anchor);
}

/** {@link verifyFabricReceipt}, synchronously. */
export function verifyFabricReceiptSync(
  subject: Receipt | Revision,
  evidence: unknown,
  anchor?: TrustAnchor,
): Verification {
  const isRevision = typeof subject === 'object' && subject !== null && 'receipt' in subject;
  if (isRevision) {
    const problem = revisionProblem(subject as unknown as Record<string, unknown>);
    if (problem) return verification([failed('revision-format', problem)]);
  }
  const receipt = (isRevision ? (subject as Revision).receipt : subject) as Receipt;
  const receiptProblem = fabricReceiptProblem(receipt);
  if (receiptProblem) {
    return verification([
      failed('receipt-format', `not a Fabric receipt: ${receiptProblem.field}: ${receiptProblem.reason}`),
    ]);
  }
  if (anchor !== undefined && (typeof anchor !== 'object' || anchor === null || !anchorTypes.has(anchor.type))) {
    const type = typeof anchor === 'object' && anchor !== null ? String(anchor.type) : typeof anchor;
    return verification([
      failed(
        'anchor-type',
        `a ${type} anchor cannot anchor a Fabric receipt; use fabric-config-block or fabric-msp-roots`,
      ),
    ]);
  }
  const decoded = decodeEvidence(evidence);
  if ('problem' in decoded) return verification([failed('evidence-format', decoded.problem)]);
  const input: FabricTransactionInput = { ...decoded.input, txId: receipt.txId, receipt };

  const anchorChecks: VerificationCheck[] = [];
  let roots: Map<string, Certificate[]> | undefined;
  let anchorDetail: VerificationAnchor;
  if (anchor?.type === 'fabric-msp-roots') {
    try {
      roots = parseRoots(anchor.roots);
      const named = [...roots].map(([mspId, list]) => `${mspId} (${list.length})`).join(', ');
      anchorChecks.push({
        name: 'anchor-msp-roots',
        ok: true,
        detail: `endorsers, submitter and orderer checked against the verifier's roots of ${named}`,
      });
      anchorDetail = { type: anchor.type, explicit: true, detail: `MSP root certificates of ${named}` };
    } catch (error) {
      return verification([failed('anchor-msp-roots', (error as Error).message)]);
    }
  } else if (anchor?.type === 'fabric-config-block') {
    const pinned = typeof anchor.hash === 'string' ? anchor.hash.toLowerCase().replace(/^0x/, '') : '';
    anchorChecks.push(
      check('anchor-config-block', () => {
        if (!/^[0-9a-f]{64}$/.test(pinned)) return [false, 'the anchor hash is not 32 bytes of hex'];
        const served = decodeBlock(input.configBlock);
        const hash = toHex(blockHeaderHash(served));
        return [
          hash === pinned,
          `the served config block ${served.number} has header hash ${hash}; the pinned config block is ${pinned}`,
        ];
      }),
    );
    anchorDetail = { type: anchor.type, explicit: true, detail: `pinned config block hash ${pinned}` };
  } else {
    let about = 'the config block served with the evidence';
    try {
      const config = channelConfigOf(input.configBlock);
      about = `config block ${config.blockNumber} of channel ${config.channelId} (hash ${config.blockHash}), as served with the evidence`;
    } catch {
      // channel-config reports the undecodable config block.
    }
    anchorDetail = {
      type: 'fabric-config-block',
      explicit: false,
      detail: `${about}: not pinned, so the verification trusts the peer that served it`,
    };
  }
  const checks = verifyTransactionChecks(input, roots ? { roots } : {});
  checks.push(...anchorChecks);
  if (isRevision) checks.push(revisionValueCheck(subject as Revision, input.block));
  return verification(checks, anchorDetail);
}

/**
 * The header hash of a serialized block, as a `fabric-config-block` anchor pins it: e.g. of the
 * channel's genesis block file from `configtxgen`, or of a config block fetched from a peer the
 * auditor trusts.
 *
 * @param block - a serialized `common.Block`
 * @returns SHA-256 of the DER of its header, lowercase hex
 * @throws Error when the bytes are not a block
 * @example
 * ```ts
 * const anchor = { type: 'fabric-config-block', hash: fabricBlockHash(await readFile('mychannel.block')) };
 * ```
 */
export function fabricBlockHash(block: Uint8Array): string {
  return toHex(blockHeaderHash(decodeBlock(block)));
}
