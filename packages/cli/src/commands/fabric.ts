import { join, resolve } from 'node:path';
import { InvalidArgumentError } from '@ledgerkit/core';
import type { FabricNetwork, NetworkStatus, OrganizationAccess, ProgressEvent } from '@ledgerkit/fabric-network';
import { Command, Option } from 'commander';
import { addCommonOptions, type CliOutput, cliAction, exitCodes, withExamples } from '../program/conventions.js';
import { integerIn } from '../program/inputs.js';
import { createProgress, type Progress, printFields, printJson, renderTable } from '../program/output.js';

/** The default network directory: in the working directory, never in the package or a checkout. */
const defaultDir = join('.ledgerkit', 'fabric');

interface FabricOptions {
  dir: string;
  json?: boolean;
}

/** How long the first build of the Fabric binaries usually takes, said before it starts. */
const buildNotice =
  'Fabric binaries are not in the cache yet: building Fabric from source with Go (first run only, usually 2-5 minutes)';

/** Loaded on use: `ledgerkit --help` and the other groups need none of it. */
const fabricNetwork = () => import('@ledgerkit/fabric-network');

const open = async (dir: string): Promise<FabricNetwork> => (await fabricNetwork()).FabricNetwork.open(dir);

/**
 * The `ledgerkit fabric` group: a Hyperledger Fabric network of native processes, no Docker.
 *
 * @param io - where to write
 * @returns the command
 */
export function createFabricCommand(io: CliOutput): Command {
  const fabric = new Command('fabric').description(
    'Run a Hyperledger Fabric network of native processes (no Docker): up, status, logs, deploy, identity, down',
  );
  fabric.addHelpText(
    'after',
    `\nEvery command takes --dir (default ./${defaultDir} in the working directory). The Fabric\nbinaries are built once with Go into $LEDGERKIT_HOME (default ~/.cache/ledgerkit).`,
  );
  withExamples(fabric, ['up --orgs 2', 'status --json', 'down --purge']);
  const withDir = (command: Command) => command.option('--dir <dir>', 'the network directory', defaultDir);

  const up = withDir(new Command('up'))
    .description('Create (first time) and start a Fabric network, or restart what is not running')
    .option('--orgs <orgs>', 'a count (default 2) or names: Acme,Globex')
    .option('--peers-per-org <n>', 'peers per organization', integerIn(1, 4))
    .addOption(new Option('--orderers <n>', 'orderers (Raft)').choices(['1', '3', '5']))
    .option('--channel <name>', 'channel name (default ledgerkit)');
  addCommonOptions(up, 'one JSON document: the status with each organization');
  withExamples(up, ['', '--orgs Acme,Globex --orderers 3 --channel trade', '--dir ./net --json']);
  up.action(
    cliAction(
      io,
      async (options: FabricOptions & { orgs?: string; peersPerOrg?: number; orderers?: string; channel?: string }) => {
        const { FabricNetwork, ensureFabricBinaries } = await fabricNetwork();
        const progress = createProgress(io, options.json === true);
        const orgs =
          options.orgs === undefined
            ? undefined
            : /^\d+$/.test(options.orgs)
              ? Number(options.orgs)
              : options.orgs.split(',');
        const cached = await ensureFabricBinaries({ build: false }).then(
          () => true,
          () => false,
        );
        const network = await FabricNetwork.up({
          dir: options.dir,
          ...(orgs === undefined ? {} : { orgs }),
          ...(options.peersPerOrg === undefined ? {} : { peersPerOrg: options.peersPerOrg }),
          ...(options.orderers === undefined ? {} : { orderers: Number(options.orderers) as 1 | 3 | 5 }),
          ...(options.channel === undefined ? {} : { channel: options.channel }),
          onProgress: fabricProgress(progress, cached),
        }).finally(() => progress.finish());
        const status = await network.status();
        const organizations = organizationsOf(network);
        if (options.json) printJson(io, { ...status, organizations });
        else {
          io.stdout(`Fabric network up in ${progress.finish()}: channel '${status.channel}', ${network.dir}\n`);
          io.stdout(renderStatus(status) + renderConnections(status, organizations));
        }
        return status.healthy ? exitCodes.ok : exitCodes.failure;
      },
    ),
  );

  const status = withDir(new Command('status')).description(
    "Every process with pid, ports, health and channel height, and each organization's connection details",
  );
  addCommonOptions(status, 'one JSON document: the status with each organization');
  withExamples(status, ['', '--dir ./net --json']);
  status.action(
    cliAction(io, async (options: FabricOptions) => {
      const network = await open(options.dir);
      const current = await network.status();
      const organizations = organizationsOf(network);
      if (options.json) printJson(io, { ...current, organizations });
      else io.stdout(renderStatus(current) + renderConnections(current, organizations));
      return current.healthy ? exitCodes.ok : exitCodes.failure;
    }),
  );

  const logs = withDir(new Command('logs'))
    .description('The last lines of one component’s log')
    .argument('<component>', 'orderer0, peer0.org1, ... (see status)')
    .option('--lines <n>', 'how many lines', integerIn(1, 1_000_000), 100);
  addCommonOptions(logs, 'JSON lines: {"component","line"} per log line');
  withExamples(logs, ['peer0.org1', 'orderer0 --lines 500']);
  logs.action(
    cliAction(io, async (component: string, options: FabricOptions & { lines: number }) => {
      const text = await (await open(options.dir)).logs(component, options.lines);
      if (options.json) {
        for (const line of text.split('\n')) if (line) io.stdout(`${JSON.stringify({ component, line })}\n`);
      } else io.stdout(text.endsWith('\n') ? text : `${text}\n`);
      return exitCodes.ok;
    }),
  );

  const deploy = withDir(new Command('deploy'))
    .description('Deploy a Node.js chaincode as a service on the channel')
    .requiredOption('--name <name>', 'chaincode name (lower case, digits, _ and -)')
    .requiredOption('--path <dir>', 'the chaincode project (package.json with main)')
    .option('--version <label>', 'version label (default 1.0)')
    .option(
      '--policy <policy>',
      `endorsement: majority, any, all or a policy such as "AND('Org1MSP.peer','Org2MSP.peer')"`,
    );
  addCommonOptions(deploy, 'one JSON document: {name, version, sequence, packageId, policy, address}');
  withExamples(deploy, [
    '--name assets --path ./my-chaincode',
    '--name assets --path ./my-chaincode --policy all --json',
  ]);
  deploy.action(
    cliAction(
      io,
      async (options: FabricOptions & { name: string; path: string; version?: string; policy?: string }) => {
        const progress = createProgress(io, options.json === true);
        const step = `deploy chaincode '${options.name}'`;
        const network = await open(options.dir);
        progress.start(step);
        const started = performance.now();
        try {
          const deployed = await network.deployChaincode({
            name: options.name,
            path: resolve(options.path),
            ...(options.version === undefined ? {} : { version: options.version }),
            ...(options.policy === undefined ? {} : { policy: options.policy }),
          });
          progress.end(step, true, performance.now() - started);
          if (options.json) printJson(io, deployed);
          else {
            io.stdout(`Deployed chaincode '${deployed.name}' on ${network.dir}\n`);
            printFields(
              io,
              [
                ['version', deployed.version],
                ['sequence', deployed.sequence],
                ['package id', deployed.packageId],
                ['policy', deployed.policy],
                ['address', deployed.address],
              ],
              '  ',
            );
          }
          return exitCodes.ok;
        } catch (error) {
          progress.end(step, false, performance.now() - started);
          throw error;
        } finally {
          progress.finish();
        }
      },
    ),
  );

  const identity = withDir(new Command('identity'))
    .description("Issue an identity signed by an organization's CA, with Fabric CA attributes")
    .requiredOption('--org <org>', 'organization name or MSP id')
    .requiredOption('--name <name>', 'the identity’s name')
    .option(
      '--attr <name=value>',
      'an attribute in the certificate; repeat for more',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .addOption(new Option('--role <role>', 'client or admin (default client)').choices(['client', 'admin']));
  addCommonOptions(
    identity,
    'one JSON document: {mspId, name, role, attributes, mspDir, certificatePath, privateKeyPath}',
  );
  withExamples(identity, [
    '--org Org1 --name alice --attr role=manufacturer',
    '--org Org2 --name ops --role admin --json',
  ]);
  identity.action(
    cliAction(
      io,
      async (options: FabricOptions & { org: string; name: string; attr?: string[]; role?: 'client' | 'admin' }) => {
        const attributes: Record<string, string> = {};
        for (const pair of options.attr ?? []) {
          const separator = pair.indexOf('=');
          if (separator <= 0) {
            throw new InvalidArgumentError('attr', `--attr takes name=value, got '${pair}'`, { value: pair });
          }
          attributes[pair.slice(0, separator)] = pair.slice(separator + 1);
        }
        const network = await open(options.dir);
        const issued = await network.issueIdentity({
          org: options.org,
          name: options.name,
          attributes,
          ...(options.role === undefined ? {} : { role: options.role }),
        });
        if (options.json) printJson(io, issued);
        else {
          io.stdout(`Issued ${issued.role} identity '${issued.name}' of ${issued.mspId}\n`);
          printFields(
            io,
            [
              ...Object.entries(issued.attributes).map(([name, value]) => [`attribute ${name}`, value] as const),
              ['certificate', issued.certificatePath],
              ['private key', issued.privateKeyPath],
              ['MSP folder', issued.mspDir],
            ],
            '  ',
          );
        }
        return exitCodes.ok;
      },
    ),
  );

  const down = withDir(new Command('down'))
    .description('Stop every process of the network')
    .option('--purge', 'also delete the network directory');
  addCommonOptions(down, 'one JSON document: {stopped, purged, seconds}');
  withExamples(down, ['', '--purge --json']);
  down.action(
    cliAction(io, async (options: FabricOptions & { purge?: boolean }) => {
      const started = performance.now();
      const { stopped } = await (await open(options.dir)).down({ purge: options.purge === true });
      const seconds = Number(((performance.now() - started) / 1000).toFixed(1));
      if (options.json) printJson(io, { stopped, purged: options.purge === true, seconds });
      else {
        io.stdout(
          `Stopped ${stopped.length} processes in ${seconds}s${options.purge ? '; network directory deleted' : ''}\n`,
        );
      }
      return exitCodes.ok;
    }),
  );

  for (const command of [up, status, logs, deploy, identity, down]) fabric.addCommand(command);
  return fabric;
}

/**
 * Progress of `FabricNetwork.up`: says what the first build is and how long it usually
 * takes, and, while it runs, how long it has been running (every 20 s outside a terminal,
 * where no spinner shows it).
 */
function fabricProgress(progress: Progress, cached: boolean): (event: ProgressEvent) => void {
  let heartbeat: NodeJS.Timeout | undefined;
  return (event) => {
    if (event.type === 'step-start') {
      progress.start(event.step);
      if (event.step === 'Fabric binaries' && !cached) {
        progress.info(buildNotice, { usually: '2-5 min' });
        const started = performance.now();
        heartbeat = setInterval(() => {
          const seconds = Math.round((performance.now() - started) / 1000);
          progress.info(`still building the Fabric binaries: ${seconds}s so far (usually 2-5 minutes)`, { seconds });
        }, 20_000);
        heartbeat.unref();
      }
    } else if (event.type === 'step-end') {
      if (heartbeat) clearInterval(heartbeat);
      heartbeat = undefined;
      progress.end(event.step, event.ok, event.ms);
    } else if (/^(compiled |go: )/.test(event.message)) {
      // Go's own lines (modules downloaded, packages compiled): hundreds during a first build.
      progress.detail(event.message);
    } else progress.info(event.message);
  };
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
  let text = `channel '${status.channel}' (Fabric ${status.fabricVersion}) in ${status.dir}: ${status.healthy ? 'healthy' : 'NOT healthy'}\n`;
  text += renderTable(['COMPONENT', 'PID', 'HEALTH', 'HEIGHT', 'PORTS'], rows);
  for (const component of status.components) {
    if (!component.healthy && component.logTail) {
      text += `\n${component.id} is ${component.running ? 'unhealthy' : 'down'}; last lines of ${component.logFile}:\n${component.logTail}\n`;
    }
  }
  if (!status.healthy) text += `\nRun 'ledgerkit fabric up' to restart what is down.\n`;
  return text;
}
