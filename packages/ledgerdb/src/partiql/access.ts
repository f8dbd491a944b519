import type { FromItem, Statement } from './ast.js';

/** What a statement touches, for a server to check a caller's rights before running it. */
export interface StatementAccess {
  /** Tables whose documents, history or committed view it reads. */
  read: string[];
  /** Tables whose documents it writes. */
  write: string[];
  /**
   * Whether it changes the catalog (CREATE TABLE, CREATE INDEX, DROP, UNDROP) or runs a
   * procedure (EXEC redact_revision), which the server leaves to admin tokens.
   */
  admin: boolean;
  /** Whether it reads the catalog (`information_schema.user_tables`). */
  catalog: boolean;
}

/**
 * Every table a parsed statement reads or writes. DML writes the table of its first FROM
 * item and reads every FROM item; EXPLAIN reads what its statement would (it shows indexes).
 *
 * @param statement - from `parseStatement`
 * @returns the tables, without duplicates
 */
export function statementAccess(statement: Statement): StatementAccess {
  const read = new Set<string>();
  const write = new Set<string>();
  let admin = false;
  let catalog = false;
  const visitFrom = (from: readonly FromItem[]) => {
    for (const item of from) {
      const source = item.source;
      if (source.kind === 'table' || source.kind === 'committed' || source.kind === 'history') read.add(source.table);
      else if (source.kind === 'userTables') catalog = true;
    }
  };
  const visit = (current: Statement) => {
    switch (current.kind) {
      case 'select':
        visitFrom(current.from);
        return;
      case 'dml': {
        visitFrom(current.from);
        const first = current.from[0]?.source;
        if (first?.kind === 'table') write.add(first.table);
        return;
      }
      case 'insert':
        write.add(current.table);
        return;
      case 'explain':
        visit(current.statement);
        // EXPLAIN writes nothing: what its statement would write, it only reads the plan of.
        for (const table of write) read.add(table);
        write.clear();
        return;
      case 'createTable':
      case 'createIndex':
      case 'dropTable':
      case 'undropTable':
        admin = true;
        read.add(current.table);
        write.add(current.table);
        return;
      case 'exec':
        admin = true;
        return;
    }
  };
  visit(statement);
  return { read: [...read], write: [...write], admin, catalog };
}
