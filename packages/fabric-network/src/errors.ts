import { type ErrorCode, LedgerError } from '@ledgerkit/core';

/**
 * Why a network operation failed, in `error.details.reason` and `error.reason`. Each
 * reason maps to one {@link ErrorCode}; tests and callers check the code and the reason.
 */
export const fabricNetworkReasons = {
  /** No Go toolchain on PATH (Go is needed once, to build the Fabric binaries). */
  GO_MISSING: 'UNSUPPORTED',
  /** The Go toolchain is older than the pinned Fabric release needs. */
  GO_TOO_OLD: 'UNSUPPORTED',
  /** `go get` / `go build` of the Fabric binaries failed. */
  BUILD_FAILED: 'UNAVAILABLE',
  /** A Fabric binary is not in the cache and building was turned off. */
  BINARY_MISSING: 'NOT_FOUND',
  /** A loopback port the network needs is taken by another process. */
  PORT_IN_USE: 'UNAVAILABLE',
  /** A process of the network exited or stopped answering its health check. */
  PROCESS_CRASHED: 'UNAVAILABLE',
  /** A Fabric command (cryptogen, configtxgen, osnadmin, peer) exited with an error. */
  COMMAND_FAILED: 'UNAVAILABLE',
  /** A process did not become healthy in time. */
  START_TIMEOUT: 'TIMEOUT',
  /** Another process changes the network (its `network.lock` stayed held past the wait). */
  NETWORK_BUSY: 'UNAVAILABLE',
  /** The directory holds no network, or a different one than asked for. */
  NETWORK_MISMATCH: 'INVALID_ARGUMENT',
  /** An option (org name, count, channel name, policy, chaincode path) is malformed. */
  BAD_OPTION: 'INVALID_ARGUMENT',
  /** The chaincode project's package.json `main` file does not exist: it was not built. */
  CHAINCODE_NOT_BUILT: 'NOT_FOUND',
  /** No C compiler for CGO: fabric-ca-server needs one (sqlite) to be built. */
  C_COMPILER_MISSING: 'UNSUPPORTED',
  /** A CA admin name or password breaks the rules (name 1-16 alphanumerics, password 8-32 with upper, lower, digit). */
  BAD_CREDENTIALS: 'INVALID_ARGUMENT',
  /** The certificate authority refused the registrar's or an identity's credentials. */
  CA_AUTHENTICATION_FAILED: 'UNAUTHENTICATED',
  /** The identity is already registered with the organization's certificate authority. */
  IDENTITY_EXISTS: 'ALREADY_EXISTS',
  /** The identity is not registered with (or not enrolled from) the organization's certificate authority. */
  IDENTITY_NOT_FOUND: 'NOT_FOUND',
  /** The identity's certificate was revoked: it cannot enroll or reenroll again. */
  IDENTITY_REVOKED: 'PERMISSION_DENIED',
  /** The organization has no certificate authority (create one with addOrganization or certificateAuthority). */
  CA_MISSING: 'NOT_FOUND',
  /** The organization (or peer) exists already. */
  ALREADY_EXISTS: 'ALREADY_EXISTS',
  /** The certificate authority answered with an error not covered by a more specific reason. */
  CA_REQUEST_FAILED: 'UNAVAILABLE',
} as const satisfies Record<string, ErrorCode>;

/** A key of {@link fabricNetworkReasons}. */
export type FabricNetworkReason = keyof typeof fabricNetworkReasons;

/**
 * The error `@ledgerkit/fabric-network` throws. Its message says what to do; `details`
 * names the component, port, command or log tail involved.
 *
 * @example
 * ```ts
 * try { await FabricNetwork.up({ dir }) }
 * catch (error) {
 *   if (isLedgerError(error) && error.details.reason === 'PORT_IN_USE') console.error(error.details.port)
 * }
 * ```
 */
export class FabricNetworkError extends LedgerError {
  /** Why it failed; also in `details.reason`. */
  readonly reason: FabricNetworkReason;

  /**
   * @param reason - a key of {@link fabricNetworkReasons}
   * @param shortMessage - what went wrong and what to do about it
   * @param details - structured facts (component, port, log tail)
   * @param cause - the lower-level error
   */
  constructor(
    reason: FabricNetworkReason,
    shortMessage: string,
    details: Readonly<Record<string, unknown>> = {},
    cause?: unknown,
  ) {
    super(fabricNetworkReasons[reason], shortMessage, { details: { reason, ...details }, cause });
    this.name = 'FabricNetworkError';
    this.reason = reason;
  }
}
