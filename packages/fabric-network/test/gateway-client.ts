// Test helper: a fabric-gateway connection as one organization's user, built only from
// what FabricNetwork.organization() hands out (endpoint, TLS CA, MSP folder).

import { createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as grpc from '@grpc/grpc-js';
import { connect, type Gateway, hash, signers } from '@hyperledger/fabric-gateway';
import type { IdentityFiles, OrganizationAccess } from '../src/index.js';

/** Connects to `org`'s gateway peer as `identity` (default: the organization's cryptogen user). */
export async function gatewayFor(
  org: OrganizationAccess,
  identity: IdentityFiles = org.user,
): Promise<{ gateway: Gateway; close: () => void }> {
  // The peers' TLS certificates name localhost too; a host name keeps Node from warning
  // about an IP address as TLS server name.
  const client = new grpc.Client(org.peerEndpoint, grpc.credentials.createSsl(await readFile(org.tlsRootCertPath)), {
    'grpc.ssl_target_name_override': 'localhost',
  });
  const gateway = connect({
    client,
    identity: { mspId: org.mspId, credentials: await readFile(identity.certificatePath) },
    signer: signers.newPrivateKeySigner(createPrivateKey(await readFile(identity.privateKeyPath))),
    hash: hash.sha256,
    evaluateOptions: () => ({ deadline: Date.now() + 10_000 }),
    endorseOptions: () => ({ deadline: Date.now() + 20_000 }),
    submitOptions: () => ({ deadline: Date.now() + 10_000 }),
    commitStatusOptions: () => ({ deadline: Date.now() + 60_000 }),
  });
  return {
    gateway,
    close: () => {
      gateway.close();
      client.close();
    },
  };
}

/**
 * Retries a gateway call while discovery has not yet learned, through gossip, which
 * peers run a just-deployed or just-restarted chaincode (gRPC FAILED_PRECONDITION = 9).
 */
export async function whenDiscovered<T>(call: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if ((error as { code?: number }).code !== 9 || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
