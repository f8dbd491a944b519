import { compareKeys, inRange } from './keys.js';

/** Fabric's key version: the block and the transaction's position in it. */
export interface Version {
  block: number;
  tx: number;
}

export interface VersionedValue {
  value: Buffer;
  version: Version;
}

export interface HistoryEntry {
  txId: string;
  timestamp: Date;
  isDelete: boolean;
  value: Buffer;
}

export const sameVersion = (left: Version | undefined, right: Version | undefined): boolean =>
  left?.block === right?.block && left?.tx === right?.tx;

/** One key space (a chaincode's public state, or one private collection of it). */
export class KeySpace {
  readonly entries = new Map<string, VersionedValue>();

  get(key: string): VersionedValue | undefined {
    return this.entries.get(key);
  }

  range(startKey: string, endKey: string): Array<[string, VersionedValue]> {
    return [...this.entries]
      .filter(([key]) => inRange(key, startKey, endKey))
      .sort(([left], [right]) => compareKeys(left, right));
  }
}

/** The committed state of the channel: what every read sees. */
export class WorldState {
  readonly #spaces = new Map<string, KeySpace>();
  readonly #history = new Map<string, HistoryEntry[]>();

  space(namespace: string, collection = ''): KeySpace {
    const id = `${namespace}\u0000${collection}`;
    let space = this.#spaces.get(id);
    if (!space) {
      space = new KeySpace();
      this.#spaces.set(id, space);
    }
    return space;
  }

  history(namespace: string, key: string): HistoryEntry[] {
    return this.#history.get(`${namespace}\u0000${key}`) ?? [];
  }

  appendHistory(namespace: string, key: string, entry: HistoryEntry): void {
    const id = `${namespace}\u0000${key}`;
    const entries = this.#history.get(id) ?? [];
    entries.push(entry);
    this.#history.set(id, entries);
  }
}
