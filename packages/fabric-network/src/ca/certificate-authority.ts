import { randomBytes } from 'node:crypto';
import { cp, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FabricNetworkError } from '../errors.js';
import { runCommand } from '../internal/exec.js';
import { type CertificateInfo, certificateInfo, crlSerialNumbers } from './certificates.js';

/** A member's certificate authority as the network directory records it (`network.json`). */
export interface CaRecord {
  /** Component id, `ca.<org>`. */
  id: string;
  /** The CA name fabric-ca-server serves (`--ca.name`). */
  caName: string;
  ports: { listen: number; operations: number };
  /** The bootstrap admin's enrollment id (its password is never stored). */
  adminName: string;
  /** `generated`: fabric-ca-server made its own root; `cryptogen`: it signs with the cryptogen CA's key. */
  root: 'generated' | 'cryptogen';
}

/** NodeOU role of an identity (Fabric CA's identity type). */
export type IdentityType = 'client' | 'admin' | 'peer';

/** Options of {@link CertificateAuthority.register}. */
export interface RegisterOptions {
  /** Enrollment id: 1-64 letters, digits, `.`, `_`, `-`. */
  name: string;
  /** Enrollment secret; default a random one (returned). */
  secret?: string;
  /** NodeOU role (default `client`). */
  type?: IdentityType;
  /**
   * Attributes put in every enrollment certificate (`name=value:ecert`), read by chaincode
   * with `ctx.clientIdentity.getAttributeValue(name)`. Names starting with `hf.` are Fabric
   * CA's own (e.g. `hf.Registrar.Roles`: `client,peer`, `hf.Revoker`: `true`) and stay out of
   * the certificate.
   */
  attributes?: Readonly<Record<string, string>>;
  /** How many times the secret may be used to enroll (default -1: unlimited). */
  maxEnrollments?: number;
}

/** An identity enrolled from a certificate authority: its MSP folder and certificate. */
export interface EnrolledIdentity extends CertificateInfo {
  mspId: string;
  name: string;
  /** MSP folder: `signcerts/cert.pem`, `keystore/priv_sk`, `cacerts/ca.pem`, `config.yaml`. */
  mspDir: string;
  certificatePath: string;
  privateKeyPath: string;
}

/** Where one member's CA keeps its server, its registrar and its enrolled identities. */
export function caPaths(dir: string, orgName: string) {
  const base = join(dir, 'ca', orgName.toLowerCase());
  return {
    base,
    server: join(base, 'server'),
    /** The CA's root certificate, the trust anchor of the org's MSP and TLS. */
    rootCert: join(base, 'server', 'ca-cert.pem'),
    /** fabric-ca-client's home (its config file). */
    client: join(base, 'client'),
    registrar: join(base, 'registrar', 'msp'),
    identity: (name: string) => join(dir, 'organizations', orgName, 'identities', name, 'msp'),
    crl: join(base, 'crl.pem'),
  };
}

/** The NodeOU `config.yaml` of an MSP whose CA certificate is `cacerts/ca.pem`. */
export function nodeOuConfig(): string {
  const ou = (name: string) =>
    `  ${name}OUIdentifier:\n    Certificate: cacerts/ca.pem\n    OrganizationalUnitIdentifier: ${name.toLowerCase()}\n`;
  return `NodeOUs:\n  Enable: true\n${ou('Client')}${ou('Peer')}${ou('Admin')}${ou('Orderer')}`;
}

const namePattern = /^[A-Za-z0-9._-]{1,64}$/;
const attributeNamePattern = /^[A-Za-z][A-Za-z0-9._-]{0,63}$/;
const caError = /Error Code: (\d+) - (.*)/;

/**
 * One organization's Fabric CA, reached through `fabric-ca-client` as the CA's bootstrap
 * admin (the registrar). Get it from `FabricNetwork.certificateAuthority(org)`.
 */
export class CertificateAuthority {
  readonly #dir: string;
  readonly #orgName: string;
  readonly #client: string;
  readonly #record: CaRecord;
  /** MSP id of the organization this CA issues identities for. */
  readonly mspId: string;

  /** @internal Built by FabricNetwork, which runs the server. */
  constructor(options: { dir: string; orgName: string; mspId: string; client: string; record: CaRecord }) {
    this.#dir = options.dir;
    this.#orgName = options.orgName;
    this.mspId = options.mspId;
    this.#client = options.client;
    this.#record = options.record;
  }

  /** `https://127.0.0.1:<port>`, the CA's API. */
  get url(): string {
    return `https://127.0.0.1:${this.#record.ports.listen}`;
  }

  /** The CA's root certificate (PEM file): the org MSP's `cacerts` and the peers' TLS root. */
  get rootCertificatePath(): string {
    return caPaths(this.#dir, this.#orgName).rootCert;
  }

  /** The CA server's operations endpoint (`/healthz`). */
  get healthUrl(): string {
    return `http://127.0.0.1:${this.#record.ports.operations}/healthz`;
  }

  /**
   * Registers an identity with the CA.
   *
   * @param options - name, secret, NodeOU type, attributes
   * @returns the name and the enrollment secret
   * @throws FabricNetworkError BAD_OPTION (name, attribute), IDENTITY_EXISTS, CA_REQUEST_FAILED
   * @example
   * ```ts
   * const { secret } = await ca.register({ name: 'alice', attributes: { role: 'auditor' } });
   * const alice = await ca.enroll({ name: 'alice', secret });
   * ```
   */
  async register(options: RegisterOptions): Promise<{ name: string; secret: string }> {
    const { name, type = 'client', attributes = {}, maxEnrollments = -1 } = options;
    checkName(name);
    if (!['client', 'admin', 'peer'].includes(type)) {
      throw new FabricNetworkError('BAD_OPTION', `invalid identity type '${String(type)}': use client, admin or peer`, {
        option: 'type',
        value: type,
      });
    }
    if (!Number.isInteger(maxEnrollments) || maxEnrollments < -1 || maxEnrollments === 0) {
      throw new FabricNetworkError('BAD_OPTION', `maxEnrollments must be -1 (unlimited) or a positive integer`, {
        option: 'maxEnrollments',
        value: maxEnrollments,
      });
    }
    const attrs = Object.entries(attributes).map(([key, value]) => {
      if (!attributeNamePattern.test(key) || typeof value !== 'string' || /["\n\r]/.test(value)) {
        throw new FabricNetworkError(
          'BAD_OPTION',
          `invalid attribute '${key}': names are letters, digits, '.', '_', '-' starting with a letter; values are strings without quotes or line breaks`,
          { option: 'attributes', value: key },
        );
      }
      return key.startsWith('hf.') ? `${key}=${value}` : `${key}=${value}:ecert`;
    });
    const secret = options.secret ?? `${randomBytes(12).toString('hex')}Aa1`;
    if (!/^[^\s@/:?#%"'\\]{1,64}$/.test(secret)) {
      throw new FabricNetworkError(
        'BAD_OPTION',
        'the secret must be 1-64 characters without spaces or @ / : ? # % quotes',
        {
          option: 'secret',
        },
      );
    }
    const args = [
      'register',
      '--id.name',
      name,
      '--id.secret',
      secret,
      '--id.type',
      type,
      '--id.maxenrollments',
      String(maxEnrollments),
    ];
    // fabric-ca-client reads --id.attrs as CSV: each attribute quoted, so commas in values
    // (hf.Registrar.Roles=client,peer) stay inside their attribute.
    if (attrs.length > 0) args.push('--id.attrs', attrs.map((attr) => `"${attr}"`).join(','));
    await this.#asRegistrar(args, `registering '${name}'`, name);
    return { name, secret };
  }

  /**
   * Enrolls an identity: a new key and a certificate with its NodeOU and `ecert` attributes,
   * written as an MSP folder under the network directory
   * (`organizations/<Org>/identities/<name>/msp`); enrolling again replaces it.
   *
   * @param options - the enrollment id and secret
   * @returns the MSP folder and what the certificate says (serial, expiry)
   * @throws FabricNetworkError IDENTITY_NOT_FOUND, CA_AUTHENTICATION_FAILED (wrong secret, revoked,
   *   or no enrollments left), CA_REQUEST_FAILED
   */
  async enroll(options: { name: string; secret: string }): Promise<EnrolledIdentity> {
    checkName(options.name);
    const mspDir = caPaths(this.#dir, this.#orgName).identity(options.name);
    await this.enrollInto({ ...options, mspDir });
    return this.#describe(options.name, mspDir);
  }

  /**
   * Enrolls into a given folder; `tls` asks for the CA's `tls` profile (server and client
   * auth, SANs from `hosts`). Used for the peers' MSP and TLS material.
   *
   * @internal
   */
  async enrollInto(options: {
    name: string;
    secret: string;
    mspDir: string;
    tls?: { hosts: readonly string[] };
    /** The CA's bootstrap admin: a refusal means a wrong password (there is no registrar to ask). */
    registrar?: boolean;
  }): Promise<void> {
    const { name, secret, mspDir } = options;
    const staging = `${mspDir}.enroll-${randomBytes(4).toString('hex')}`;
    const url = `https://${encodeURIComponent(name)}:${encodeURIComponent(secret)}@127.0.0.1:${this.#record.ports.listen}`;
    const args = ['enroll', '--mspdir', staging, '--caname', this.#record.caName];
    if (options.tls) args.push('--enrollment.profile', 'tls', '--csr.hosts', options.tls.hosts.join(','));
    args.push('--csr.cn', name);
    try {
      // The URL carries the secret: given by environment, not on the command line every user can read in /proc.
      await this.#client_(args, `enrolling '${name}'`, { FABRIC_CA_CLIENT_URL: url }).catch(async (error: unknown) => {
        throw await this.#explainAuthenticationFailure(error, name, options.registrar === true);
      });
      await normalizeMsp(staging, await readFile(this.rootCertificatePath, 'utf8'));
      await rm(mspDir, { recursive: true, force: true });
      await mkdir(join(mspDir, '..'), { recursive: true });
      await rename(staging, mspDir);
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  /**
   * Renews an enrolled identity's certificate (new key, new expiry) with its current
   * certificate as the credential, in place in its MSP folder.
   *
   * @param name - an identity enrolled through {@link CertificateAuthority.enroll}
   * @returns the new certificate's serial and expiry
   * @throws FabricNetworkError IDENTITY_NOT_FOUND (never enrolled here), IDENTITY_REVOKED, CA_REQUEST_FAILED
   */
  async reenroll(name: string): Promise<EnrolledIdentity> {
    checkName(name);
    const mspDir = caPaths(this.#dir, this.#orgName).identity(name);
    const current = await readFile(join(mspDir, 'signcerts', 'cert.pem'), 'utf8').catch(() => undefined);
    if (current === undefined) {
      throw new FabricNetworkError(
        'IDENTITY_NOT_FOUND',
        `'${name}' was not enrolled from ${this.mspId}'s CA; enroll it first`,
        {
          identity: name,
        },
      );
    }
    const staging = `${mspDir}.reenroll-${randomBytes(4).toString('hex')}`;
    await cp(mspDir, staging, { recursive: true });
    try {
      await this.#client_(
        ['reenroll', '-u', this.url, '--mspdir', staging, '--caname', this.#record.caName, '--csr.cn', name],
        `reenrolling '${name}'`,
      ).catch((error: unknown) => {
        if (
          /Authentication failure|has been revoked|revoked/i.test(String((error as FabricNetworkError).details?.output))
        ) {
          throw new FabricNetworkError(
            'IDENTITY_REVOKED',
            `${this.mspId}'s CA refused to renew '${name}': its certificate was revoked (register a new identity)`,
            { identity: name },
            error,
          );
        }
        throw error;
      });
      await normalizeMsp(staging, await readFile(this.rootCertificatePath, 'utf8'));
      await rm(mspDir, { recursive: true, force: true });
      await rename(staging, mspDir);
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
    return this.#describe(name, mspDir);
  }

  /**
   * Revokes every certificate of an identity (it can no longer enroll) and regenerates the
   * CRL. Peers refuse the identity once the CRL is in the channel's MSP of the organization
   * (a channel configuration update).
   *
   * @param name - the enrollment id
   * @param reason - RFC 5280 reason name (default `unspecified`), e.g. `keycompromise`
   * @returns the revoked serial numbers and the new CRL (PEM)
   * @throws FabricNetworkError IDENTITY_NOT_FOUND, CA_REQUEST_FAILED
   */
  async revoke(name: string, reason = 'unspecified'): Promise<{ serialNumbers: string[]; crl: string }> {
    checkName(name);
    if (!/^[a-z]{1,32}$/i.test(reason)) {
      throw new FabricNetworkError('BAD_OPTION', `invalid revocation reason '${reason}'`, {
        option: 'reason',
        value: reason,
      });
    }
    const { stdout, stderr } = await this.#asRegistrar(
      ['revoke', '-e', name, '-r', reason],
      `revoking '${name}'`,
      name,
    );
    const serialNumbers = [...`${stdout}${stderr}`.matchAll(/Serial:([0-9a-f]+)/gi)].map((match) =>
      (match[1] as string).toLowerCase().replace(/^0+(?=.)/, ''),
    );
    return { serialNumbers, crl: await this.generateCrl() };
  }

  /**
   * Generates the CA's certificate revocation list, signed by the CA.
   *
   * @returns the CRL (PEM `X509 CRL`), also stored as `ca/<org>/crl.pem`
   * @throws FabricNetworkError CA_REQUEST_FAILED
   */
  async generateCrl(): Promise<string> {
    await this.#asRegistrar(['gencrl'], 'generating the CRL');
    const paths = caPaths(this.#dir, this.#orgName);
    const crl = await readFile(join(paths.registrar, 'crls', 'crl.pem'), 'utf8');
    crlSerialNumbers(crl);
    await writeFile(paths.crl, crl);
    return crl;
  }

  /**
   * Reads an enrolled identity's certificate: serial number and expiry (`notAfter`).
   *
   * @param name - an identity enrolled through {@link CertificateAuthority.enroll}
   * @returns its MSP folder and certificate facts
   * @throws FabricNetworkError IDENTITY_NOT_FOUND when it was never enrolled here
   */
  async identity(name: string): Promise<EnrolledIdentity> {
    checkName(name);
    return this.#describe(name, caPaths(this.#dir, this.#orgName).identity(name));
  }

  async #describe(name: string, mspDir: string): Promise<EnrolledIdentity> {
    const certificatePath = join(mspDir, 'signcerts', 'cert.pem');
    const pem = await readFile(certificatePath, 'utf8').catch(() => undefined);
    if (pem === undefined) {
      throw new FabricNetworkError('IDENTITY_NOT_FOUND', `'${name}' was not enrolled from ${this.mspId}'s CA`, {
        identity: name,
      });
    }
    return {
      mspId: this.mspId,
      name,
      mspDir,
      certificatePath,
      privateKeyPath: join(mspDir, 'keystore', 'priv_sk'),
      ...certificateInfo(pem),
    };
  }

  async #asRegistrar(args: string[], purpose: string, identity?: string) {
    const full = [
      ...args,
      '-u',
      this.url,
      '--mspdir',
      caPaths(this.#dir, this.#orgName).registrar,
      '--caname',
      this.#record.caName,
    ];
    return this.#client_(full, purpose).catch((error: unknown) => {
      const code = Number(caError.exec(String((error as FabricNetworkError).details?.output))?.[1]);
      if (code === 74) {
        throw new FabricNetworkError('IDENTITY_EXISTS', `'${identity}' is already registered with ${this.mspId}'s CA`, {
          identity,
        });
      }
      if (code === 10 || code === 63) {
        throw new FabricNetworkError('IDENTITY_NOT_FOUND', `'${identity}' is not registered with ${this.mspId}'s CA`, {
          identity,
        });
      }
      throw error;
    });
  }

  /** Enrollment answers "Authentication failure" for a wrong secret and for an unknown name alike: ask the registry which. */
  async #explainAuthenticationFailure(error: unknown, name: string, registrar: boolean): Promise<unknown> {
    const code = Number(caError.exec(String((error as FabricNetworkError).details?.output))?.[1]);
    if (code !== 20) return error;
    const known =
      registrar ||
      (await this.#asRegistrar(['identity', 'list', '--id', name], `looking up '${name}'`, name).then(
        () => true,
        () => false,
      ));
    if (!known) {
      return new FabricNetworkError('IDENTITY_NOT_FOUND', `'${name}' is not registered with ${this.mspId}'s CA`, {
        identity: name,
      });
    }
    return new FabricNetworkError(
      'CA_AUTHENTICATION_FAILED',
      `${this.mspId}'s CA refused to enroll '${name}': wrong secret, revoked, or no enrollments left`,
      { identity: name },
      error,
    );
  }

  async #client_(args: string[], purpose: string, env: Record<string, string> = {}) {
    const paths = caPaths(this.#dir, this.#orgName);
    await mkdir(paths.client, { recursive: true });
    try {
      return await runCommand(this.#client, [...args, '--home', paths.client, '--tls.certfiles', paths.rootCert], {
        purpose: `${purpose} (${this.mspId} CA)`,
        timeoutMs: 60_000,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? this.#dir, ...env },
      });
    } catch (error) {
      if (error instanceof FabricNetworkError && error.reason === 'COMMAND_FAILED') {
        const output = String(error.details.output ?? '');
        const detail = caError.exec(output)?.[2] ?? output.trim().split('\n').pop() ?? '';
        throw new FabricNetworkError(
          'CA_REQUEST_FAILED',
          `${purpose} at ${this.mspId}'s CA failed: ${detail.replace(/https:\/\/[^@\s]*@/g, 'https://')}`,
          // The command line holds enrollment secrets: keep only the output.
          { output: output.replace(/https:\/\/[^@\s]*@/g, 'https://') },
          undefined,
        );
      }
      throw error;
    }
  }
}

function checkName(name: string): void {
  if (typeof name !== 'string' || !namePattern.test(name)) {
    throw new FabricNetworkError(
      'BAD_OPTION',
      `invalid identity name '${String(name)}': use 1-64 letters, digits, '.', '_' and '-'`,
      {
        option: 'name',
        value: name,
      },
    );
  }
}

/**
 * Gives an MSP folder fabric-ca-client wrote stable file names (`signcerts/cert.pem`,
 * `keystore/priv_sk`, `cacerts/ca.pem`) and the NodeOU config.yaml; a reenroll leaves the
 * old key next to the new one, so only the newest key stays.
 */
export async function normalizeMsp(mspDir: string, rootPem: string): Promise<void> {
  const keystore = join(mspDir, 'keystore');
  const keys = (await readdir(keystore)).filter((file) => file.endsWith('_sk'));
  const fresh = keys.filter((file) => file !== 'priv_sk');
  const newest = fresh.length > 0 ? fresh : keys;
  if (newest.length !== 1) {
    throw new FabricNetworkError('CA_REQUEST_FAILED', `expected one new key in ${keystore}, found ${newest.length}`, {
      keystore,
    });
  }
  const keyText = await readFile(join(keystore, newest[0] as string));
  await rm(keystore, { recursive: true, force: true });
  await mkdir(keystore, { recursive: true });
  await writeFile(join(keystore, 'priv_sk'), keyText, { mode: 0o600 });
  for (const folder of ['cacerts', 'tlscacerts']) {
    await rm(join(mspDir, folder), { recursive: true, force: true });
    await mkdir(join(mspDir, folder), { recursive: true });
    await writeFile(join(mspDir, folder, 'ca.pem'), rootPem);
  }
  await rm(join(mspDir, 'IssuerPublicKey'), { force: true });
  await rm(join(mspDir, 'IssuerRevocationPublicKey'), { force: true });
  await rm(join(mspDir, 'user'), { recursive: true, force: true });
  await writeFile(join(mspDir, 'config.yaml'), nodeOuConfig());
}
