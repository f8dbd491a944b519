import { AbiCoder, keccak256 } from 'ethers';

/** Role identifiers of SupplyChain: `keccak256` of the role name; the admin role is zero. */
export const supplyChainRoles = {
  admin: '0x0000000000000000000000000000000000000000000000000000000000000000',
  manufacturer: '0xeefb95e842a3287179d933b4460be539a1d5af11aa8b325bb45c5c8dc92de4ed',
  carrier: '0xeb998ffefd22a823ed46d63e27357a1eefa908b6ba6804ac328694f77956b469',
  retailer: '0x2a5f906c256a5d799494fcd066e1f6c077689de1cdb65052a1624de4bace99bf',
  auditor: '0x59a1c48e5837ad7a7f3dcedcbe129bf3249ec4fbf651fd4f5e2600ead39fe2f5',
} as const;

/** Storage slot of the `_assets` mapping (after AccessControl's `_roles` at slot 0). */
const assetsMappingSlot = 1n;

/**
 * The storage slot holding an asset's custodian (low 20 bytes), registration time and
 * checkpoint count, for proving custody with `eth_getProof`.
 *
 * @param assetId - the asset id as 32-byte hex
 * @returns the slot as 32-byte hex
 */
export function custodianSlot(assetId: string): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(['bytes32', 'uint256'], [assetId, assetsMappingSlot]));
}
