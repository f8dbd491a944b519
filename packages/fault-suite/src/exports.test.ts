import { expect, test } from 'vitest';
import packageJson from '../package.json' with { type: 'json' };

// Pins the public surface: an added or removed export shows up as a snapshot diff.
const subpaths = Object.keys(packageJson.exports).filter((subpath) => subpath !== './package.json');

test.each(subpaths)('public exports of %s', async (subpath) => {
  const entry = subpath === '.' ? 'index' : subpath.slice(2);
  const module: Record<string, unknown> = await import(/* @vite-ignore */ `./${entry}.ts`);
  expect(Object.keys(module).sort()).toMatchSnapshot();
});
