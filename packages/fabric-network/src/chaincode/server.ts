// The chaincode server each deployed chaincode runs as (fabric-shim's `server`), on a loopback port the peers dial.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { FabricNetworkError } from '../errors.js';
import { renewReservations, waitForPortFree } from '../internal/ports.js';
import { forgetPid, readPid, startProcess, stopProcess } from '../internal/processes.js';
import { type ChaincodeRecord, networkPaths } from '../internal/topology.js';
import { networkMarker } from '../process/config.js';
import { checkPortsFree, isOurs } from '../process/supervise.js';
import { accepts, waitHealthy } from '../readiness/waits.js';
import type { NetworkContext } from '../state/context.js';

/** Starts a chaincode's server unless it runs, then waits until its port accepts connections. */
export async function ensureChaincodeServer(
  ctx: NetworkContext,
  chaincode: ChaincodeRecord,
  timeoutMs: number,
): Promise<void> {
  const id = chaincodeComponent(chaincode.name);
  const paths = networkPaths(ctx.dir);
  const existing = await readPid(paths.pid(id));
  if (existing !== undefined && (await isOurs(ctx, existing)) && (await accepts(chaincode.port))) return;
  if (existing === undefined || !(await isOurs(ctx, existing))) {
    await renewReservations([chaincode.port]);
    await checkPortsFree(id, { listen: chaincode.port });
    await startProcess({
      command: process.execPath,
      args: [
        resolveShimCli(chaincode.path),
        'server',
        '--chaincode-address',
        `127.0.0.1:${chaincode.port}`,
        '--chaincode-id',
        chaincode.packageId,
        '--module-path',
        chaincode.path,
      ],
      env: { ...process.env, [networkMarker]: ctx.dir, CORE_CHAINCODE_LOGGING_LEVEL: 'info' },
      cwd: chaincode.path,
      logFile: paths.log(id),
      pidFile: paths.pid(id),
    });
  }
  await waitHealthy(ctx, id, () => accepts(chaincode.port), timeoutMs);
}

/** Stops a chaincode's server and waits until its port is released. */
export async function stopChaincodeServer(ctx: NetworkContext, chaincode: ChaincodeRecord): Promise<void> {
  const id = chaincodeComponent(chaincode.name);
  const paths = networkPaths(ctx.dir);
  const pid = await readPid(paths.pid(id));
  if (pid !== undefined && (await isOurs(ctx, pid))) await stopProcess(pid);
  await forgetPid(paths.pid(id));
  // Redeploying starts the next server on the same port at once: wait until the kernel
  // released it (the process's last thread gone), or checkPortsFree would see it taken.
  await waitForPortFree(chaincode.port, 10_000);
}

/** fabric-shim's CLI as the chaincode project resolves it (BAD_OPTION when it is not installed there). */
export function resolveShimCli(chaincodePath: string): string {
  try {
    return createRequire(join(chaincodePath, 'package.json')).resolve('fabric-shim/cli.js');
  } catch (error) {
    throw new FabricNetworkError(
      'BAD_OPTION',
      `fabric-shim is not resolvable from ${chaincodePath}: the chaincode project needs fabric-contract-api / fabric-shim installed (npm install)`,
      { option: 'path', value: chaincodePath },
      error,
    );
  }
}

/** A chaincode server's component id. */
export function chaincodeComponent(name: string): string {
  return `chaincode-${name}`;
}
