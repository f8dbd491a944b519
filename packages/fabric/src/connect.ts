import * as grpc from '@grpc/grpc-js';
import { connect, hash, signers } from '@hyperledger/fabric-gateway';
import type { ConnectFabricOptions } from './connect-options.js';
import type { FabricLedger } from './fabric-ledger.js';
import { FabricLedgerImpl } from './internal/fabric-ledger-impl.js';
import { resolveConnection } from './internal/options.js';

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
