// ion-js, loaded on first use instead of when the package is imported. Its value classes
// extend String, and in V8 (Node 24) any class that extends String makes every
// String.prototype method call slower for the rest of the process (charCodeAt about 4x,
// indexOf and startsWith about 2x, measured in a loop): an application that imports the
// ledger but never reads or writes Ion (no PartiQL Ion literals, no Ion journal export)
// should not pay that. Loaded with require, which Node resolves to the same CommonJS build
// (ion-js's `default` export condition) that an `import` of ion-js gets, so values made by
// the application's ion-js pass our instanceof checks.
import { createRequire } from 'node:module';

type IonJs = typeof import('ion-js');

const require = createRequire(import.meta.url);
let loaded: IonJs | undefined;
/** Where ion-js's entry file is (null when it is not installed), looked up once. */
let entryPath: string | null | undefined;

/** The ion-js module, loaded by the first call. */
export function ionJs(): IonJs {
  loaded ??= require('ion-js') as IonJs;
  return loaded;
}

/**
 * The ion-js module if this process has loaded it (through {@link ionJs} or the application's
 * own import), else undefined: a value can only be an ion-js value once ion-js is loaded, so
 * checking for one need not load it.
 */
export function ionJsIfLoaded(): IonJs | undefined {
  if (loaded) return loaded;
  if (entryPath === undefined) {
    try {
      entryPath = require.resolve('ion-js');
    } catch {
      entryPath = null;
    }
  }
  return entryPath !== null && require.cache[entryPath] !== undefined ? ionJs() : undefined;
}
