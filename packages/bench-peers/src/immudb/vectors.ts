// JSON form of immudb answers for the golden vectors in testdata/: Buffers as "hex:<hex>".
import type { DualProofMessage, ImmudbState, VerifiableEntryMessage } from './client.ts';

/** One recorded VerifiableGet: the key, the state the client trusted, the server's answer. */
export interface ReadVector {
  name: string;
  key: Buffer;
  state: ImmudbState;
  answer: VerifiableEntryMessage;
  /** The state a client trusts after verifying it. */
  expectedState: ImmudbState;
}

/** One recorded consistency check: two states and the dual proof between them. */
export interface ConsistencyVector {
  name: string;
  old: ImmudbState;
  newer: ImmudbState;
  proof: DualProofMessage;
}

/** The file's content. */
export interface ImmudbVectors {
  immudb: string;
  generatedBy: string;
  reads: ReadVector[];
  consistency: ConsistencyVector[];
}

/** Serialises vectors (Buffers as "hex:..." strings). */
export function stringifyVectors(vectors: ImmudbVectors): string {
  return JSON.stringify(
    vectors,
    function (this: Record<string, unknown>, key: string, value: unknown) {
      const raw = this[key];
      return Buffer.isBuffer(raw) ? `hex:${raw.toString('hex')}` : value;
    },
    1,
  );
}

/** Parses what {@link stringifyVectors} wrote. */
export function parseVectors(text: string): ImmudbVectors {
  return JSON.parse(text, (_, value: unknown) =>
    typeof value === 'string' && value.startsWith('hex:') ? Buffer.from(value.slice(4), 'hex') : value,
  ) as ImmudbVectors;
}
