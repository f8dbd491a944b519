// Fabric's `peer.TxValidationCode` names, spelled out so the browser-safe verifier needs no
// generated protobuf code.
const names = [
  'VALID',
  'NIL_ENVELOPE',
  'BAD_PAYLOAD',
  'BAD_COMMON_HEADER',
  'BAD_CREATOR_SIGNATURE',
  'INVALID_ENDORSER_TRANSACTION',
  'INVALID_CONFIG_TRANSACTION',
  'UNSUPPORTED_TX_PAYLOAD',
  'BAD_PROPOSAL_TXID',
  'DUPLICATE_TXID',
  'ENDORSEMENT_POLICY_FAILURE',
  'MVCC_READ_CONFLICT',
  'PHANTOM_READ_CONFLICT',
  'UNKNOWN_TX_TYPE',
  'TARGET_CHAIN_NOT_FOUND',
  'MARSHAL_TX_ERROR',
  'NIL_TXACTION',
  'EXPIRED_CHAINCODE',
  'CHAINCODE_VERSION_CONFLICT',
  'BAD_HEADER_EXTENSION',
  'BAD_CHANNEL_HEADER',
  'BAD_RESPONSE_PAYLOAD',
  'BAD_RWSET',
  'ILLEGAL_WRITESET',
  'INVALID_WRITESET',
  'INVALID_CHAINCODE',
];

/**
 * The name of a Fabric transaction validation code.
 *
 * @param code - a `TxValidationCode` number
 * @returns its name, e.g. `MVCC_READ_CONFLICT`, or `UNKNOWN(<code>)`
 */
export function validationCodeName(code: number): string {
  if (code === 254) return 'NOT_VALIDATED';
  if (code === 255) return 'INVALID_OTHER_REASON';
  return names[code] ?? `UNKNOWN(${code})`;
}

/** `TxValidationCode.VALID`. */
export const validCode = 0;
