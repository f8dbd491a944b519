import { InvalidArgumentError, type JsonObject, type JsonValue, LedgerError } from '@ledgerkit/core';
import type { Expr, PathStep } from './ast.js';
import { callFunction, castTo, extractPart } from './functions.js';

/** A PartiQL value as ledgerdb holds it: JSON, or `undefined` for MISSING. */
export type PartiqlValue = JsonValue | undefined;
type Value = PartiqlValue;

/** Variables in scope: FROM aliases (and AT/BY names) bound to their values, in FROM order. */
export interface Scope {
  readonly vars: ReadonlyMap<string, Value>;
  /** FROM aliases whose values are rows, searched for fields named without an alias. */
  readonly rows: readonly string[];
}

/** What expressions may use besides variables. */
export interface EvalContext {
  readonly params: readonly PartiqlValue[];
  /** The statement's time, ISO 8601 UTC (`UTCNOW()`); read only when a statement asks. */
  now(): string;
}

export const isStruct = (value: Value): value is JsonObject =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Evaluates an expression with PartiQL's permissive semantics: a missing field is MISSING,
 * an operator on values of the wrong type gives NULL (unknown), not an error.
 */
export function evaluate(expr: Expr, scope: Scope, context: EvalContext): Value {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'missing':
      return undefined;
    case 'param': {
      if (expr.index >= context.params.length) {
        throw new InvalidArgumentError(
          'params',
          `the statement uses parameter ${expr.index + 1} but got ${context.params.length}`,
        );
      }
      return context.params[expr.index];
    }
    case 'var':
      return lookup(expr.name, expr.at, scope);
    case 'path': {
      let value = evaluate(expr.base, scope, context);
      for (const step of expr.steps) {
        value = stepInto(value, step, scope, context);
        if (value === undefined) return undefined;
      }
      return value;
    }
    case 'call':
      return callFunction(expr.name, expr.args, (arg) => evaluate(arg, scope, context), context);
    case 'countStar':
      throw new LedgerError('INVALID_ARGUMENT', 'COUNT(*) is allowed only in a SELECT list', {
        details: { argument: 'statement' },
      });
    case 'cast':
      return castTo(evaluate(expr.expr, scope, context), expr.type);
    case 'extract':
      return extractPart(expr.part, evaluate(expr.expr, scope, context));
    case 'trim': {
      const value = evaluate(expr.expr, scope, context);
      const chars = expr.chars === undefined ? ' ' : evaluate(expr.chars, scope, context);
      if (typeof value !== 'string' || typeof chars !== 'string') return value === undefined ? undefined : null;
      let start = 0;
      let end = value.length;
      if (expr.spec !== 'TRAILING') while (start < end && chars.includes(value[start] as string)) start++;
      if (expr.spec !== 'LEADING') while (end > start && chars.includes(value[end - 1] as string)) end--;
      return value.slice(start, end);
    }
    case 'unary': {
      const value = evaluate(expr.expr, scope, context);
      if (expr.op === 'NOT') return typeof value === 'boolean' ? !value : null;
      if (typeof value !== 'number') return value === undefined ? undefined : null;
      return expr.op === '-' ? -value : value;
    }
    case 'binary':
      return binary(expr, scope, context);
    case 'is': {
      const value = evaluate(expr.expr, scope, context);
      const result = expr.test === 'MISSING' ? value === undefined : value === undefined || value === null;
      return expr.not ? !result : result;
    }
    case 'in': {
      const value = evaluate(expr.expr, scope, context);
      const list = evaluate(expr.list, scope, context);
      if (!Array.isArray(list) || value === undefined || value === null) return null;
      let unknown = false;
      for (const item of list) {
        const equal = equals(value, item);
        if (equal === true) return !expr.not;
        if (equal === null) unknown = true;
      }
      return unknown ? null : expr.not;
    }
    case 'between': {
      const value = evaluate(expr.expr, scope, context);
      const low = compare(value, evaluate(expr.low, scope, context));
      const high = compare(value, evaluate(expr.high, scope, context));
      if (low === null || high === null) return null;
      const inside = low >= 0 && high <= 0;
      return expr.not ? !inside : inside;
    }
    case 'like': {
      const value = evaluate(expr.expr, scope, context);
      const pattern = evaluate(expr.pattern, scope, context);
      const escapeChar = expr.escape === undefined ? undefined : evaluate(expr.escape, scope, context);
      if (typeof value !== 'string' || typeof pattern !== 'string') return null;
      if (escapeChar !== undefined && (typeof escapeChar !== 'string' || escapeChar.length !== 1)) {
        throw new InvalidArgumentError('statement', 'the ESCAPE of LIKE must be one character');
      }
      const matched = likePattern(pattern, escapeChar).test(value);
      return expr.not ? !matched : matched;
    }
    case 'struct': {
      const result: JsonObject = {};
      for (const field of expr.fields) {
        const key = evaluate(field.key, scope, context);
        if (typeof key !== 'string') {
          throw new InvalidArgumentError('statement', 'a struct field name must be a string');
        }
        const value = evaluate(field.value, scope, context);
        if (value !== undefined) result[key] = value;
      }
      return result;
    }
    case 'list':
    case 'bag':
      // A bag is held as a list: ledgerdb stores JSON, which has no bags.
      return expr.items.map((item) => evaluate(item, scope, context) ?? null);
  }
}

function lookup(name: string, at: boolean, scope: Scope): Value {
  if (scope.vars.has(name)) return scope.vars.get(name);
  if (at) return undefined;
  // Unqualified: a field of a FROM row, the first that has it.
  for (const alias of scope.rows) {
    const row = scope.vars.get(alias);
    if (isStruct(row) && Object.hasOwn(row, name)) return row[name];
  }
  return undefined;
}

function stepInto(value: Value, step: PathStep, scope: Scope, context: EvalContext): Value {
  if (step.kind === 'field') return isStruct(value) && Object.hasOwn(value, step.name) ? value[step.name] : undefined;
  const key = evaluate(step.expr, scope, context);
  if (typeof key === 'number' && Array.isArray(value)) return Number.isInteger(key) ? value[key] : undefined;
  if (typeof key === 'string' && isStruct(value)) return Object.hasOwn(value, key) ? value[key] : undefined;
  return undefined;
}

function binary(expr: Extract<Expr, { kind: 'binary' }>, scope: Scope, context: EvalContext): Value {
  if (expr.op === 'AND' || expr.op === 'OR') {
    const left = evaluate(expr.left, scope, context);
    const stop = expr.op === 'OR';
    if (left === stop) return stop;
    const right = evaluate(expr.right, scope, context);
    if (right === stop) return stop;
    return typeof left === 'boolean' && typeof right === 'boolean' ? !stop : null;
  }
  const left = evaluate(expr.left, scope, context);
  const right = evaluate(expr.right, scope, context);
  switch (expr.op) {
    case '=':
      return equals(left, right);
    case '<>': {
      const equal = equals(left, right);
      return equal === null ? null : !equal;
    }
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const order = compare(left, right);
      if (order === null) return null;
      return expr.op === '<' ? order < 0 : expr.op === '<=' ? order <= 0 : expr.op === '>' ? order > 0 : order >= 0;
    }
    case '||':
      return typeof left === 'string' && typeof right === 'string' ? left + right : null;
    default: {
      if (typeof left !== 'number' || typeof right !== 'number') return null;
      switch (expr.op) {
        case '+':
          return left + right;
        case '-':
          return left - right;
        case '*':
          return left * right;
        case '/':
          return right === 0 ? null : left / right;
        case '%':
          return right === 0 ? null : left % right;
      }
    }
  }
}

/** PartiQL `=`: NULL when either side is NULL or MISSING, else deep equality. */
export function equals(left: Value, right: Value): boolean | null {
  if (left === undefined || right === undefined || left === null || right === null) return null;
  return deepEqual(left, right);
}

function deepEqual(left: JsonValue, right: JsonValue): boolean {
  if (left === right) return true;
  if (Array.isArray(left)) {
    return (
      Array.isArray(right) &&
      left.length === right.length &&
      left.every((item, i) => deepEqual(item, right[i] as JsonValue))
    );
  }
  if (isStruct(left) && isStruct(right)) {
    const keys = Object.keys(left);
    return (
      keys.length === Object.keys(right).length &&
      keys.every((key) => Object.hasOwn(right, key) && deepEqual(left[key] as JsonValue, right[key] as JsonValue))
    );
  }
  return false;
}

/** Order of two values of the same scalar type (numbers, strings, booleans); NULL otherwise. */
export function compare(left: Value, right: Value): number | null {
  if (typeof left === 'number' && typeof right === 'number') return left - right;
  if (typeof left === 'string' && typeof right === 'string') return left < right ? -1 : left > right ? 1 : 0;
  if (typeof left === 'boolean' && typeof right === 'boolean') return Number(left) - Number(right);
  return null;
}

const likeCache = new Map<string, RegExp>();

function likePattern(pattern: string, escapeChar: string | undefined): RegExp {
  const key = `${escapeChar ?? ''}\u0000${pattern}`;
  let regex = likeCache.get(key);
  if (!regex) {
    let source = '';
    for (let i = 0; i < pattern.length; i++) {
      const char = pattern[i] as string;
      if (char === escapeChar && i + 1 < pattern.length) {
        source += (pattern[++i] as string).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      } else if (char === '%') source += '[\\s\\S]*';
      else if (char === '_') source += '[\\s\\S]';
      else source += char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
    regex = new RegExp(`^${source}$`, 'u');
    if (likeCache.size > 1000) likeCache.clear();
    likeCache.set(key, regex);
  }
  return regex;
}
