import { LedgerError } from '@ledgerkit/core';

/**
 * Imports one of ledgerdb's optional peer dependencies (`pg` for PostgreSQL, `fastify`
 * and its plugins for `ledgerdb serve`). The embedded SQLite ledger needs none of them, so
 * they are loaded only by the code that uses them; a package that is not installed becomes
 * an `UNSUPPORTED` error naming it and the command that installs it.
 *
 * @param packageName - the npm package `importer` imports, as the user would install it
 * @param feature - what needs it, for the message (`PostgreSQL storage`, `ledgerdb serve`)
 * @param importer - the `import()` call, literal so the bundler and TypeScript see the specifier
 * @returns the module
 * @throws LedgerError `UNSUPPORTED` with `details.package` and `details.install` when the package is not installed
 */
export async function loadOptional<T>(packageName: string, feature: string, importer: () => Promise<T>): Promise<T> {
  try {
    return await importer();
  } catch (error) {
    if (!isMissing(error, packageName)) throw error;
    throw new LedgerError(
      'UNSUPPORTED',
      `${feature} needs the npm package ${packageName}: npm install ${packageName}`,
      {
        details: { package: packageName, install: `npm install ${packageName}` },
        cause: error,
      },
    );
  }
}

function isMissing(error: unknown, packageName: string): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  // Only the package itself: a module missing deep inside an installed package is another fault.
  return error.message.includes(`'${packageName}'`) || error.message.includes(`'${packageName}/`);
}
