import { LedgerError } from '@ledgerkit/core';

/** Values a template's text files may name as `{{key}}`. */
export interface PlaceholderValues {
  /** The npm package name of the project. */
  projectName: string;
  /** How to run a package.json script with the chosen package manager, e.g. `npm run`. */
  run: string;
  /** The install command of the chosen package manager, e.g. `npm install`. */
  install: string;
}

const placeholder = /\{\{\s*(\w+)\s*\}\}/g;

/**
 * Replaces every `{{key}}` in a template file's text.
 *
 * @param text - the file's content
 * @param values - the values by key
 * @param file - the file's path in the template, named in the error
 * @returns the filled text
 * @throws LedgerError `INTERNAL` when the text names a key without a value (a template bug:
 *   an unfilled placeholder would ship to the user)
 */
export function fillPlaceholders(text: string, values: PlaceholderValues, file: string): string {
  return text.replace(placeholder, (match, key: string) => {
    if (!Object.hasOwn(values, key)) {
      throw new LedgerError('INTERNAL', `template file ${file} has an unknown placeholder ${match}`, {
        details: { file, placeholder: key },
      });
    }
    return values[key as keyof PlaceholderValues];
  });
}
