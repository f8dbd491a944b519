import { LedgerDriver, type LedgerDriverOptions } from '../partiql/driver.js';
import { LedgerdbClient, type LedgerdbClientOptions } from './client.js';

/**
 * A QLDB-style {@link LedgerDriver} against a `ledgerdb serve` server: the same driver as
 * over an embedded ledger, its statements executed server-side, one server transaction per
 * `executeLambda` attempt. Connecting checks the server's digest, as `LedgerdbClient.connect` does.
 *
 * @param options - the server's URL, a token and the client's other options
 * @param driverOptions - the driver's retry limit
 * @returns the driver
 * @throws what `LedgerdbClient.connect` throws (`UNAVAILABLE`, `UNAUTHENTICATED`, `DIGEST_INCONSISTENT`)
 *
 * @example
 * ```ts
 * const driver = await connectDriver({ url: 'https://ledger.example.com', token: process.env.LEDGERDB_TOKEN })
 * const people = await driver.executeLambda(async (txn) => [
 *   ...(await txn.execute('SELECT * FROM Person WHERE GovId = ?', 'LEWISR261LL')),
 * ])
 * ```
 */
export async function connectDriver(
  options: LedgerdbClientOptions,
  driverOptions: LedgerDriverOptions = {},
): Promise<LedgerDriver> {
  return new LedgerDriver(await LedgerdbClient.connect(options), driverOptions);
}
