import {
  formatVerification,
  InvalidArgumentError,
  type JsonObject,
  type LedgerKind,
  type Receipt,
  type Revision,
  type TrustAnchor,
  type Verification,
} from '@ledgerkit/core';
import { Command, CommanderError, Option } from 'commander';
import { loadOptional } from '../load-optional.js';
import { type CliOutput, commandPath, reportError, withExamples } from '../program/conventions.js';
import { readInput } from '../program/inputs.js';
import { anchorBackend, readAnchor } from '../verify/read-anchor.js';
import { journalExportKind, readSubjects, type VerifySubject } from '../verify/read-subjects.js';

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

const verifyHelpAfter = `
FILE (or - for stdin) holds a Receipt, a Revision, a verification bundle
({"format":"ledgerkit.verification-bundle", subject, evidence}, from Ledger.evidence), or
a JSON array of them (an exported history), or a ledgerdb journal export (ledgerdb export
--format jsonl|ion; anchor: a ledgerdb digest of its range end or head). It needs no credentials. The evidence in the
file is untrusted; the anchor you give is what is trusted. Without an anchor, each result
says it trusted the evidence's own digest, head block or config block, i.e. the backend
that served it.

--anchor FILE holds one of: a signed ledgerdb digest (JSON, with --public-key), an
Ethereum block header JSON (eth_getBlockByNumber; its hash is computed, not read), a
Fabric config block (binary, peer channel fetch config), or a trust anchor JSON
({"type":"ledgerdb-digest"|"ethereum-block"|"fabric-config-block"|"fabric-msp-roots",...}).

Exit codes (verify differs from the other commands, which use 3 for a failed proof):
  0  every receipt verified
  1  a check failed (changed value, position, ledger; broken proof or signature)
  2  bad input or usage: unreadable or non-JSON file, unknown document or backend,
     an anchor of the wrong type for the receipt, malformed receipt or evidence,
     a missing adapter package; the message names the problem`;

/** Options of `ledgerkit verify`, as commander parses them. */
interface VerifyOptions {
  anchor?: string;
  publicKey?: string;
  anchorBlock?: string;
  mspRoot?: string[];
  rpc?: string;
  json?: boolean;
  markdown?: boolean;
  debug?: boolean;
}

/**
 * The `ledgerkit verify` command: offline verification of receipts against a trust anchor.
 *
 * @param io - where to write, and stdin
 * @returns the command
 */
export function createVerifyCommand(io: CliOutput): Command {
  const command = new Command('verify')
    .description('Check receipts, revisions or verification bundles offline against an anchor you trust')
    .argument('<FILE>', 'the document to check, or - for stdin')
    .option(
      '--anchor <file>',
      'the trust anchor: a signed ledgerdb digest, an Ethereum block header, a Fabric config block or a trust anchor JSON',
    )
    .option('--public-key <file>', 'PEM Ed25519 key of the ledgerdb owner who signed the digest')
    .option('--anchor-block <n:hash>', 'a trusted Ethereum block, as NUMBER:0xHASH')
    .option(
      '--msp-root <mspid=file>',
      'trusted root CA certificates (PEM) of a Fabric MSP; repeat for each organization',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--rpc <url>', 'fetch the evidence of Ethereum receipts that have none from this JSON-RPC node (untrusted)')
    .addOption(
      new Option('--json', 'one JSON object: {ok, verdict, results:[{title, ok, verdict, anchor, checks}]}').conflicts(
        'markdown',
      ),
    )
    .option('--markdown', 'a Markdown report (a table of checks per receipt)')
    .option('--debug', 'print the stack trace of an error');
  command.addHelpText('after', verifyHelpAfter);
  withExamples(command, [
    'bundle.json --anchor digest.json --public-key owner.pem',
    'receipt.json --rpc http://127.0.0.1:8545 --anchor-block 1234:0xabc...',
    'history.json --anchor config.block --json',
    '- < bundle.json',
  ]);
  return command.action(async (file: string, options: VerifyOptions, self: Command) => {
    let exitCode: number;
    try {
      exitCode = await verify(file, options, io);
    } catch (error) {
      // Every error of verify is bad input (exit 2), one line naming the problem.
      reportError(io, commandPath(self), error, options.debug === true);
      exitCode = verifyExitCodes.badInput;
    }
    if (exitCode !== verifyExitCodes.verified)
      throw new CommanderError(exitCode, 'ledgerkit.exit', `exit code ${exitCode}`);
  });
}

async function verify(file: string, values: VerifyOptions, io: CliOutput): Promise<number> {
  const input = await readInput(io, file, 'FILE');
  const text = new TextDecoder().decode(input);
  // A ledgerdb journal export is one subject, verified whole by @ledgerkit/ledgerdb/verify.
  const exportKind = journalExportKind(text);
  const subjects = exportKind === undefined ? readSubjects(text, file === '-' ? 'stdin' : file) : [];
  const anchor = await readAnchor(
    {
      ...(values.anchor === undefined ? {} : { anchor: values.anchor }),
      ...(values.publicKey === undefined ? {} : { publicKey: values.publicKey }),
      ...(values.anchorBlock === undefined ? {} : { anchorBlock: values.anchorBlock }),
      ...(values.mspRoot === undefined ? {} : { mspRoot: values.mspRoot }),
    },
    (path) => readInput(io, path, 'FILE'),
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
  if (exportKind !== undefined) {
    if (anchor && anchor.type !== 'ledgerdb-digest') {
      throw new InvalidArgumentError(
        '--anchor',
        `wrong anchor type: an anchor of type ${anchor.type} cannot verify a ledgerdb journal export`,
      );
    }
    const feature = 'verifying ledgerdb journal exports';
    const verifier = await loadOptional('@ledgerkit/ledgerdb', feature, () => import('@ledgerkit/ledgerdb/verify'));
    // Ion text is read into records by the main entry (ion-js); JSON Lines by the verifier itself.
    const records =
      exportKind === 'ion'
        ? (await loadOptional('@ledgerkit/ledgerdb', feature, () => import('@ledgerkit/ledgerdb'))).readJournalExport(
            text,
          )
        : text;
    results.push({
      title: `${file === '-' ? 'stdin' : file}: ledgerdb journal export`,
      result: verifier.verifyJournalExport(records, anchor),
    });
  }
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
