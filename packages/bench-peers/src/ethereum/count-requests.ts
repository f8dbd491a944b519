import type { JsonRpcApiProvider } from 'ethers';

/** JSON-RPC requests an ethers provider sent, by method, while counting. */
export interface RequestCounter {
  /** Requests by method, sorted by method name. */
  counts(): [method: string, count: number][];
  /** Requests in total. */
  total(): number;
  /** Restores the provider's own `send`. */
  stop(): void;
}

/**
 * Counts the JSON-RPC requests an ethers provider sends (every request of ethers v6 goes
 * through `provider.send`), to tell what one side does that the other does not.
 *
 * @param provider - an ethers JSON-RPC provider (or `BrowserProvider`)
 * @returns the counter; `stop()` it
 */
export function countRequests(provider: JsonRpcApiProvider): RequestCounter {
  const counts = new Map<string, number>();
  const original = provider.send;
  provider.send = (method: string, params: unknown[] | Record<string, unknown>) => {
    counts.set(method, (counts.get(method) ?? 0) + 1);
    return original.call(provider, method, params);
  };
  return {
    counts: () => [...counts].sort(([a], [b]) => a.localeCompare(b)),
    total: () => [...counts.values()].reduce((total, count) => total + count, 0),
    stop: () => {
      provider.send = original;
    },
  };
}
