import { LedgerError } from '@ledgerkit/core';

/**
 * Imports an optional peer dependency. A package that is not installed becomes an
 * `UNSUPPORTED` error naming it and the command that installs it; the config was valid, the
 * installation lacks the backend.
 *
 * @param packageName - the package `importer` imports, as the user would install it
 * @param feature - what needs it, for the message (`ledgerdb:` URLs, `ledgerkit verify` of fabric receipts)
 * @param importer - the `import()` call, literal so bundlers and tsup see the specifier
 * @returns the module
 * @throws LedgerError `UNSUPPORTED` with `details.package` when the package is not installed
 */
export async function loadOptional<T>(packageName: string, feature: string, importer: () => Promise<T>): Promise<T> {
  try {
    return await importer();
  } catch (error) {
    if (isMissing(error, packageName)) {
      throw new LedgerError('UNSUPPORTED', `${feature} needs the ${packageName} package; install it`, {
        details: { package: packageName, install: `npm install ${packageName}` },
        cause: error,
      });
    }
    if (error instanceof Error && (error as { code?: unknown }).code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') {
      throw new LedgerError('UNSUPPORTED', `${feature} needs a newer ${packageName}; upgrade it`, {
        details: { package: packageName, install: `npm install ${packageName}@latest` },
        cause: error,
      });
    }
    throw error;
  }
}

function isMissing(error: unknown, packageName: string): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  // Only the package itself: a missing module deep inside an installed package is another fault.
  return error.message.includes(`'${packageName}'`) || error.message.includes(`'${packageName}/`);
}
