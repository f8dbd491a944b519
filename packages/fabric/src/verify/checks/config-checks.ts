// The checks that tie a block to its channel's configuration: the config block it names as its
// last config (the MSP roots), the channel, and the orderer's signature on the block.
import { check, type Receipt, type VerificationCheck } from '@ledgerkit/core';
import { blockDataHash, blockHeaderBytes } from '../block-hash.js';
import { concatBytes, equalBytes } from '../bytes.js';
import { type ChannelConfig, channelConfigOf, checkSigner, withAnchorRoots } from '../channel-config.js';
import {
  type DecodedBlock,
  type DecodedEnvelope,
  decodeBlock,
  decodeBlockSignatures,
  decodeEnvelope,
  timestampToDate,
} from '../decode.js';
import type { TransactionTrust } from '../transaction-input.js';
import type { BlockEnvelopes } from './block-checks.js';
import { errorMessage, shortHex } from './check-text.js';

/** Checks of the config block itself, once per parsed config. */
const configIntegrity = new WeakMap<ChannelConfig, string | undefined>();

function configProblem(config: ChannelConfig, bytes: Uint8Array): string | undefined {
  if (configIntegrity.has(config)) return configIntegrity.get(config);
  let problem: string | undefined;
  try {
    const block = decodeBlock(bytes);
    if (!equalBytes(blockDataHash(block.data), block.dataHash))
      problem = 'its data does not hash to its header data hash';
    // Config blocks after the genesis block are signed by the orderer; check the signature
    // against the orderer organizations the block itself configures.
    else if (block.number > 0) {
      const at = timestampToDate(decodeEnvelope(block.data[0] ?? new Uint8Array()).timestamp);
      const signed = ordererSignatureCheck(block, config, at);
      if (!signed.ok) problem = `its orderer signature does not verify: ${signed.detail}`;
    }
  } catch (error) {
    problem = errorMessage(error);
  }
  configIntegrity.set(config, problem);
  return problem;
}

/**
 * The `channel-config` check: the config block is intact and is the one the block names as its
 * last config.
 *
 * @param block - the decoded block
 * @param configBlock - the serialized config block
 * @param trust - roots that replace the config block's
 * @returns the check, and the channel configuration when it parsed
 */
export function channelConfigCheck(
  block: DecodedBlock,
  configBlock: Uint8Array,
  trust: TransactionTrust,
): { check: VerificationCheck; config: ChannelConfig | undefined } {
  let config: ChannelConfig | undefined;
  const made = check('channel-config', () => {
    const lastConfig = decodeBlockSignatures(block).lastConfig;
    const served = channelConfigOf(configBlock);
    config = trust.roots ? withAnchorRoots(served, trust.roots) : served;
    const problem = configProblem(config, configBlock);
    const organizations = [...config.msps.values()]
      .map((entry) => (entry.orderer ? `${entry.mspId} (orderer)` : entry.mspId))
      .join(', ');
    const about = `config block ${config.blockNumber} (hash ${config.blockHash}) of channel ${config.channelId}, organizations ${organizations}; block ${block.number} names last config ${String(lastConfig)}`;
    if (problem) return [false, `${about}; the config block is not intact: ${problem}`];
    return [lastConfig === config.blockNumber && lastConfig <= block.number, about];
  });
  return { check: made, config };
}

/**
 * The `channel` check: the block is on the config's channel, and the receipt's.
 *
 * @param block - the decoded block
 * @param envelopes - its envelopes
 * @param transaction - the transaction's envelope, when located
 * @param config - the channel configuration, when it parsed
 * @param receipt - the receipt, if any
 * @returns the check
 */
export function channelCheck(
  block: DecodedBlock,
  envelopes: BlockEnvelopes,
  transaction: DecodedEnvelope | undefined,
  config: ChannelConfig | undefined,
  receipt: Receipt | undefined,
): VerificationCheck {
  return check('channel', () => {
    // The channel is the block's: every envelope of a block names the same one.
    const anyEnvelope = envelopes.find((entry): entry is DecodedEnvelope => !(entry instanceof Error));
    const blockChannel = transaction?.channelId ?? anyEnvelope?.channelId ?? '(no envelope decodes)';
    const ok =
      config !== undefined && blockChannel === config.channelId && (!receipt || receipt.ledger === blockChannel);
    return [
      ok,
      `block ${block.number} is on channel ${blockChannel}; config of channel ${config?.channelId ?? '(unparsed)'}${receipt ? `; receipt names ${receipt.ledger}` : ''}`,
    ];
  });
}

/**
 * The time certificates are checked at for the orderer's signature: the transaction's, else
 * the block's first decodable envelope's.
 *
 * @param envelopes - the block's envelopes
 * @param transaction - the transaction's envelope, when located
 * @returns the time
 */
export function blockTime(envelopes: BlockEnvelopes, transaction: DecodedEnvelope | undefined): Date {
  const envelope = transaction ?? envelopes.find((entry): entry is DecodedEnvelope => !(entry instanceof Error));
  return envelope ? timestampToDate(envelope.timestamp) : new Date(0);
}

/**
 * The `orderer-signature` check: a node of an orderer organization signed the block header
 * with the orderer metadata.
 *
 * @param block - the decoded block
 * @param config - the channel configuration
 * @param at - the time the orderer's certificate must be valid at
 * @returns the check
 */
export function ordererSignatureCheck(block: DecodedBlock, config: ChannelConfig, at: Date): VerificationCheck {
  return check('orderer-signature', () => {
    const { value, signatures } = decodeBlockSignatures(block);
    if (signatures.length === 0) return [false, `block ${block.number} carries no orderer signature`];
    const headerBytes = blockHeaderBytes(block);
    const outcomes = signatures.map((signature) => {
      if (signature.creator.length === 0) {
        return { ok: false, text: `consenter ${signature.identifier} (BFT identifier header: not supported)` };
      }
      const signed = concatBytes(value, signature.signatureHeader, headerBytes);
      const { identity, problem } = checkSigner(
        config,
        signature.creator,
        signed,
        signature.signature,
        ['orderer'],
        at,
      );
      const ordererOrg = config.msps.get(identity.mspId)?.orderer === true;
      const why = problem ?? (ordererOrg ? undefined : `${identity.mspId} is not an orderer organization`);
      const who = `${identity.mspId || 'unknown MSP'} ${identity.name}`.trim();
      return { ok: why === undefined, text: why ? `${who}: ${why}` : `${who} signed` };
    });
    const ok = outcomes.some((outcome) => outcome.ok);
    return [
      ok,
      `block ${block.number} header (previous ${shortHex(block.previousHash)}, data ${shortHex(block.dataHash)}) and its ` +
        `orderer metadata, against the orderer MSP roots of ${config.rootsFrom}: ` +
        outcomes.map((outcome) => outcome.text).join('; '),
    ];
  });
}
