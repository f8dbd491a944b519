import type { ParamType, Result } from 'ethers';

/**
 * Converts an ethers-decoded value to the shape abitype promises for `outputs`: structs
 * with named fields as objects, integers up to 48 bits as numbers, wider ones as bigint.
 */
export function toAbitypeValue(param: ParamType, value: unknown): unknown {
  if (param.isTuple()) {
    const result = value as Result;
    const components = param.components;
    const named = components.length > 0 && components.every((component) => component.name !== '');
    if (!named) return components.map((component, index) => toAbitypeValue(component, result[index]));
    return Object.fromEntries(
      components.map((component, index) => [component.name, toAbitypeValue(component, result[index])]),
    );
  }
  if (param.isArray()) return (value as unknown[]).map((item) => toAbitypeValue(param.arrayChildren, item));
  const integer = /^u?int(\d*)$/.exec(param.type);
  if (integer) return Number(integer[1] || 256) <= 48 ? Number(value) : value;
  return value;
}
