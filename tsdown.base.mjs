// The tsdown settings every package builds with (scripts/check-packages.mjs checks them
// here). A package's tsdown.config.ts spreads them and adds its entries, and a `deps` rule
// where it needs one. Plain JavaScript with a declaration file beside it, so the packages'
// tsconfigs (rootDir ".", no .ts import paths) can type-check their configs.
export const tsdownBase = {
  format: 'esm',
  platform: 'node',
  target: 'node22',
  // Declarations of every entry, without declaration maps (dist/ ships without src/).
  dts: { sourcemap: false },
  sourcemap: true,
  clean: true,
  // .js and .d.ts, as package.json names them (tsdown's default on node is .mjs).
  fixedExtension: false,
  // Keep `node:` specifiers as written: `node:sqlite` exists only under that name, and the
  // browser-safe entries must not gain any.
  nodeProtocol: false,
};
