// The options of connectFabric, in their own module so that the option resolution in
// internal/options.ts reads them without importing connect.ts.
import type { KeyObject } from 'node:crypto';
import type * as grpc from '@grpc/grpc-js';
import type { RetryOptions } from '@ledgerkit/core';
import type { FabricLedger } from './fabric-ledger.js';

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
 * Options of `connectFabric`: a connection profile, explicit endpoint and
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
