import type { KeyObject } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { connect, hash, signers } from '@hyperledger/fabric-gateway';
import type { RetryOptions } from '@ledgerkit/core';
import type { FabricLedger } from './fabric-ledger.js';
import { FabricLedgerImpl } from './internal/fabric-ledger-impl.js';
import { resolveConnection } from './internal/options.js';

/** Deadlines of the gateway's gRPC calls, in milliseconds. */
export interface FabricDeadlines {
  /** Evaluating a transaction (default 15 s). */
  evaluateMs: number;
  /** Endorsing a proposal, which runs the chaincode on every endorsing peer (default 30 s). */
  endorseMs: number;
  /** Handing the endorsed transaction to the orderer (default 15 s). */
  submitMs: number;
  /** Waiting for the commit status, i.e. until the block is committed (default 60 s). */
  commitStatusMs: number;
}

/** An identity's files: an MSP folder (`signcerts/`, `keystore/`) or the two files. */
export interface FabricIdentityFiles {
  /** MSP folder; its first file in `signcerts/` and `keystore/` are used unless the paths below are given. */
  mspDir?: string;
  /** PEM certificate. */
  certificatePath?: string;
  /** PEM private key (PKCS#8 or SEC1). */
  privateKeyPath?: string;
  /** MSP id, when the connection profile does not give it. */
  mspId?: string;
}

/**
 * Options of {@link connectFabric}: a connection profile, explicit endpoint and
 * credentials, or a profile with some fields overridden.
 */
export interface ConnectFabricOptions {
  /**
   * Path of an organization's connection profile JSON, e.g. the one `@ledgerkit/fabric-network`
   * writes (`network.organization('Org1').connectionProfilePath`). Its `ledgerkit` section names
   * the gateway peer, the TLS root and the identity files; otherwise the standard
   * `client.organization`, `organizations`, `peers` and `channels` fields are read.
   */
  connectionProfile?: string;
  /** Organization of the profile to act for (default: the profile's `client.organization`). */
  organization?: string;
  /** Who signs: the profile's `'user'` (default) or `'admin'`, or identity files. */
  identity?: 'user' | 'admin' | FabricIdentityFiles;
  /** Gateway peer, `host:port`. */
  endpoint?: string;
  /** TLS root certificate of the gateway peer: PEM text, bytes, or a file path. */
  tlsRootCertificate?: string | Uint8Array;
  /** TLS server name to expect (default: `localhost` for loopback addresses, else the profile's `ssl-target-name-override`). */
  hostnameOverride?: string;
  /** MSP id of the identity, e.g. `Org1MSP`. */
  mspId?: string;
  /** Identity certificate: PEM text, bytes or a file path. */
  certificate?: string | Uint8Array;
  /** Identity private key: PEM text, bytes, a file path or a `KeyObject`. */
  privateKey?: string | Uint8Array | KeyObject;
  /** Channel (default: the profile's channel). */
  channel?: string;
  /** Chaincode the ledger's calls, events and history address by default. */
  chaincode: string;
  /** Per-operation gRPC deadlines; each default can be overridden alone. */
  deadlines?: Partial<FabricDeadlines>;
  /**
   * Backoff for calls that find the peer unavailable, time out, or find no endorsing
   * peers yet (default: 6 retries from 100 ms up to 2 s). Endorsing and commit-status
   * calls are safe to repeat; a repeated submission of the same signed transaction
   * cannot commit twice.
   */
  retry?: RetryOptions;
  /** Chaincode transaction that {@link FabricLedger.history} evaluates with the key (default `History`). */
  historyTransaction?: string;
  /** Extra gRPC channel options, e.g. keepalive settings. */
  grpcOptions?: grpc.ChannelOptions;
}

/**
 * Connects to a Fabric Gateway peer and returns a {@link FabricLedger} for one channel
 * and chaincode. The connection is lazy: an unreachable peer shows as `UNAVAILABLE` on
 * the first call, after the retries.
 *
 * @param options - connection profile or endpoint and credentials, channel, chaincode, deadlines
 * @returns the ledger; call `close()` when done
 * @throws InvalidArgumentError naming the option that is missing or malformed, and the
 *   file that cannot be read
 * @example
 * ```ts
 * const org1 = network.organization('Org1') // from @ledgerkit/fabric-network
 * const ledger = await connectFabric({ connectionProfile: org1.connectionProfilePath, chaincode: 'assets' })
 * const receipt = await ledger.submit({ method: 'CreateAsset', args: ['pallet-1', 'Acme', 42] })
 * await ledger.close()
 * ```
 */
export async function connectFabric(options: ConnectFabricOptions): Promise<FabricLedger> {
  const settings = await resolveConnection(options);
  const client = new grpc.Client(settings.endpoint, grpc.credentials.createSsl(settings.tlsRootCertificate), {
    ...(settings.hostnameOverride === undefined ? {} : { 'grpc.ssl_target_name_override': settings.hostnameOverride }),
    // gRPC's default reconnect backoff grows to two minutes; a restarted peer should be
    // found again within seconds.
    'grpc.initial_reconnect_backoff_ms': 250,
    'grpc.max_reconnect_backoff_ms': 5_000,
    'grpc.keepalive_time_ms': 60_000,
    ...options.grpcOptions,
  });
  const { deadlines } = settings;
  const gateway = connect({
    client,
    identity: { mspId: settings.mspId, credentials: settings.certificate },
    signer: signers.newPrivateKeySigner(settings.privateKey),
    hash: hash.sha256,
    evaluateOptions: () => ({ deadline: Date.now() + deadlines.evaluateMs }),
    endorseOptions: () => ({ deadline: Date.now() + deadlines.endorseMs }),
    submitOptions: () => ({ deadline: Date.now() + deadlines.submitMs }),
    commitStatusOptions: () => ({ deadline: Date.now() + deadlines.commitStatusMs }),
  });
  return new FabricLedgerImpl({ ...settings, gateway, client });
}
