// Runs random mutations of valid inputs through a verifier for a bounded time: a mutated
// input must never verify (ok: true) and the verifier must never throw or reject (malformed
// input is a failed named check). Which mutations must be rejected is declared by the caller
// (`bound`), each exclusion with its reason.

import { isLedgerError } from '@ledgerkit/core';
import fc from 'fast-check';
import { applyMutation, type Mutation, mutationArbitrary, type Path, pathsOf } from './mutate.ts';

export interface FuzzTarget<Input> {
  /** Valid inputs (each verifies ok before fuzzing starts). */
  seeds: Input[];
  /** Verifies one input; `seed` is the index of the seed it was made from. */
  verify(input: Input, seed: number): Promise<{ ok: boolean }> | { ok: boolean };
  /**
   * Whether a mutation at this path must be rejected: the path is bound to the verdict by a
   * hash, a signature, a proof or an explicit comparison. Mutations elsewhere (fields the
   * backend serves for convenience, optional claims, equivalent encodings) are still run,
   * for exceptions, but may verify. Default: every path.
   */
  bound?: (path: Path, mutation: Mutation, seed: Input, mutated: Input) => boolean;
  /** Time budget in ms (default 10 s) and run cap (default 5,000). */
  budgetMs?: number;
  maxRuns?: number;
  seed?: number;
}

export interface FuzzOutcome {
  /** Mutated inputs verified, and of those the ones at bound paths. */
  runs: number;
  boundRuns: number;
  rejected: number;
  /** Mutations at bound paths that verified: findings. */
  accepted: string[];
  /** Unbound paths where some mutation verified (for the record). */
  acceptedUnbound: Set<string>;
  thrown: { description: string; error: unknown }[];
  errorsByCode: Record<string, number>;
  elapsedMs: number;
}

/**
 * Fuzzes one verifier.
 *
 * @returns how many mutated inputs were tried, rejected, accepted and thrown on
 */
export async function fuzzVerifier<Input>(target: FuzzTarget<Input>): Promise<FuzzOutcome> {
  const started = Date.now();
  const budget = target.budgetMs ?? 10_000;
  const maxRuns = target.maxRuns ?? 5_000;
  const paths = target.seeds.map((seed) => pathsOf(seed));
  for (const [index, seed] of target.seeds.entries()) {
    const result = await target.verify(seed, index);
    if (!result.ok) throw new Error('a fuzz seed does not verify: the fuzzer would prove nothing');
  }
  const outcome: FuzzOutcome = {
    runs: 0,
    boundRuns: 0,
    rejected: 0,
    accepted: [],
    acceptedUnbound: new Set(),
    thrown: [],
    errorsByCode: {},
    elapsedMs: 0,
  };
  let seed = target.seed ?? Date.now();
  while (outcome.runs < maxRuns && Date.now() - started < budget) {
    const batch = fc.sample(fc.tuple(fc.nat(target.seeds.length - 1), mutationArbitrary), {
      numRuns: 100,
      seed: seed++,
    });
    for (const [which, mutation] of batch) {
      const seedPaths = paths[which] as Path[];
      const mutated = applyMutation(target.seeds[which], seedPaths, mutation);
      if (!mutated) continue;
      const path = seedPaths[mutation.at % seedPaths.length] as Path;
      const bound = target.bound?.(path, mutation, target.seeds[which] as Input, mutated.value as Input) ?? true;
      outcome.runs++;
      if (bound) outcome.boundRuns++;
      try {
        const result = await target.verify(mutated.value as Input, which);
        if (typeof result?.ok !== 'boolean') throw new Error(`the verifier answered ${String(result)}`);
        if (!result.ok) outcome.rejected++;
        else if (bound) outcome.accepted.push(`seed ${which}: ${mutated.description}`);
        else outcome.acceptedUnbound.add(path.map((step) => (typeof step === 'number' ? '*' : step)).join('.'));
      } catch (error) {
        const code = isLedgerError(error) ? error.code : 'UNCAUGHT';
        outcome.errorsByCode[code] = (outcome.errorsByCode[code] ?? 0) + 1;
        outcome.thrown.push({ description: mutated.description, error });
      }
      if (outcome.runs >= maxRuns || Date.now() - started >= budget) break;
    }
  }
  outcome.elapsedMs = Date.now() - started;
  return outcome;
}
