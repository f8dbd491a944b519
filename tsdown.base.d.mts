import type { UserConfig } from 'tsdown';

/** The tsdown settings every package builds with; see tsdown.base.mjs. */
export declare const tsdownBase: UserConfig;
