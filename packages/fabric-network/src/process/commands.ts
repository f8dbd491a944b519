// Running Fabric's CLIs as an organization's admin, retrying the failures a busy machine causes briefly.
import { retry } from '@ledgerkit/core';
import type { FabricNetworkError } from '../errors.js';
import { runCommand } from '../internal/exec.js';
import type { OrgSpec, PeerSpec } from '../internal/topology.js';
import type { NetworkContext } from '../state/context.js';
import { adminEnv } from './config.js';

// Failures that go away on their own: a listener not up yet, a Raft leader not yet elected.
const transientFailure = /connection refused|no Raft leader|SERVICE_UNAVAILABLE|failed to connect/;

/** The output a failed command's error carries. */
export const commandOutput = (error: unknown): string => String((error as FabricNetworkError).details?.output ?? '');

/** Runs a Fabric CLI step, re-running it for up to 30 s while its output shows a transient failure. */
export function retryTransient<T>(step: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 30_000;
  return retry(step, {
    retries: Number.MAX_SAFE_INTEGER,
    baseDelayMs: 125,
    maxDelayMs: 1_000,
    jitter: 'none',
    shouldRetry: (error) => Date.now() <= deadline && transientFailure.test(commandOutput(error)),
  });
}

/** Runs a `peer` CLI command as the org admin, retrying failures a busy machine causes briefly. */
export function peerCommand(ctx: NetworkContext, org: OrgSpec, peer: PeerSpec, args: string[], purpose: string) {
  return retryTransient(() =>
    runCommand(ctx.binaries.paths.peer, args, { env: adminEnv(ctx, org, peer), purpose, timeoutMs: 120_000 }),
  );
}
