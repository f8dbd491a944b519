import { InvalidArgumentError, LedgerError } from '@ledgerkit/core';
import type { Expr } from './ast.js';
import type { EvalContext, PartiqlValue as Value } from './evaluate.js';

/** Aggregates, evaluated over all rows of a SELECT list. */
export const aggregateNames = new Set(['COUNT', 'SUM', 'AVG', 'MIN', 'MAX']);

/** Built-in functions of QLDB's dialect that ledgerdb evaluates (aggregates, CAST, EXTRACT and TRIM besides). */
export const supportedFunctions = [
  'CHAR_LENGTH',
  'CHARACTER_LENGTH',
  'COALESCE',
  'DATE_ADD',
  'DATE_DIFF',
  'EXISTS',
  'LOWER',
  'NULLIF',
  'SIZE',
  'SUBSTRING',
  'TO_STRING',
  'TO_TIMESTAMP',
  'UPPER',
  'UTCNOW',
] as const;

const dateParts = ['year', 'month', 'day', 'hour', 'minute', 'second'] as const;
type DatePart = (typeof dateParts)[number];

function arity(name: string, args: readonly Expr[], min: number, max = min): void {
  if (args.length < min || args.length > max) {
    const wanted = min === max ? `${min}` : `${min} to ${max}`;
    throw new InvalidArgumentError('statement', `${name} takes ${wanted} arguments, got ${args.length}`, {
      function: name,
    });
  }
}

function datePart(name: string, arg: Expr | undefined): DatePart {
  const part = arg?.kind === 'var' ? arg.name.toLowerCase() : undefined;
  if (!part || !(dateParts as readonly string[]).includes(part)) {
    throw new InvalidArgumentError('statement', `${name} needs a date part first: one of ${dateParts.join(', ')}`, {
      function: name,
    });
  }
  return part as DatePart;
}

/** Milliseconds of an ISO 8601 timestamp string, or undefined. */
export function timestampMs(value: Value): number | undefined {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}/.test(value)) return undefined;
  const ms = Date.parse(value.endsWith('T') ? value.slice(0, -1) : value);
  return Number.isNaN(ms) ? undefined : ms;
}

function missingOrNull(value: Value): Value {
  return value === undefined ? undefined : null;
}

/**
 * Calls a scalar built-in.
 *
 * @throws `INVALID_ARGUMENT` for an unknown function or wrong arguments; `UNSUPPORTED` for
 * QLDB functions ledgerdb does not evaluate (TXID, TO_TIMESTAMP with a format)
 */
export function callFunction(
  name: string,
  args: readonly Expr[],
  valueOfArg: (arg: Expr) => Value,
  context: EvalContext,
): Value {
  switch (name) {
    case 'UPPER':
    case 'LOWER': {
      arity(name, args, 1);
      const value = valueOfArg(args[0] as Expr);
      if (typeof value !== 'string') return missingOrNull(value);
      return name === 'UPPER' ? value.toUpperCase() : value.toLowerCase();
    }
    case 'CHAR_LENGTH':
    case 'CHARACTER_LENGTH': {
      arity(name, args, 1);
      const value = valueOfArg(args[0] as Expr);
      return typeof value === 'string' ? [...value].length : missingOrNull(value);
    }
    case 'SUBSTRING': {
      arity(name, args, 2, 3);
      const value = valueOfArg(args[0] as Expr);
      const start = valueOfArg(args[1] as Expr);
      const length = args[2] === undefined ? undefined : valueOfArg(args[2]);
      if (
        typeof value !== 'string' ||
        typeof start !== 'number' ||
        (length !== undefined && typeof length !== 'number')
      ) {
        return missingOrNull(value);
      }
      // SQL semantics: positions from 1; characters before position 1 count against the length.
      const chars = [...value];
      const from = Math.max(1, start);
      const to = length === undefined ? chars.length + 1 : Math.max(from, start + length);
      return chars.slice(from - 1, to - 1).join('');
    }
    case 'SIZE': {
      arity(name, args, 1);
      const value = valueOfArg(args[0] as Expr);
      if (Array.isArray(value)) return value.length;
      if (value !== null && typeof value === 'object') return Object.keys(value).length;
      return missingOrNull(value);
    }
    case 'EXISTS': {
      arity(name, args, 1);
      const value = valueOfArg(args[0] as Expr);
      return Array.isArray(value)
        ? value.length > 0
        : value !== null && typeof value === 'object'
          ? Object.keys(value).length > 0
          : false;
    }
    case 'COALESCE': {
      if (args.length === 0) arity(name, args, 1, Number.POSITIVE_INFINITY);
      for (const arg of args) {
        const value = valueOfArg(arg);
        if (value !== undefined && value !== null) return value;
      }
      return null;
    }
    case 'NULLIF': {
      arity(name, args, 2);
      const left = valueOfArg(args[0] as Expr);
      const right = valueOfArg(args[1] as Expr);
      return JSON.stringify(left) === JSON.stringify(right) ? null : left;
    }
    case 'UTCNOW':
      arity(name, args, 0);
      return context.now();
    case 'DATE_ADD': {
      arity(name, args, 3);
      const part = datePart(name, args[0]);
      const amount = valueOfArg(args[1] as Expr);
      const ms = timestampMs(valueOfArg(args[2] as Expr));
      if (typeof amount !== 'number' || !Number.isInteger(amount) || ms === undefined) return null;
      const date = new Date(ms);
      switch (part) {
        case 'year':
          date.setUTCFullYear(date.getUTCFullYear() + amount);
          break;
        case 'month':
          date.setUTCMonth(date.getUTCMonth() + amount);
          break;
        case 'day':
          date.setUTCDate(date.getUTCDate() + amount);
          break;
        case 'hour':
          date.setUTCHours(date.getUTCHours() + amount);
          break;
        case 'minute':
          date.setUTCMinutes(date.getUTCMinutes() + amount);
          break;
        case 'second':
          date.setUTCSeconds(date.getUTCSeconds() + amount);
          break;
      }
      return date.toISOString();
    }
    case 'DATE_DIFF': {
      arity(name, args, 3);
      const part = datePart(name, args[0]);
      const from = timestampMs(valueOfArg(args[1] as Expr));
      const to = timestampMs(valueOfArg(args[2] as Expr));
      if (from === undefined || to === undefined) return null;
      const a = new Date(from);
      const b = new Date(to);
      const months = (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + (b.getUTCMonth() - a.getUTCMonth());
      const unit = { day: 86_400_000, hour: 3_600_000, minute: 60_000, second: 1000 } as const;
      if (part === 'year') return Math.trunc(months / 12);
      if (part === 'month') return months;
      return Math.trunc((to - from) / unit[part]);
    }
    case 'TO_STRING': {
      arity(name, args, 2);
      const ms = timestampMs(valueOfArg(args[0] as Expr));
      const pattern = valueOfArg(args[1] as Expr);
      if (ms === undefined || typeof pattern !== 'string') return null;
      return formatTimestamp(new Date(ms), pattern);
    }
    case 'TO_TIMESTAMP': {
      arity(name, args, 1, 2);
      if (args.length === 2) {
        throw new LedgerError(
          'UNSUPPORTED',
          'TO_TIMESTAMP with a format pattern is not supported; pass ISO 8601 text',
          {
            details: { function: name },
          },
        );
      }
      const ms = timestampMs(valueOfArg(args[0] as Expr));
      return ms === undefined ? null : new Date(ms).toISOString();
    }
    case 'TXID':
      throw new LedgerError('UNSUPPORTED', 'TXID() is not supported: ledgerdb assigns the transaction id at commit', {
        details: { function: name },
      });
    default:
      if (aggregateNames.has(name)) {
        throw new InvalidArgumentError('statement', `${name} is allowed only in a SELECT list`, { function: name });
      }
      throw new InvalidArgumentError('statement', `unknown function ${name}`, { function: name });
  }
}

/** `EXTRACT(part FROM timestamp)`. */
export function extractPart(part: string, value: Value): Value {
  const ms = timestampMs(value);
  if (ms === undefined) return missingOrNull(value);
  const date = new Date(ms);
  switch (part) {
    case 'year':
      return date.getUTCFullYear();
    case 'month':
      return date.getUTCMonth() + 1;
    case 'day':
      return date.getUTCDate();
    case 'hour':
      return date.getUTCHours();
    case 'minute':
      return date.getUTCMinutes();
    case 'second':
      return date.getUTCSeconds() + date.getUTCMilliseconds() / 1000;
    case 'timezone_hour':
    case 'timezone_minute':
      // ledgerdb holds timestamps in UTC.
      return 0;
    default:
      throw new InvalidArgumentError('statement', `EXTRACT cannot take ${part}`, { part });
  }
}

/** `CAST(value AS type)` for the scalar types documents hold. */
export function castTo(value: Value, type: string): Value {
  if (value === undefined || value === null) return value;
  switch (type) {
    case 'STRING':
    case 'SYMBOL':
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
    case 'INT':
    case 'INTEGER': {
      const number = typeof value === 'boolean' ? Number(value) : Number(value);
      return Number.isFinite(number) && (typeof value !== 'string' || value.trim() !== '') ? Math.trunc(number) : null;
    }
    case 'FLOAT':
    case 'DECIMAL':
    case 'NUMERIC': {
      const number = typeof value === 'boolean' ? Number(value) : Number(value);
      return Number.isFinite(number) && (typeof value !== 'string' || value.trim() !== '') ? number : null;
    }
    case 'BOOL':
    case 'BOOLEAN':
      if (typeof value === 'boolean') return value;
      if (typeof value === 'number') return value !== 0;
      if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
      return null;
    case 'TIMESTAMP': {
      const ms = timestampMs(value);
      return ms === undefined ? null : new Date(ms).toISOString();
    }
    default:
      throw new LedgerError('UNSUPPORTED', `CAST to ${type} is not supported`, { details: { type } });
  }
}

function formatTimestamp(date: Date, pattern: string): string {
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  const months = [
    'January',
    'February',
    'March',
    'April',
    'May',
    'June',
    'July',
    'August',
    'September',
    'October',
    'November',
    'December',
  ];
  const fields: Record<string, () => string> = {
    yyyy: () => pad(date.getUTCFullYear(), 4),
    yy: () => pad(date.getUTCFullYear() % 100, 2),
    MMMM: () => months[date.getUTCMonth()] as string,
    MMM: () => (months[date.getUTCMonth()] as string).slice(0, 3),
    MM: () => pad(date.getUTCMonth() + 1, 2),
    M: () => String(date.getUTCMonth() + 1),
    dd: () => pad(date.getUTCDate(), 2),
    d: () => String(date.getUTCDate()),
    HH: () => pad(date.getUTCHours(), 2),
    H: () => String(date.getUTCHours()),
    mm: () => pad(date.getUTCMinutes(), 2),
    ss: () => pad(date.getUTCSeconds(), 2),
    SSS: () => pad(date.getUTCMilliseconds(), 3),
  };
  // Quoted text is literal; letters are pattern fields, longest first.
  return pattern.replace(/'([^']*)'|yyyy|yy|MMMM|MMM|MM|M|dd|d|HH|H|mm|ss|SSS/g, (match, quoted: string | undefined) =>
    quoted !== undefined ? quoted : (fields[match] as () => string)(),
  );
}
