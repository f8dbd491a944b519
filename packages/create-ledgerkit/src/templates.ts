import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Folder holding one folder per template; `../templates` from both `src/` and `dist/`. */
export const templatesDir = fileURLToPath(new URL('../templates/', import.meta.url));

/** A project template: a folder under `templates/`, described by its own package.json. */
export interface Template {
  /** Folder name, the value of `--template`. */
  name: string;
  /** The template's package.json `description`. */
  description: string;
}

/** The template used by `--yes` when no `--template` is given. */
export const defaultTemplate = 'solidity';

/**
 * Lists the templates shipped with this package.
 *
 * @returns every template, in the order the prompt shows them (default first)
 */
export function listTemplates(): Template[] {
  const names = readdirSync(templatesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
  return names
    .map((name) => {
      const manifest = JSON.parse(readFileSync(`${templatesDir}${name}/package.json`, 'utf8')) as {
        description?: string;
      };
      return { name, description: manifest.description ?? '' };
    })
    .sort(
      (a, b) => Number(b.name === defaultTemplate) - Number(a.name === defaultTemplate) || a.name.localeCompare(b.name),
    );
}
