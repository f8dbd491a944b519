export type { ScenarioResult } from './report.ts';
export { ErrorTally, reportAndAssert, reportScenario, resultsFile, tally } from './report.ts';
