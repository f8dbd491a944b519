export {
  type CreatedProject,
  type CreateProjectOptions,
  createProject,
  type PackageManager,
  packageManagers,
} from './create-project.js';
export { fillPlaceholders, type PlaceholderValues } from './fill-placeholders.js';
export {
  type LedgerkitSpecs,
  publishedLedgerkitSpecs,
  tarballLedgerkitSpecs,
  withLedgerkitDependencies,
} from './ledgerkit-dependencies.js';
export { defaultTemplate, listTemplates, type Template, templatesDir } from './templates.js';
export { type ProjectNameCheck, validateProjectName } from './validate-project-name.js';
