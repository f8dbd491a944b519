import { InvalidArgumentError, type JsonObject, type JsonValue } from '@ledgerkit/core';
import type { dom } from 'ion-js';

/**
 * An Ion value as the JSON ledgerdb stores: timestamps become ISO 8601 strings in UTC,
 * decimals and floats numbers, symbols strings, s-expressions lists.
 *
 * @param value - an `ion-js` DOM value
 * @param where - what the value is, for the error message
 * @returns its JSON form
 * @throws InvalidArgumentError for what JSON cannot hold exactly: blobs, clobs, integers
 * beyond 2^53, NaN and infinities
 */
export function ionToJson(value: dom.Value, where: string): JsonValue {
  if (value.isNull()) return null;
  const type = value.getType().name;
  switch (type) {
    case 'bool':
      return value.booleanValue() as boolean;
    case 'int': {
      const big = value.bigIntValue() as bigint;
      if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < BigInt(Number.MIN_SAFE_INTEGER)) {
        throw new InvalidArgumentError(where, `${where}: the integer ${big} does not fit a JSON number exactly`);
      }
      return Number(big);
    }
    case 'float':
    case 'decimal': {
      const number = value.numberValue() as number;
      if (!Number.isFinite(number)) throw new InvalidArgumentError(where, `${where}: ${number} has no JSON form`);
      return Object.is(number, -0) ? 0 : number;
    }
    case 'timestamp':
      return value.timestampValue()?.getDate().toISOString() as string;
    case 'string':
    case 'symbol':
      return value.stringValue() as string;
    case 'list':
    case 'sexp':
      return value.elements().map((element, i) => ionToJson(element, `${where}[${i}]`));
    case 'struct': {
      const result: JsonObject = {};
      for (const [name, field] of value.fields()) result[name] = ionToJson(field, `${where}.${name}`);
      return result;
    }
    default:
      throw new InvalidArgumentError(where, `${where}: an Ion ${type} has no JSON form; ledgerdb documents are JSON`);
  }
}
