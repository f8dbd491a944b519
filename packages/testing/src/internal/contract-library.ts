import { createRequire } from 'node:module';
import { JSONSerializer as OwnJSONSerializer } from 'fabric-contract-api';

/** One transaction as fabric-contract-api's metadata describes it (the `fabric:transactions` entries). */
export interface TransactionMetadata {
  name: string;
  /** Absent: any number of arguments, passed on as strings. */
  parameters?: Array<{ name: string; schema: Record<string, unknown> }>;
  returns?: { schema?: unknown };
}

/**
 * fabric-shim's DataMarshall, or what the harness does in its place: converts the
 * arguments to the types the metadata declares and the result to the response bytes.
 */
export interface Marshall {
  handleParameters(fn: TransactionMetadata, parameters: Buffer[], loggerPrefix: string): unknown[];
  toWireBuffer(result: unknown, schema: unknown, loggerPrefix: string): Buffer | undefined;
}

interface Serializer {
  toBuffer(result: unknown, schema?: unknown, loggerPrefix?: string): Buffer | undefined;
  fromBuffer(data: Buffer, fullSchema: unknown, loggerPrefix?: string): { value: unknown };
}

type SerializerClass = new () => Serializer;
type DataMarshallClass = new (
  requested: string,
  serializers: Record<string, SerializerClass>,
  components: Record<string, unknown>,
) => Marshall;

const localRequire = createRequire(import.meta.url);

// The class at the root of a contract class's prototype chain: fabric-contract-api's
// Contract, from whichever copy of the library the chaincode was compiled against.
function rootClass(type: object): object {
  let current = type;
  for (;;) {
    const parent = Object.getPrototypeOf(current) as object | null;
    if (typeof parent !== 'function' || parent === Function.prototype) return current;
    current = parent;
  }
}

// The loaded fabric-contract-api module whose Contract the chaincode extends. Node keeps
// every CommonJS module it loaded (also through `import`) in the one require cache.
function contractApiOf(contractClass: object): { filename: string; exports: Record<string, unknown> } | undefined {
  const root = rootClass(contractClass);
  for (const module of Object.values(localRequire.cache)) {
    const exports = module?.exports as Record<string, unknown> | undefined;
    if (module && exports && exports.Contract === root && typeof exports.JSONSerializer === 'function') {
      return { filename: module.filename, exports };
    }
  }
  return undefined;
}

// Without fabric-shim next to the chaincode's fabric-contract-api, the same conversion
// through the chaincode's serializer, minus the JSON-schema validation of objects.
function serializerMarshall(serializer: Serializer, components: Record<string, unknown>): Marshall {
  return {
    handleParameters(fn, parameters, loggerPrefix) {
      const expected = fn.parameters;
      if (!expected) return parameters.map((parameter) => parameter.toString());
      if (expected.length !== parameters.length) {
        throw new Error(`Expected ${expected.length} parameters, but ${parameters.length} have been supplied`);
      }
      return expected.map((parameter, index) => {
        if (!parameter.schema.type && !parameter.schema.$ref) {
          throw new Error(`Incorrect type information ${JSON.stringify(parameter.schema)}`);
        }
        const schema = { properties: { prop: parameter.schema }, components: { schemas: components } };
        return serializer.fromBuffer(parameters[index] as Buffer, schema, loggerPrefix).value;
      });
    },
    toWireBuffer: (result, schema, loggerPrefix) => serializer.toBuffer(result, schema ?? {}, loggerPrefix),
  };
}

/**
 * How a peer's chaincode process would convert this contract's arguments and results: with
 * the fabric-shim and fabric-contract-api installed next to the chaincode (a peer runs the
 * chaincode's own copies, whatever version the test project has), so parameters typed
 * `number`, `boolean` or an `@Object()` class arrive converted and validated, and results are
 * serialized by the chaincode's own library.
 * @param contractClass a contract class of the chaincode.
 * @param components the `@Object()` schemas (`fabric:objects` metadata).
 * @returns the marshall.
 */
export function marshallFor(contractClass: object, components: Record<string, unknown>): Marshall {
  const library = contractApiOf(contractClass);
  const Serializer = (library?.exports.JSONSerializer ?? OwnJSONSerializer) as unknown as SerializerClass;
  if (library) {
    try {
      const DataMarshall = createRequire(library.filename)(
        'fabric-shim/lib/contract-spi/datamarshall.js',
      ) as DataMarshallClass;
      return new DataMarshall('jsonSerializer', { jsonSerializer: Serializer }, components);
    } catch {
      // No fabric-shim beside the chaincode's fabric-contract-api: convert without it.
    }
  }
  return serializerMarshall(new Serializer(), components);
}
