/**
 * The public surface of one entry point of a package, as snapshot text: every export with its
 * kind and declared type or signature, read with the TypeScript compiler API from `src/`.
 *
 * @param packageDir - the package folder (holding package.json and tsconfig.json)
 * @param subpath - a key of package.json `exports`, e.g. `.` or `./verify`
 * @returns one block per export, sorted by name
 * @throws Error when the entry module does not exist or is not a module
 */
export function publicSurface(packageDir: string, subpath: string): string;
