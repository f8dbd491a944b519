/** A running PostgreSQL server. */
export interface PostgresServer {
  /** `postgres://ledgerkit@127.0.0.1:PORT/ledgerkit` */
  url: string;
  /** Fast shutdown; removes the server's directory. */
  stop(): Promise<void>;
}

/**
 * Starts a new PostgreSQL cluster in a temporary directory (stopping servers of test runs
 * that were killed before their teardown).
 *
 * @returns its connection URL and a `stop()` that shuts it down and removes it
 */
export function startPostgres(): Promise<PostgresServer>;
