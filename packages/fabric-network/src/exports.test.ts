import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { publicSurface } from '../../../scripts/public-surface.mjs';
import packageJson from '../package.json' with { type: 'json' };

// Pins the public surface: an added or removed export, or a changed type or signature, shows
// up as a snapshot diff.
const subpaths = Object.keys(packageJson.exports).filter((subpath) => subpath !== './package.json');
const packageDir = fileURLToPath(new URL('..', import.meta.url));

test.each(subpaths)('public exports of %s', async (subpath) => {
  const entry = subpath === '.' ? 'index' : subpath.slice(2);
  const module: Record<string, unknown> = await import(/* @vite-ignore */ `./${entry}.ts`);
  expect(Object.keys(module).sort()).toMatchSnapshot();
});

// The types as the compiler reads them from src/, with the declared signatures.
test.each(subpaths)(
  'public types of %s',
  (subpath) => {
    expect(publicSurface(packageDir, subpath)).toMatchSnapshot();
  },
  120_000,
);
