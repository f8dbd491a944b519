import { LedgerError } from '@ledgerkit/core';
import { grants, type Principal } from './auth.js';
import { reservedTablePrefix } from './transactions.js';

/** Whether the caller may read a table: a read grant, and never the server's reserved tables. */
export function canRead(principal: Principal, table: string): boolean {
  return !table.startsWith(reservedTablePrefix) && grants(principal.read, table);
}

/** @throws `PERMISSION_DENIED` when the caller may not read the table */
export function requireRead(principal: Principal, table: string): void {
  if (!canRead(principal, table)) {
    throw new LedgerError('PERMISSION_DENIED', `token ${principal.name} may not read table ${table}`, {
      details: { table },
    });
  }
}
