// The page's client of the API server. Every failure becomes an ApiError with a readable
// message: a refused rule, an unknown batch, an unreachable server.
import type { TrustAnchor, VerificationBundle } from '@ledgerkit/core';
import type { Batch, ProvenanceStep, Role } from '@ledgerkit/example-supply-chain';

export type BackendKind = 'ledgerdb' | 'ethereum' | 'fabric';

export interface Participant {
  name: string;
  label: string;
  role: Role;
  party: string;
}

export interface BackendInfo {
  kind: BackendKind;
  available: boolean;
  starting: boolean;
  canStart: boolean;
  trustModel?: 'centralized' | 'decentralized';
  description?: string;
  participants?: Participant[];
  reason?: string;
}

/** An error answer of the API, or a failure to reach it. */
export class ApiError extends Error {
  readonly code: string;
  readonly reasonCode: string | undefined;
  constructor(code: string, message: string, reasonCode?: string) {
    super(message);
    this.code = code;
    this.reasonCode = reasonCode;
  }
}

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError('UNAVAILABLE', 'The API server cannot be reached. Is `npm run web` still running?');
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ApiError('INTERNAL', `The API server answered ${response.status} with something that is not JSON.`);
  }
  if (!response.ok) {
    const error = (parsed as { error?: { code?: string; message?: string; reasonCode?: string } }).error ?? {};
    throw new ApiError(
      error.code ?? 'INTERNAL',
      error.message ?? `The API server answered ${response.status}.`,
      error.reasonCode,
    );
  }
  return parsed as T;
}

export const api = {
  backends: () => call<{ backends: BackendInfo[] }>('GET', '/api/backends').then((r) => r.backends),
  startBackend: (kind: BackendKind) => call<unknown>('POST', `/api/backends/${kind}/start`, {}),
  batches: (kind: BackendKind) => call<{ batches: Batch[] }>('GET', `/api/${kind}/batches`).then((r) => r.batches),
  batch: (kind: BackendKind, id: string) =>
    call<{ batch: Batch; history: ProvenanceStep[] }>('GET', `/api/${kind}/batches/${encodeURIComponent(id)}`),
  register: (
    kind: BackendKind,
    as: string,
    batch: { id: string; product: string; documentHash: string; maxTemperature: number },
  ) => call<{ step: ProvenanceStep }>('POST', `/api/${kind}/batches`, { as, ...batch }),
  offer: (kind: BackendKind, as: string, id: string, to: string) =>
    call<{ step: ProvenanceStep }>('POST', `/api/${kind}/batches/${encodeURIComponent(id)}/offer`, { as, to }),
  accept: (kind: BackendKind, as: string, id: string) =>
    call<{ step: ProvenanceStep }>('POST', `/api/${kind}/batches/${encodeURIComponent(id)}/accept`, { as }),
  checkpoint: (
    kind: BackendKind,
    as: string,
    id: string,
    checkpoint: { location: string; temperature: number; documentHash: string },
  ) =>
    call<{ step: ProvenanceStep }>('POST', `/api/${kind}/batches/${encodeURIComponent(id)}/checkpoints`, {
      as,
      ...checkpoint,
    }),
  receive: (kind: BackendKind, as: string, id: string) =>
    call<{ step: ProvenanceStep }>('POST', `/api/${kind}/batches/${encodeURIComponent(id)}/receive`, { as }),
  anchor: (kind: BackendKind) => call<{ anchor: TrustAnchor; at: string }>('GET', `/api/${kind}/anchor`),
  bundles: (kind: BackendKind, id: string, anchor?: TrustAnchor) =>
    call<{ bundles: VerificationBundle[] }>(
      'POST',
      `/api/${kind}/batches/${encodeURIComponent(id)}/bundles`,
      anchor === undefined ? {} : { anchor },
    ).then((r) => r.bundles),
};

/**
 * SHA-256 of a document reference, as lowercase hex: what the ledger stores for a document.
 *
 * @param text - the document's text or reference
 * @returns 64 hex characters
 */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}
