// Supervision: starting a network's processes unless they run, recognizing them by their
// marker, and the ports they need.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sleep } from '@ledgerkit/core';
import { ensureFabricCaBinaries } from '../ca/ca-binaries.js';
import type { CaRecord } from '../ca/certificate-authority.js';
import { FabricNetworkError } from '../errors.js';
import { portInUse, renewReservations } from '../internal/ports.js';
import { healthy, pidAlive, readPid, startProcess } from '../internal/processes.js';
import { networkPaths, type OrgSpec } from '../internal/topology.js';
import { accepts, waitHealthy } from '../readiness/waits.js';
import { home, type NetworkContext } from '../state/context.js';
import { caServerArgs, networkMarker, ordererEnv, peerEnv, processEnv } from './config.js';

/** Whether a pid is a live process of this network (its environment carries the network marker). */
export async function isOurs(ctx: NetworkContext, pid: number): Promise<boolean> {
  if (!pidAlive(pid)) return false;
  const environ = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => undefined);
  // Without /proc (not Linux) trust the pid file.
  return environ === undefined || environ.split('\0').includes(`${networkMarker}=${ctx.dir}`);
}

/**
 * What the pid file's process is: `ready`; `starting` (ours, alive, not ready yet); or `gone`
 * (none, not ours, or exiting). A process killed a moment ago can still look alive while the
 * kernel tears it down, so one that is not ready is watched briefly: if it exits, it is gone
 * and a new one must start, instead of waiting on the dying one.
 */
async function existingProcess(
  ctx: NetworkContext,
  pid: number | undefined,
  ready: () => Promise<boolean>,
): Promise<'ready' | 'starting' | 'gone'> {
  if (pid === undefined || !(await isOurs(ctx, pid))) return 'gone';
  const settleUntil = Date.now() + 1500;
  for (;;) {
    if (await ready()) return 'ready';
    if (!pidAlive(pid)) return 'gone';
    if (Date.now() >= settleUntil) return 'starting';
    await sleep(100);
  }
}

/** Starts an orderer or peer unless it runs, then waits for its `/healthz`. */
export async function ensureRunning(ctx: NetworkContext, id: string, timeoutMs: number): Promise<void> {
  const spec = ctx.spec;
  const paths = networkPaths(ctx.dir);
  const orderer = spec.orderers.find((candidate) => candidate.id === id);
  const org = spec.orgs.find((candidate) => candidate.peers.some((peer) => peer.id === id));
  const peer = org?.peers.find((candidate) => candidate.id === id);
  const ports = orderer?.ports ?? peer?.ports;
  if (!ports) throw new FabricNetworkError('BAD_OPTION', `no component '${id}'`, { component: id });
  const existing = await readPid(paths.pid(id));
  const found = await existingProcess(ctx, existing, () => healthy(ports.operations));
  if (found === 'ready') return;
  if (found === 'gone') {
    await renewReservations(Object.values(ports));
    await checkPortsFree(id, ports);
    if (orderer) {
      await mkdir(join(paths.data, id), { recursive: true });
      await startProcess({
        command: ctx.binaries.paths.orderer,
        args: [],
        env: ordererEnv(ctx, orderer),
        cwd: ctx.dir,
        logFile: paths.log(id),
        pidFile: paths.pid(id),
      });
    } else if (org && peer) {
      await mkdir(join(paths.data, id), { recursive: true });
      await startProcess({
        command: ctx.binaries.paths.peer,
        args: ['node', 'start'],
        env: peerEnv(ctx, org, peer),
        cwd: ctx.dir,
        logFile: paths.log(id),
        pidFile: paths.pid(id),
      });
    }
  }
  // /healthz answers before the gRPC listener is up; wait for both.
  await waitHealthy(ctx, id, async () => (await healthy(ports.operations)) && (await accepts(ports.listen)), timeoutMs);
}

/** Starts an organization's Fabric CA server unless it runs, then waits for its health and listener. */
export async function ensureCaRunning(ctx: NetworkContext, org: OrgSpec, timeoutMs: number): Promise<void> {
  const ca = org.ca as CaRecord;
  const paths = networkPaths(ctx.dir);
  const ready = async () => (await healthy(ca.ports.operations)) && (await accepts(ca.ports.listen));
  const existing = await readPid(paths.pid(ca.id));
  const found = await existingProcess(ctx, existing, ready);
  if (found === 'ready') return;
  if (found === 'gone') {
    await renewReservations(Object.values(ca.ports));
    await checkPortsFree(ca.id, ca.ports);
    const binaries = await ensureFabricCaBinaries({ home: home(ctx) });
    await mkdir(paths.logs, { recursive: true });
    await mkdir(paths.run, { recursive: true });
    await startProcess({
      command: binaries.paths['fabric-ca-server'],
      args: ['start', ...caServerArgs(ctx, org)],
      env: processEnv(ctx, {}),
      cwd: ctx.dir,
      logFile: paths.log(ca.id),
      pidFile: paths.pid(ca.id),
    });
  }
  await waitHealthy(ctx, ca.id, ready, timeoutMs);
}

/** Refuses to start a component whose port another process holds (PORT_IN_USE). */
export async function checkPortsFree(component: string, ports: Record<string, number>): Promise<void> {
  for (const [role, port] of Object.entries(ports)) {
    if (await portInUse(port)) {
      throw new FabricNetworkError(
        'PORT_IN_USE',
        `port ${port} (${component} ${role}) is in use by another process: stop it (find it with 'ss -ltnp | grep :${port}') or run 'ledgerkit fabric down --purge' and 'up' again to get new ports`,
        { component, port, role },
      );
    }
  }
}
