// The client's names before 0.2.0, kept as deprecated aliases until 0.3.0: "Ledger" alone means
// the core interface, so ledgerdb's client is `LedgerdbClient`.
import { LedgerdbClient as Client, type LedgerdbClientOptions as ClientOptions } from './client/client.js';

/** @deprecated Since 0.2.0: renamed `LedgerdbClient`; removed in 0.3.0. */
export const LedgerClient: typeof Client = Client;
/** @deprecated Since 0.2.0: renamed `LedgerdbClient`; removed in 0.3.0. */
export type LedgerClient = Client;
/** @deprecated Since 0.2.0: renamed `LedgerdbClientOptions`; removed in 0.3.0. */
export type LedgerClientOptions = ClientOptions;
