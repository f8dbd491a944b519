#!/usr/bin/env node
// The `create-ledgerkit` command (`npm create ledgerkit`). Exit codes: 0 done, 1 failed,
// 2 usage error (bad flag, invalid name, unknown template, non-empty or unwritable directory),
// 130 cancelled at a prompt.
import { basename } from 'node:path';
import { cancel, intro, isCancel, outro, select, text } from '@clack/prompts';
import { isLedgerError } from '@ledgerkit/core';
import { Command, CommanderError, Option } from 'commander';
import packageJson from '../package.json' with { type: 'json' };
import { createProject, type PackageManager, packageManagers } from './create-project.js';
import { defaultTemplate, listTemplates } from './templates.js';
import { validateProjectName } from './validate-project-name.js';

const usageExitCode = 2;

interface Flags {
  template?: string;
  name?: string;
  packageManager?: PackageManager;
  yes?: boolean;
  force?: boolean;
  git: boolean;
  ledgerkitSource?: string;
}

const templates = listTemplates();
const program = new Command('create-ledgerkit')
  .description('Create a ledgerkit project that installs and passes its own tests on the first try.')
  .version(packageJson.version)
  .argument('[directory]', 'where to create the project (its base name is the package name unless --name)')
  .option('-t, --template <name>', `one of: ${templates.map((template) => template.name).join(', ')}`)
  .option('-n, --name <name>', 'npm package name of the project (default: the directory name)')
  .addOption(
    new Option('--package-manager <manager>', 'package manager named in the next steps').choices(packageManagers),
  )
  .option('-y, --yes', `no prompts: defaults for everything not given (template ${defaultTemplate}, npm)`)
  .option('-f, --force', 'replace the contents of a non-empty directory (its .git is kept)')
  .option('--no-git', 'do not run git init')
  .option('--ledgerkit-source <dir>', 'depend on npm pack tarballs of the ledgerkit packages in <dir> (testing)')
  .addHelpText(
    'after',
    `\nTemplates:\n${templates.map((template) => `  ${template.name.padEnd(18)}${template.description}`).join('\n')}\n\nExamples:\n  npm create ledgerkit@latest my-app\n  npx create-ledgerkit my-app --template fabric-chaincode --yes`,
  )
  .exitOverride()
  .configureOutput({ outputError: (message, write) => write(message) });

try {
  program.parse();
} catch (error) {
  if (error instanceof CommanderError) {
    process.exit(error.exitCode === 0 ? 0 : usageExitCode);
  }
  throw error;
}

const flags = program.opts<Flags>();
const interactive = flags.yes !== true && process.stdin.isTTY === true && process.stdout.isTTY === true;

function usageError(message: string): never {
  process.stderr.write(`create-ledgerkit: ${message}\n`);
  process.exit(usageExitCode);
}

function cancelled<T>(value: T | symbol): T {
  if (isCancel(value)) {
    cancel('Cancelled; nothing was written.');
    process.exit(130);
  }
  return value as T;
}

/** The package manager that ran us (`npm create`, `pnpm create`...), from its user agent. */
function invokingPackageManager(): PackageManager {
  const agent = process.env.npm_config_user_agent?.split('/')[0];
  return (packageManagers as readonly string[]).includes(agent ?? '') ? (agent as PackageManager) : 'npm';
}

let directory: string | undefined = program.args[0];
let template = flags.template;
let packageManager = flags.packageManager;

if (interactive) {
  intro('create-ledgerkit');
  directory ??= cancelled<string>(
    await text({
      message: 'Project name',
      placeholder: 'my-ledger-app',
      defaultValue: 'my-ledger-app',
      validate: (value) => {
        const check = validateProjectName(basename(value || 'my-ledger-app'));
        return check.ok ? undefined : check.problems.join('; ');
      },
    }),
  );
  template ??= cancelled<string>(
    await select({
      message: 'Template',
      options: templates.map((choice) => ({ value: choice.name, label: choice.name, hint: choice.description })),
      initialValue: defaultTemplate,
    }),
  );
  packageManager ??= cancelled<PackageManager>(
    await select<PackageManager>({
      message: 'Package manager',
      options: packageManagers.map((manager) => ({ value: manager, label: manager })),
      initialValue: invokingPackageManager(),
    }),
  );
} else {
  if (directory === undefined) usageError('give the project directory, e.g. create-ledgerkit my-app (see --help)');
  if (template === undefined && flags.yes !== true) {
    usageError(`give --template <name> or --yes for the default (${defaultTemplate}); see --help`);
  }
}

try {
  const project = await createProject({
    directory: directory as string,
    template: template ?? defaultTemplate,
    packageManager: packageManager ?? invokingPackageManager(),
    git: flags.git,
    ...(flags.name === undefined ? {} : { name: flags.name }),
    ...(flags.force === true ? { force: true } : {}),
    ...(flags.ledgerkitSource === undefined ? {} : { ledgerkitSource: flags.ledgerkitSource }),
  });
  // `npm test` runs the test script, `bun test` runs bun's own test runner instead.
  const test = project.packageManager === 'bun' ? 'bun run test' : `${project.packageManager} test`;
  const steps = [`cd ${directory}`, `${project.packageManager} install`, test].map((step) => `  ${step}`);
  const summary = `Created ${project.name} (${project.template}, ${project.files.length} files${project.git ? ', git repository' : ''}) in ${project.directory}\n\nNext steps:\n${steps.join('\n')}\n`;
  if (interactive) outro(summary);
  else process.stdout.write(`${summary}`);
} catch (error) {
  if (
    isLedgerError(error, 'INVALID_ARGUMENT') ||
    isLedgerError(error, 'ALREADY_EXISTS') ||
    isLedgerError(error, 'PERMISSION_DENIED')
  ) {
    usageError(error.shortMessage);
  }
  process.stderr.write(`create-ledgerkit: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
