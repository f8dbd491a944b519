import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { fillPlaceholders } from './fill-placeholders.js';
import { publishedLedgerkitSpecs } from './ledgerkit-dependencies.js';
import { defaultTemplate, listTemplates, templatesDir } from './templates.js';

function filesOf(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

const templates = listTemplates();

describe('templates', () => {
  test('every folder is a template, the default first, each with a description', () => {
    expect(templates.map((template) => template.name)).toEqual([
      'solidity',
      'fabric-chaincode',
      'ledgerdb-service',
      'supply-chain',
    ]);
    expect(templates[0]?.name).toBe(defaultTemplate);
    for (const template of templates) expect(template.description.length).toBeGreaterThan(20);
  });

  test.each(templates.map((template) => template.name))(
    '%s: a private package whose ledgerkit dependencies this release knows',
    (name) => {
      const manifest = JSON.parse(readFileSync(join(templatesDir, name, 'package.json'), 'utf8')) as {
        name: string;
        private: boolean;
        dependencies?: Record<string, string>;
        devDependencies?: Record<string, string>;
        scripts: Record<string, string>;
      };
      expect(manifest.name).toBe('{{projectName}}');
      expect(manifest.private).toBe(true);
      expect(manifest.scripts.test).toBeDefined();
      const known = publishedLedgerkitSpecs();
      const ledgerkit = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies }).filter((dependency) =>
        dependency.startsWith('@ledgerkit/'),
      );
      expect(ledgerkit.length).toBeGreaterThan(0);
      for (const dependency of ledgerkit) expect(known[dependency], dependency).toBeDefined();
    },
  );

  test.each(templates.map((template) => template.name))(
    '%s: only known placeholders, a _gitignore, no biome.json or .gitignore to be taken by this repository',
    (name) => {
      const dir = join(templatesDir, name);
      const files = filesOf(dir).map((file) => file.slice(dir.length + 1));
      expect(files).toContain('_gitignore');
      expect(files).not.toContain('.gitignore');
      expect(files).not.toContain('biome.json');
      for (const file of files.filter((path) => /\.(ts|json|md|sol)$/.test(path))) {
        const text = readFileSync(join(dir, file), 'utf8');
        expect(() =>
          fillPlaceholders(text, { projectName: 'p', run: 'npm run', install: 'npm install' }, file),
        ).not.toThrow();
      }
    },
  );
});
