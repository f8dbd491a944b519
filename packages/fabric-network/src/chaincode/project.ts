import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { FabricNetworkError } from '../errors.js';

/**
 * Checks that a chaincode project can start the way fabric-shim starts it (`require` of its
 * package.json `main`), so an unbuilt project is refused before anything reaches a peer.
 *
 * @param path - the chaincode project directory
 * @returns the file `main` resolves to
 * @throws FabricNetworkError BAD_OPTION (no readable package.json, no `main`), CHAINCODE_NOT_BUILT (the `main` file is missing)
 */
export async function checkChaincodeProject(path: string): Promise<string> {
  const packageJsonPath = join(path, 'package.json');
  let main: unknown;
  try {
    main = (JSON.parse(await readFile(packageJsonPath, 'utf8')) as { main?: unknown }).main;
  } catch (error) {
    throw new FabricNetworkError(
      'BAD_OPTION',
      `${packageJsonPath} is missing or not JSON: a chaincode project needs a package.json with 'main'`,
      { option: 'path', value: path },
      error,
    );
  }
  // fabric-shim refuses a package.json without `main` when the chaincode starts.
  if (typeof main !== 'string' || main === '') {
    throw new FabricNetworkError(
      'BAD_OPTION',
      `${packageJsonPath} has no 'main': name the chaincode's entry file (for TypeScript, the compiled one, e.g. dist/index.js)`,
      { option: 'path', value: path },
    );
  }
  const file = resolve(path, main);
  try {
    // Node's resolution, as fabric-shim's require(main) does it (extensions, a directory's index).
    return createRequire(packageJsonPath).resolve(file);
  } catch (error) {
    throw new FabricNetworkError(
      'CHAINCODE_NOT_BUILT',
      `chaincode in ${path} is not built: its package.json 'main' file ${main} (${file}) does not exist; build it (e.g. npm run build) before deploying`,
      { path, main, file },
      error,
    );
  }
}
