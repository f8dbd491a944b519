import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  formatVerification,
  InvalidArgumentError,
  isLedgerError,
  type JsonObject,
  type LedgerKind,
  type Receipt,
  type Revision,
  type TrustAnchor,
  type Verification,
} from '@ledgerkit/core';
import { loadOptional } from '../load-optional.js';
import { anchorBackend, readAnchor } from '../verify/read-anchor.js';
import { readSubjects, type VerifySubject } from '../verify/read-subjects.js';

/** Where `ledgerkit verify` writes and reads stdin. */
export interface VerifyIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Reads all of stdin, for `FILE` = `-`. */
  readStdin?: () => Promise<Uint8Array>;
}

/** Exit codes of `ledgerkit verify`, as the issue fixes them (not the other commands' 3). */
export const verifyExitCodes = { verified: 0, checkFailed: 1, badInput: 2 } as const;

/**
 * Whether a failed check means the input was malformed (exit 2) rather than that the ledger
 * disagrees (exit 1): a shape check (`*-format`, e.g. a truncated audit path), an anchor of
 * the wrong type, or a Fabric block that does not decode (a truncated block).
 *
 * @param name - a check's name
 * @returns true for the checks that fail only on malformed input
 */
export function isMalformedInputCheck(name: string): boolean {
  return name === 'anchor-type' || name === 'block-decodes' || name.endsWith('-format');
}

export const verifyHelp = `Usage: ledgerkit verify FILE [anchor options] [--rpc URL] [--json | --markdown]

Checks receipts without any credentials: FILE (or - for stdin) holds a Receipt, a
Revision, a verification bundle ({"format":"ledgerkit.verification-bundle", subject,
evidence}, from Ledger.evidence), or a JSON array of them (an exported history).
The evidence in the file is untrusted; the anchor you give is what is trusted.

Anchor options (give one; without one, each result says it trusted the evidence's own
digest, head block or config block, i.e. the backend that served it):
  --anchor FILE              a file holding one of:
                               a signed ledgerdb digest (JSON), with --public-key
                               an Ethereum block header JSON (eth_getBlockByNumber);
                                 its hash is computed, not read
                               a Fabric config block (binary, peer channel fetch config)
                               a trust anchor JSON: {"type":"ledgerdb-digest"|
                                 "ethereum-block"|"fabric-config-block"|"fabric-msp-roots",…}
  --public-key FILE          PEM Ed25519 key of the ledgerdb owner who signed the digest
  --anchor-block N:0xHASH    a trusted Ethereum block (number and hash)
  --msp-root MSPID=FILE      trusted root CA certificates (PEM) of a Fabric MSP; repeat
                             for each organization
  --rpc URL                  for Ethereum receipts without evidence: fetch the evidence
                             from this JSON-RPC node (any node; it is not trusted)
  --json                     one JSON object: {ok, verdict, results:[{title, ok, verdict,
                             anchor, checks}]}
  --markdown                 a Markdown report (a table of checks per receipt)

Exit codes (verify differs from the other commands, which use 3 for a failed proof):
  0  every receipt verified
  1  a check failed (changed value, position, ledger; broken proof or signature)
  2  bad input or usage: unreadable or non-JSON file, unknown document or backend,
     an anchor of the wrong type for the receipt, malformed receipt or evidence,
     a missing adapter package; the message names the problem
`;

/**
 * Runs `ledgerkit verify`.
 *
 * @param argv - arguments after `verify`
 * @param io - output streams and stdin
 * @returns the exit code ({@link verifyExitCodes})
 */
export async function runVerify(argv: readonly string[], io: VerifyIo): Promise<number> {
  try {
    return await verify(argv, io);
  } catch (error) {
    // Bad input never shows a stack trace: one line naming the problem.
    const message = isLedgerError(error)
      ? `${error.shortMessage} [${error.code}]`
      : error instanceof Error
        ? error.message
        : String(error);
    const install = isLedgerError(error, 'UNSUPPORTED') ? error.details.install : undefined;
    io.stderr(`ledgerkit verify: ${message}${typeof install === 'string' ? ` (${install})` : ''}\n`);
    return verifyExitCodes.badInput;
  }
}

async function verify(argv: readonly string[], io: VerifyIo): Promise<number> {
  let parsed: ReturnType<typeof parseVerifyArgs>;
  try {
    parsed = parseVerifyArgs(argv);
  } catch (error) {
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      throw new InvalidArgumentError('argv', `${error.message}; see ledgerkit verify --help`);
    }
    throw error;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(verifyHelp);
    return verifyExitCodes.verified;
  }
  if (values.json && values.markdown)
    throw new InvalidArgumentError('--markdown', 'give --json or --markdown, not both');
  if (positionals.length !== 1) {
    throw new InvalidArgumentError(
      'FILE',
      `verify takes one FILE (or - for stdin), got ${positionals.length}; see --help`,
    );
  }
  const file = positionals[0] as string;
  const input = file === '-' ? await readStdin(io) : await readInput(file);
  const subjects = readSubjects(new TextDecoder().decode(input), file === '-' ? 'stdin' : file);
  const anchor = await readAnchor(
    {
      ...(values.anchor === undefined ? {} : { anchor: values.anchor }),
      ...(values['public-key'] === undefined ? {} : { publicKey: values['public-key'] }),
      ...(values['anchor-block'] === undefined ? {} : { anchorBlock: values['anchor-block'] }),
      ...(values['msp-root'] === undefined ? {} : { mspRoot: values['msp-root'] }),
    },
    readInput,
  );
  for (const item of subjects) {
    if (anchor && anchorBackend[anchor.type] !== item.backend) {
      throw new InvalidArgumentError(
        '--anchor',
        `wrong anchor type: an anchor of type ${anchor.type} cannot verify ${item.where}, a ${item.backend} receipt`,
      );
    }
    if (!item.evidence && !(values.rpc && item.backend === 'ethereum')) {
      throw new InvalidArgumentError(
        'FILE',
        `${item.where} is a bare ${item.backend} receipt without evidence: verify a verification bundle (Ledger.evidence)${item.backend === 'ethereum' ? ' or pass --rpc URL' : ''}`,
      );
    }
  }
  if (values.rpc && !subjects.some((item) => item.backend === 'ethereum' && !item.evidence)) {
    throw new InvalidArgumentError(
      '--rpc',
      '--rpc fetches evidence for Ethereum receipts without it; there is none in the input',
    );
  }
  const results: { title: string; result: Verification }[] = [];
  for (const item of subjects) {
    const evidence = item.evidence ?? (await fetchEvidence(values.rpc as string, item.subject, anchor));
    const verifier = await verifierFor(item.backend);
    results.push({ title: titleOf(item), result: await verifier(item.subject, evidence, anchor) });
  }
  for (const { title, result } of results) {
    const malformed = result.checks.find((entry) => !entry.ok && isMalformedInputCheck(entry.name));
    if (malformed) {
      throw new InvalidArgumentError('FILE', `${title}: malformed input, check ${malformed.name}: ${malformed.detail}`);
    }
  }
  const ok = results.every(({ result }) => result.ok);
  const passed = results.filter(({ result }) => result.ok).length;
  const verdict = ok
    ? `VERIFIED: ${results.length} of ${results.length} verified`
    : `NOT VERIFIED: ${results.length - passed} of ${results.length} failed`;
  if (values.json) {
    const rendered = results.map(
      ({ title, result }) => JSON.parse(formatVerification(result, 'json', title)) as unknown,
    );
    io.stdout(`${JSON.stringify({ ok, verdict, results: rendered })}\n`);
  } else {
    const format = values.markdown ? 'markdown' : 'text';
    for (const { title, result } of results) io.stdout(`${formatVerification(result, format, title)}\n`);
    if (results.length > 1) io.stdout(values.markdown ? `**${verdict}**\n` : `${verdict}\n`);
  }
  return ok ? verifyExitCodes.verified : verifyExitCodes.checkFailed;
}

function parseVerifyArgs(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      anchor: { type: 'string' },
      'public-key': { type: 'string' },
      'anchor-block': { type: 'string' },
      'msp-root': { type: 'string', multiple: true },
      rpc: { type: 'string' },
      json: { type: 'boolean', default: false },
      markdown: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}

async function readInput(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : String(code ?? error);
    throw new InvalidArgumentError('FILE', `cannot read ${path}: ${reason}`, {}, error);
  }
}

async function readStdin(io: VerifyIo): Promise<Uint8Array> {
  if (!io.readStdin) throw new InvalidArgumentError('FILE', 'stdin is not available here');
  return io.readStdin();
}

type PureVerifier = (subject: Receipt | Revision, evidence: JsonObject, anchor?: TrustAnchor) => Promise<Verification>;

async function verifierFor(backend: LedgerKind): Promise<PureVerifier> {
  const feature = `verifying ${backend} receipts`;
  switch (backend) {
    case 'ledgerdb': {
      const module = await loadOptional('@ledgerkit/ledgerdb', feature, () => import('@ledgerkit/ledgerdb/verify'));
      return module.verifyLedgerdbReceipt as PureVerifier;
    }
    case 'ethereum': {
      const module = await loadOptional('@ledgerkit/ethereum', feature, () => import('@ledgerkit/ethereum/verify'));
      return module.verifyEthereumReceipt as unknown as PureVerifier;
    }
    case 'fabric': {
      const module = await loadOptional('@ledgerkit/fabric', feature, () => import('@ledgerkit/fabric/verify'));
      return module.verifyFabricReceipt as unknown as PureVerifier;
    }
  }
}

async function fetchEvidence(
  rpc: string,
  subject: Receipt | Revision,
  anchor: TrustAnchor | undefined,
): Promise<JsonObject> {
  let url: URL;
  try {
    url = new URL(rpc);
  } catch (error) {
    throw new InvalidArgumentError('--rpc', `--rpc ${JSON.stringify(rpc)} is not a URL`, {}, error);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError('--rpc', `--rpc must be an http or https URL, got ${url.protocol}`);
  }
  const { fetchEthereumEvidence } = await loadOptional(
    '@ledgerkit/ethereum',
    'fetching ethereum evidence',
    () => import('@ledgerkit/ethereum'),
  );
  let id = 0;
  const client = {
    async send(method: string, params: unknown[]): Promise<unknown> {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }),
        signal: AbortSignal.timeout(30_000),
      }).catch((error: unknown) => {
        throw new InvalidArgumentError('--rpc', `cannot reach ${url.origin}: ${(error as Error).message}`, {}, error);
      });
      const body = (await response.json().catch(() => undefined)) as
        | { result?: unknown; error?: { message?: string } }
        | undefined;
      if (!response.ok || !body || body.error) {
        throw new InvalidArgumentError(
          '--rpc',
          `${url.origin} answered ${method} with ${body?.error?.message ?? `HTTP ${response.status}`}`,
        );
      }
      return body.result;
    },
  };
  const evidence = await fetchEthereumEvidence(
    client,
    subject,
    anchor?.type === 'ethereum-block' ? { toBlock: anchor.number } : {},
  );
  return evidence as unknown as JsonObject;
}

function titleOf(item: VerifySubject): string {
  const subject = item.subject;
  const receipt = 'receipt' in subject ? subject.receipt : subject;
  const where = `${receipt.backend} ${receipt.ledger}, block ${receipt.position?.block}`;
  return 'receipt' in subject
    ? `revision ${subject.version} of ${subject.key} (tx ${receipt.txId}, ${where})`
    : `receipt ${receipt.txId} (${where})`;
}
