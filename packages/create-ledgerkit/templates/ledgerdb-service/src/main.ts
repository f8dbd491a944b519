// Starts the notes service: `npm start` (PORT, LEDGER_PATH and SIGNING_KEY_PATH from the
// environment). The ledger is one SQLite file; its digests are signed with an Ed25519 key
// made on first start, whose public half clients pin.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { openLedgerDatabase } from '@ledgerkit/ledgerdb';
import { ensureNotesTable, notesService } from './notes-service.ts';

const port = Number(process.env.PORT ?? 3000);
const ledgerPath = process.env.LEDGER_PATH ?? 'data/notes.ledger';
const keyPath = process.env.SIGNING_KEY_PATH ?? 'data/signing-key.pem';

mkdirSync(dirname(ledgerPath), { recursive: true });
if (!existsSync(keyPath)) {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  writeFileSync(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(`${keyPath}.pub`, publicKey.export({ type: 'spki', format: 'pem' }));
}

const ledger = await openLedgerDatabase({ path: ledgerPath, signingKey: readFileSync(keyPath, 'utf8') });
await ensureNotesTable(ledger);
const server = notesService(ledger).listen(port, () => {
  console.log(`notes service on http://localhost:${port} (digests signed; public key in ${keyPath}.pub)`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    void ledger.close();
  });
}
