// The public surface of a package as text for its exports snapshot: every export of every
// entry point in package.json `exports`, with its kind and declared type or signature, read
// with the TypeScript compiler API from the entry's `src/` module. A changed parameter,
// property or return type then shows in review as a snapshot diff, not only an added or
// removed name. Test-only: packages import it from their exports.test.ts, never at runtime.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const print =
  ts.TypeFormatFlags.NoTruncation |
  ts.TypeFormatFlags.UseSingleQuotesForStringLiteralType |
  ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope;
const programs = new Map();

/** The package's program over all its entry modules, built once per package. */
function programOf(packageDir) {
  const cached = programs.get(packageDir);
  if (cached) return cached;
  const packageJson = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  const entries = new Map();
  for (const subpath of Object.keys(packageJson.exports ?? {})) {
    if (subpath === './package.json') continue;
    const file = join(packageDir, 'src', `${subpath === '.' ? 'index' : subpath.slice(2)}.ts`);
    if (!existsSync(file)) throw new Error(`${packageJson.name} exports ${subpath}, but ${file} does not exist`);
    entries.set(subpath, file);
  }
  const configFile = join(packageDir, 'tsconfig.json');
  const parsed = ts.getParsedCommandLineOfConfigFile(
    configFile,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  const program = ts.createProgram([...entries.values()], { ...parsed?.options, noEmit: true });
  const made = { program, checker: program.getTypeChecker(), entries };
  programs.set(packageDir, made);
  return made;
}

// Members that TypeScript's lib or @types/node declare (Error's `message`, `captureStackTrace`)
// change with those versions, not with the package: they are left out.
function isPlatformDeclaration(declaration) {
  const file = declaration.getSourceFile().fileName;
  return /\/node_modules\/(typescript\/lib|@types\/node)\//.test(file);
}

function isPublicMember(symbol) {
  if (symbol.name.startsWith('#') || symbol.name.startsWith('__')) return false;
  if ((symbol.declarations ?? []).length > 0 && symbol.declarations.every(isPlatformDeclaration)) return false;
  const modifiers = ts.getCombinedModifierFlags(symbol.valueDeclaration ?? symbol.declarations?.[0] ?? {});
  return (modifiers & ts.ModifierFlags.Private) === 0;
}

const printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed });
/** A node's source as one line, without comments. */
const written = (node) =>
  printer.printNode(ts.EmitHint.Unspecified, node, node.getSourceFile()).replace(/\s+/g, ' ').trim();

/** A signature as its declaration writes it, or undefined when the checker must infer part of it. */
function writtenSignature(declaration) {
  if (!declaration || !ts.isFunctionLike(declaration) || !declaration.type) return undefined;
  if (declaration.parameters.some((parameter) => !parameter.type && !parameter.initializer)) return undefined;
  const parameters = declaration.typeParameters ? `<${declaration.typeParameters.map(written).join(', ')}>` : '';
  return `${parameters}(${declaration.parameters.map(written).join(', ')}): ${written(declaration.type)}`;
}

/** The signatures of a function or method: the overloads as written, else what the checker infers. */
function signatureTexts(checker, symbol, type) {
  const declarations = (symbol.declarations ?? []).filter((node) => ts.isFunctionLike(node));
  const overloads = declarations.length > 1 ? declarations.filter((node) => !node.body) : declarations;
  const texts = overloads.map(writtenSignature);
  if (texts.length > 0 && texts.every((text) => text !== undefined)) return texts;
  return type.getCallSignatures().map((signature) => checker.signatureToString(signature, undefined, print));
}

/** A property's type as its declaration writes it, else what the checker infers. */
function propertyText(checker, symbol, type) {
  const declaration = symbol.valueDeclaration ?? symbol.declarations?.[0];
  if (declaration && 'type' in declaration && declaration.type && !ts.isFunctionLike(declaration)) {
    return written(declaration.type);
  }
  return checker.typeToString(type, undefined, print);
}

function memberLines(checker, type, location) {
  const lines = [];
  for (const signature of type.getConstructSignatures())
    lines.push(`new${checker.signatureToString(signature, undefined, print)}`);
  for (const signature of type.getCallSignatures()) lines.push(checker.signatureToString(signature, undefined, print));
  for (const property of checker.getPropertiesOfType(type)) {
    if (!isPublicMember(property)) continue;
    const declaration = property.valueDeclaration ?? property.declarations?.[0];
    const modifiers = declaration ? ts.getCombinedModifierFlags(declaration) : 0;
    const prefix =
      (modifiers & ts.ModifierFlags.Protected ? 'protected ' : '') +
      (modifiers & ts.ModifierFlags.Readonly ||
      (property.flags & ts.SymbolFlags.GetAccessor && !(property.flags & ts.SymbolFlags.SetAccessor))
        ? 'readonly '
        : '');
    const optional = property.flags & ts.SymbolFlags.Optional ? '?' : '';
    const propertyType = checker.getTypeOfSymbolAtLocation(property, location);
    if (property.flags & ts.SymbolFlags.Method) {
      for (const signature of signatureTexts(checker, property, propertyType)) {
        lines.push(`${prefix}${property.name}${optional}${signature}`);
      }
    } else {
      lines.push(`${prefix}${property.name}${optional}: ${propertyText(checker, property, propertyType)}`);
    }
  }
  for (const info of checker.getIndexInfosOfType(type)) {
    lines.push(
      `[key: ${checker.typeToString(info.keyType, undefined, print)}]: ${checker.typeToString(info.type, undefined, print)}`,
    );
  }
  return lines.map((line) => `  ${line}`);
}

function typeParameters(declaration) {
  const parameters = declaration && ts.getEffectiveTypeParameterDeclarations(declaration);
  return parameters && parameters.length > 0 ? `<${parameters.map(written).join(', ')}>` : '';
}

function constructorTexts(checker, symbol, statics) {
  const declarations = (symbol.members?.get(ts.InternalSymbolName.Constructor)?.declarations ?? []).filter(
    ts.isConstructorDeclaration,
  );
  const overloads = declarations.length > 1 ? declarations.filter((node) => !node.body) : declarations;
  if (overloads.length > 0) {
    return overloads
      .filter((node) => !(ts.getCombinedModifierFlags(node) & ts.ModifierFlags.Private))
      .map((node) => `  constructor(${node.parameters.map(written).join(', ')})`);
  }
  return statics
    .getConstructSignatures()
    .map(
      (signature) => `  constructor${checker.signatureToString(signature, undefined, print).replace(/: [^:]*$/, '')}`,
    );
}

/** One export as text: kind, name, and its signature, type or members. */
function describe(checker, exported, location) {
  const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
  const name = exported.name;
  const declaration = symbol.valueDeclaration ?? symbol.declarations?.[0];
  const parts = [];
  if (symbol.flags & ts.SymbolFlags.Function) {
    const type = checker.getTypeOfSymbolAtLocation(symbol, location);
    for (const signature of signatureTexts(checker, symbol, type)) parts.push(`function ${name}${signature}`);
  }
  if (symbol.flags & ts.SymbolFlags.Class) {
    const declared = checker.getDeclaredTypeOfSymbol(symbol);
    const statics = checker.getTypeOfSymbolAtLocation(symbol, location);
    const staticLines = checker
      .getPropertiesOfType(statics)
      .filter((property) => property.name !== 'prototype' && isPublicMember(property))
      .map(
        (property) =>
          `  static ${property.name}: ${checker.typeToString(checker.getTypeOfSymbolAtLocation(property, location), undefined, print)}`,
      );
    const heritage = declared.getBaseTypes?.() ?? [];
    const extendsText =
      heritage.length > 0
        ? ` extends ${heritage.map((base) => checker.typeToString(base, undefined, print)).join(', ')}`
        : '';
    parts.push(
      [
        `class ${name}${typeParameters(declaration)}${extendsText} {`,
        ...constructorTexts(checker, symbol, statics),
        ...staticLines,
        ...memberLines(checker, declared, location),
        '}',
      ].join('\n'),
    );
  } else if (symbol.flags & ts.SymbolFlags.Interface) {
    const declared = checker.getDeclaredTypeOfSymbol(symbol);
    parts.push(
      [`interface ${name}${typeParameters(declaration)} {`, ...memberLines(checker, declared, location), '}'].join(
        '\n',
      ),
    );
  }
  if (symbol.flags & ts.SymbolFlags.TypeAlias) {
    // The alias as written (white space folded): the checker would expand it.
    const text =
      declaration && ts.isTypeAliasDeclaration(declaration)
        ? written(declaration.type)
        : checker.typeToString(
            checker.getDeclaredTypeOfSymbol(symbol),
            undefined,
            print | ts.TypeFormatFlags.InTypeAlias,
          );
    parts.push(`type ${name}${typeParameters(declaration)} = ${text}`);
  }
  if (symbol.flags & ts.SymbolFlags.Enum) {
    const members = checker
      .getExportsOfModule(symbol)
      .map((member) => `  ${member.name} = ${JSON.stringify(checker.getConstantValue(member.valueDeclaration))}`);
    parts.push([`enum ${name} {`, ...members, '}'].join('\n'));
  }
  if (symbol.flags & ts.SymbolFlags.Variable) {
    const type = checker.getTypeOfSymbolAtLocation(symbol, location);
    const isConst =
      declaration && ts.isVariableDeclaration(declaration) && ts.getCombinedNodeFlags(declaration) & ts.NodeFlags.Const;
    parts.push(`${isConst ? 'const' : 'let'} ${name}: ${propertyText(checker, symbol, type)}`);
  }
  if (
    symbol.flags & (ts.SymbolFlags.ValueModule | ts.SymbolFlags.NamespaceModule) &&
    !(symbol.flags & ts.SymbolFlags.Function)
  ) {
    const members = checker
      .getExportsOfModule(symbol)
      .map((member) => member.name)
      .sort();
    parts.push(`namespace ${name} { ${members.join(', ')} }`);
  }
  if (parts.length === 0) parts.push(`unknown ${name}`);
  return parts.join('\n');
}

/**
 * The public surface of one entry point of a package, as snapshot text.
 *
 * @param {string} packageDir - the package folder (holding package.json and tsconfig.json)
 * @param {string} subpath - a key of package.json `exports`, e.g. `.` or `./verify`
 * @returns {string} one block per export, sorted by name
 * @throws {Error} when the entry module does not exist or does not type-check to a module
 */
export function publicSurface(packageDir, subpath) {
  const { program, checker, entries } = programOf(packageDir);
  const file = entries.get(subpath);
  if (!file) throw new Error(`${packageDir}/package.json does not export ${subpath}`);
  const source = program.getSourceFile(file);
  const module = source && checker.getSymbolAtLocation(source);
  if (!module) throw new Error(`${file} is not a module`);
  return checker
    .getExportsOfModule(module)
    .sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0))
    .map((exported) => describe(checker, exported, source))
    .join('\n\n');
}
