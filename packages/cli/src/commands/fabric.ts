import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { InvalidArgumentError } from '@ledgerkit/core';
import { FabricNetwork, type NetworkStatus, type OrganizationAccess } from '@ledgerkit/fabric-network';
import { progressPrinter } from './progress.js';

/** Where `ledgerkit fabric` writes, and whether stdout is a terminal. */
export interface FabricOutput {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTTY?: boolean;
}

export const fabricHelp = `Usage: ledgerkit fabric <up|status|logs|deploy|identity|down> [options]

  up       Create (first time) and start a Fabric network of native processes, or restart
           what is not running. --orgs 2 (a count or names: Acme,Globex) --peers-per-org 1
           --orderers 1|3|5 --channel ledgerkit
  status   Every process with pid, ports, health and channel height, and each organization's
           connection details (gateway endpoint, host alias, TLS CA, MSP folder). --json
  logs     The log of one component: ledgerkit fabric logs peer0.org1 [--lines 100]
  deploy   Deploy a Node.js chaincode as a service: --name --path [--version 1.0]
           [--policy majority|any|all|"AND('Org1MSP.peer','Org2MSP.peer')"]
  identity Issue an identity signed by an organization's CA, with Fabric CA attributes:
           --org Org1 --name alice [--attr role=manufacturer ...] [--role client|admin]
  down     Stop every process; --purge also deletes the network directory.

  Every command takes --dir (default ./.ledgerkit/fabric).
`;

const integer = (flag: string, value: string | undefined, fallback: number): number => {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number)) throw new InvalidArgumentError(flag, `${flag} must be an integer, got '${value}'`);
  return number;
};

/**
 * Runs `ledgerkit fabric <subcommand>`.
 *
 * @param argv - arguments after `fabric`
 * @param output - where to write
 * @returns 0 when everything it was asked for is running (or stopped, for down)
 */
export async function runFabric(argv: readonly string[], output: FabricOutput): Promise<number> {
  const [subcommand, ...rest] = argv;
  const common = { dir: { type: 'string' }, json: { type: 'boolean', default: false } } as const;
  switch (subcommand) {
    case 'up': {
      const { values } = parseArgs({
        args: [...rest],
        options: {
          ...common,
          orgs: { type: 'string' },
          'peers-per-org': { type: 'string' },
          orderers: { type: 'string' },
          channel: { type: 'string' },
        },
        strict: true,
      });
      const progress = progressPrinter(values.json ? () => {} : output.stdout, output.isTTY === true && !values.json);
      const orgs =
        values.orgs === undefined
          ? undefined
          : /^\d+$/.test(values.orgs)
            ? Number(values.orgs)
            : values.orgs.split(',');
      const network = await FabricNetwork.up({
        ...(values.dir === undefined ? {} : { dir: values.dir }),
        ...(orgs === undefined ? {} : { orgs }),
        ...(values['peers-per-org'] === undefined
          ? {}
          : { peersPerOrg: integer('--peers-per-org', values['peers-per-org'], 1) }),
        ...(values.orderers === undefined ? {} : { orderers: integer('--orderers', values.orderers, 1) as 1 }),
        ...(values.channel === undefined ? {} : { channel: values.channel }),
        onProgress: progress.onProgress,
      }).finally(() => progress.finish());
      const status = await network.status();
      const organizations = organizationsOf(network);
      if (values.json) output.stdout(`${JSON.stringify({ ...status, organizations })}\n`);
      else {
        output.stdout(`Fabric network up in ${progress.finish()} — channel '${status.channel}', ${network.dir}\n`);
        output.stdout(renderStatus(status) + renderConnections(status, organizations));
      }
      return status.healthy ? 0 : 1;
    }
    case 'status': {
      const { values } = parseArgs({ args: [...rest], options: common, strict: true });
      const network = await FabricNetwork.open(values.dir);
      const status = await network.status();
      const organizations = organizationsOf(network);
      output.stdout(
        values.json
          ? `${JSON.stringify({ ...status, organizations })}\n`
          : renderStatus(status) + renderConnections(status, organizations),
      );
      return status.healthy ? 0 : 1;
    }
    case 'logs': {
      const { values, positionals } = parseArgs({
        args: [...rest],
        options: { dir: common.dir, lines: { type: 'string' } },
        allowPositionals: true,
        strict: true,
      });
      const network = await FabricNetwork.open(values.dir);
      const component = positionals[0];
      if (!component) {
        throw new InvalidArgumentError('component', `name a component: ${network.components().join(', ')}`);
      }
      output.stdout(`${await network.logs(component, integer('--lines', values.lines, 100))}\n`);
      return 0;
    }
    case 'deploy': {
      const { values } = parseArgs({
        args: [...rest],
        options: {
          ...common,
          name: { type: 'string' },
          path: { type: 'string' },
          version: { type: 'string' },
          policy: { type: 'string' },
        },
        strict: true,
      });
      if (!values.name || !values.path) throw new InvalidArgumentError('name', 'deploy needs --name and --path');
      const progress = progressPrinter(values.json ? () => {} : output.stdout, output.isTTY === true && !values.json);
      progress.onProgress({ type: 'step-start', step: `deploy chaincode '${values.name}'` });
      const started = performance.now();
      const network = await FabricNetwork.open(values.dir);
      try {
        const deployed = await network.deployChaincode({
          name: values.name,
          path: values.path,
          ...(values.version === undefined ? {} : { version: values.version }),
          ...(values.policy === undefined ? {} : { policy: values.policy }),
        });
        progress.onProgress({
          type: 'step-end',
          step: `deploy chaincode '${values.name}'`,
          ok: true,
          ms: performance.now() - started,
        });
        output.stdout(values.json ? `${JSON.stringify(deployed)}\n` : `${JSON.stringify(deployed, null, 2)}\n`);
      } catch (error) {
        progress.onProgress({
          type: 'step-end',
          step: `deploy chaincode '${values.name}'`,
          ok: false,
          ms: performance.now() - started,
        });
        throw error;
      } finally {
        progress.finish();
      }
      return 0;
    }
    case 'identity': {
      const { values } = parseArgs({
        args: [...rest],
        options: {
          ...common,
          org: { type: 'string' },
          name: { type: 'string' },
          attr: { type: 'string', multiple: true },
          role: { type: 'string' },
        },
        strict: true,
      });
      if (!values.org || !values.name) throw new InvalidArgumentError('org', 'identity needs --org and --name');
      const attributes: Record<string, string> = {};
      for (const pair of values.attr ?? []) {
        const separator = pair.indexOf('=');
        if (separator <= 0) {
          throw new InvalidArgumentError('attr', `--attr takes name=value, got '${pair}'`, { value: pair });
        }
        attributes[pair.slice(0, separator)] = pair.slice(separator + 1);
      }
      if (values.role !== undefined && values.role !== 'client' && values.role !== 'admin') {
        throw new InvalidArgumentError('role', `--role must be client or admin, got '${values.role}'`);
      }
      const network = await FabricNetwork.open(values.dir);
      const identity = await network.issueIdentity({
        org: values.org,
        name: values.name,
        attributes,
        ...(values.role === undefined ? {} : { role: values.role }),
      });
      if (values.json) output.stdout(`${JSON.stringify(identity)}\n`);
      else {
        output.stdout(
          `Issued ${identity.role} identity '${identity.name}' of ${identity.mspId} with attributes ${JSON.stringify(identity.attributes)}\n` +
            `  certificate  ${identity.certificatePath}\n  private key  ${identity.privateKeyPath}\n  MSP folder   ${identity.mspDir}\n`,
        );
      }
      return 0;
    }
    case 'down': {
      const { values } = parseArgs({
        args: [...rest],
        options: { ...common, purge: { type: 'boolean', default: false } },
        strict: true,
      });
      const started = performance.now();
      const { stopped } = await (await FabricNetwork.open(values.dir)).down({ purge: values.purge });
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      output.stdout(
        values.json
          ? `${JSON.stringify({ stopped, purged: values.purge, seconds: Number(seconds) })}\n`
          : `Stopped ${stopped.length} processes in ${seconds}s${values.purge ? '; network directory deleted' : ''}\n`,
      );
      return 0;
    }
    case undefined:
    case '--help':
    case '-h':
      output.stdout(fabricHelp);
      return subcommand === undefined ? 2 : 0;
    default:
      output.stderr(`ledgerkit fabric: unknown subcommand '${subcommand}'\n\n${fabricHelp}`);
      return 2;
  }
}

const organizationsOf = (network: FabricNetwork): OrganizationAccess[] =>
  network.mspIds.map((mspId) => network.organization(mspId));

/**
 * What a client needs to reach each organization, and the environment that runs a
 * fabric-samples application (asset-transfer-basic's application-gateway-*) against it:
 * those read CRYPTO_PATH as test-network's `organizations/peerOrganizations/<domain>`.
 */
function renderConnections(status: NetworkStatus, organizations: readonly OrganizationAccess[]): string {
  let text = `\nConnection details. The crypto/ folder follows fabric-samples test-network's organizations/ layout (peerOrganizations/<domain>/{peers,users}), so fabric-samples applications run with CRYPTO_PATH set to an organization's folder below.\n`;
  for (const org of organizations) {
    const user = `User1@${org.peerHostAlias.slice(org.peerHostAlias.indexOf('.') + 1)}`;
    const samples = [
      `CRYPTO_PATH=${org.cryptoPath}`,
      `KEY_DIRECTORY_PATH=${join(org.cryptoPath, 'users', user, 'msp', 'keystore')}`,
      `CERT_DIRECTORY_PATH=${join(org.cryptoPath, 'users', user, 'msp', 'signcerts')}`,
      `TLS_CERT_PATH=${join(org.cryptoPath, 'peers', org.peerHostAlias, 'tls', 'ca.crt')}`,
      `PEER_ENDPOINT=${org.peerEndpoint}`,
      `PEER_HOST_ALIAS=${org.peerHostAlias}`,
      `MSP_ID=${org.mspId}`,
      `CHANNEL_NAME=${status.channel}`,
    ];
    text += `\n${org.name} (${org.mspId})\n`;
    text += `  gateway endpoint    ${org.peerEndpoint}\n`;
    text += `  host alias          ${org.peerHostAlias} (TLS server name, grpc.ssl_target_name_override)\n`;
    text += `  TLS CA file         ${org.tlsRootCertPath}\n`;
    text += `  MSP folder          ${org.user.mspDir} (admin: ${org.admin.mspDir})\n`;
    text += `  connection profile  ${org.connectionProfilePath}\n`;
    text += `  crypto path         ${org.cryptoPath}\n`;
    text += `  fabric-samples app  ${samples.join(' ')}\n`;
  }
  return text;
}

function renderStatus(status: NetworkStatus): string {
  const rows = status.components.map((component) => [
    component.id,
    component.running ? String(component.pid) : '-',
    component.healthy ? 'ok' : component.running ? 'unhealthy' : 'down',
    component.height === undefined ? '-' : String(component.height),
    Object.entries(component.ports)
      .map(([role, port]) => `${role}=${port}`)
      .join(' '),
  ]);
  const header = ['COMPONENT', 'PID', 'HEALTH', 'HEIGHT', 'PORTS'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] as string).length)),
  );
  const line = (cells: string[]) =>
    `${cells
      .map((cell, column) => cell.padEnd(widths[column] as number))
      .join('  ')
      .trimEnd()}\n`;
  let text = `channel '${status.channel}' (Fabric ${status.fabricVersion}) in ${status.dir}: ${status.healthy ? 'healthy' : 'NOT healthy'}\n`;
  text += line(header) + rows.map(line).join('');
  for (const component of status.components) {
    if (!component.healthy && component.logTail) {
      text += `\n${component.id} is ${component.running ? 'unhealthy' : 'down'}; last lines of ${component.logFile}:\n${component.logTail}\n`;
    }
  }
  if (!status.healthy) text += `\nRun 'ledgerkit fabric up' to restart what is down.\n`;
  return text;
}
