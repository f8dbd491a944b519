// Membership: each member's Fabric CA server (created, started, its registrar enrolled, removed).
import { chmod, cp, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureFabricCaBinaries } from '../ca/ca-binaries.js';
import { type CaRecord, CertificateAuthority, caPaths } from '../ca/certificate-authority.js';
import { type CaAdminCredentials, checkAdminCredentials } from '../ca/credentials.js';
import { FabricNetworkError } from '../errors.js';
import { runCommand } from '../internal/exec.js';
import { removePath } from '../internal/files.js';
import { freePorts } from '../internal/ports.js';
import { forgetPid, readPid, stopProcess } from '../internal/processes.js';
import { networkPaths, type OrgSpec } from '../internal/topology.js';
import { caServerArgs, processEnv } from '../process/config.js';
import { ensureCaRunning, isOurs } from '../process/supervise.js';
import { findOrg, home, type NetworkContext, save, usedPorts } from '../state/context.js';

/** An organization's Fabric CA, started or created (what {@link FabricNetwork.certificateAuthority} does). */
export async function certificateAuthority(
  ctx: NetworkContext,
  org: string,
  options: { admin?: CaAdminCredentials },
): Promise<CertificateAuthority> {
  const spec = findOrg(ctx, org, 'org');
  if (options.admin) checkAdminCredentials(options.admin);
  if (!spec.ca) {
    if (!options.admin) {
      throw new FabricNetworkError(
        'CA_MISSING',
        `${spec.name} has no certificate authority yet; pass { admin: { name, password } } to create one`,
        { organization: spec.name },
      );
    }
    const [listen, operations] = (await freePorts(2, { exclude: usedPorts(ctx) })) as [number, number];
    spec.ca = caRecord(spec, { listen, operations }, options.admin.name, 'cryptogen');
    try {
      await createCa(ctx, spec, options.admin);
    } catch (error) {
      await removeCa(ctx, spec);
      throw error;
    }
    await save(ctx);
    return caOf(ctx, spec);
  }
  await ensureCaRunning(ctx, spec, 30_000);
  const ca = await caOf(ctx, spec);
  if (options.admin) await enrollRegistrar(ctx, spec, ca, options.admin);
  return ca;
}

/** The network.json record of an organization's CA. */
export function caRecord(org: OrgSpec, ports: CaRecord['ports'], adminName: string, root: CaRecord['root']): CaRecord {
  return { id: `ca.${org.name.toLowerCase()}`, caName: `ca-${org.name.toLowerCase()}`, ports, adminName, root };
}

/** A client of an organization's Fabric CA. */
export async function caOf(ctx: NetworkContext, org: OrgSpec): Promise<CertificateAuthority> {
  const binaries = await ensureFabricCaBinaries({ home: home(ctx), build: false });
  return new CertificateAuthority({
    dir: ctx.dir,
    orgName: org.name,
    mspId: org.mspId,
    client: binaries.paths['fabric-ca-client'],
    record: org.ca as CaRecord,
  });
}

/** Initializes the CA server's home (bootstrap admin, root), starts it and enrolls its admin as registrar. */
export async function createCa(
  ctx: NetworkContext,
  org: OrgSpec,
  admin: CaAdminCredentials,
): Promise<CertificateAuthority> {
  const binaries = await ensureFabricCaBinaries({ home: home(ctx) });
  const paths = caPaths(ctx.dir, org.name);
  await rm(paths.base, { recursive: true, force: true });
  await mkdir(paths.server, { recursive: true, mode: 0o700 });
  if (org.ca?.root === 'cryptogen') {
    const caDir = join(networkPaths(ctx.dir).orgDir(org), 'ca');
    await cp(join(caDir, `ca.${org.domain}-cert.pem`), join(paths.server, 'ca-cert.pem'));
    await cp(join(caDir, 'priv_sk'), join(paths.server, 'ca-key.pem'));
  }
  // init writes the bootstrap admin into the server's config and database, so `start` needs
  // no password; init takes it by environment, not on its command line (visible in /proc).
  await runCommand(binaries.paths['fabric-ca-server'], ['init', ...caServerArgs(ctx, org)], {
    purpose: `initializing ${org.name}'s CA`,
    env: processEnv(ctx, { FABRIC_CA_SERVER_BOOT: `${admin.name}:${admin.password}` }),
  }).catch((error: unknown) => {
    throw new FabricNetworkError('COMMAND_FAILED', `initializing ${org.name}'s CA failed`, {
      output: String((error as FabricNetworkError).details?.output ?? '').replaceAll(admin.password, '***'),
    });
  });
  await chmod(join(paths.server, 'fabric-ca-server-config.yaml'), 0o600);
  await ensureCaRunning(ctx, org, 30_000);
  const ca = await caOf(ctx, org);
  await enrollRegistrar(ctx, org, ca, admin);
  return ca;
}

/** Enrolls a CA's bootstrap admin as the registrar (CA_AUTHENTICATION_FAILED for a wrong name or password). */
export async function enrollRegistrar(
  ctx: NetworkContext,
  org: OrgSpec,
  ca: CertificateAuthority,
  admin: CaAdminCredentials,
): Promise<void> {
  await ca
    .enrollInto({
      name: admin.name,
      secret: admin.password,
      mspDir: caPaths(ctx.dir, org.name).registrar,
      registrar: true,
    })
    .catch((error: unknown) => {
      if (error instanceof FabricNetworkError && error.reason === 'CA_AUTHENTICATION_FAILED') {
        throw new FabricNetworkError(
          'CA_AUTHENTICATION_FAILED',
          `${org.name}'s CA refused admin '${admin.name}': wrong name or password`,
          { organization: org.name, admin: admin.name },
        );
      }
      throw error;
    });
}

/** Stops an organization's CA server and deletes its home. */
export async function removeCa(ctx: NetworkContext, org: OrgSpec): Promise<void> {
  if (!org.ca) return;
  const paths = networkPaths(ctx.dir);
  const pid = await readPid(paths.pid(org.ca.id));
  if (pid !== undefined && (await isOurs(ctx, pid))) await stopProcess(pid);
  await forgetPid(paths.pid(org.ca.id));
  await removePath(caPaths(ctx.dir, org.name).base);
  delete org.ca;
}
