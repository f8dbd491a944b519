import { FabricNetworkError } from '../errors.js';

/** Named endorsement policies; anything else must be a Fabric signature policy expression. */
export type PolicyShorthand = 'majority' | 'any' | 'all';

const roles = new Set(['member', 'peer', 'admin', 'client', 'orderer']);

/**
 * Turns a shorthand or an expression into a Fabric signature policy, checking that it
 * parses and names only organizations of the network.
 */
export function endorsementPolicy(policy: string | undefined, mspIds: readonly string[]): string {
  const peers = mspIds.map((mspId) => `'${mspId}.peer'`).join(',');
  switch (policy ?? 'majority') {
    case 'majority':
      return `OutOf(${Math.floor(mspIds.length / 2) + 1},${peers})`;
    case 'any':
      return `OR(${peers})`;
    case 'all':
      return `AND(${peers})`;
  }
  const expression = (policy as string).trim();
  const bad = (why: string): never => {
    throw new FabricNetworkError(
      'BAD_OPTION',
      `invalid endorsement policy '${expression}': ${why}; use 'majority', 'any', 'all' or an expression such as AND('Org1MSP.peer','Org2MSP.peer')`,
      { option: 'policy', value: expression, organizations: mspIds },
    );
  };
  let position = 0;
  const skipSpace = () => {
    while (/\s/.test(expression[position] ?? '')) position++;
  };
  const parseNode = (): void => {
    skipSpace();
    if (expression[position] === "'") {
      const end = expression.indexOf("'", position + 1);
      if (end < 0) bad('an unterminated quote');
      const principal = expression.slice(position + 1, end);
      const dot = principal.lastIndexOf('.');
      const mspId = principal.slice(0, dot);
      const role = principal.slice(dot + 1);
      if (dot < 0 || !roles.has(role)) bad(`'${principal}' is not '<MSP id>.<member|peer|admin|client>'`);
      if (!mspIds.includes(mspId)) bad(`'${mspId}' is not an organization of this network`);
      position = end + 1;
      return;
    }
    const match = /^(AND|OR|OutOf)\s*\(/.exec(expression.slice(position));
    if (!match) bad(`expected AND(, OR(, OutOf( or a quoted principal at position ${position}`);
    const operator = (match as RegExpExecArray)[1];
    position += (match as RegExpExecArray)[0].length;
    let operands = 0;
    if (operator === 'OutOf') {
      skipSpace();
      const count = /^\d+/.exec(expression.slice(position));
      if (!count) bad('OutOf needs a count first');
      position += (count as RegExpExecArray)[0].length;
      skipSpace();
      if (expression[position] !== ',') bad('OutOf needs a comma after the count');
      position++;
    }
    for (;;) {
      parseNode();
      operands++;
      skipSpace();
      if (expression[position] === ',') {
        position++;
        continue;
      }
      if (expression[position] === ')') {
        position++;
        break;
      }
      bad(`expected ',' or ')' at position ${position}`);
    }
    if (operands < 1) bad('an operator needs operands');
  };
  parseNode();
  skipSpace();
  if (position !== expression.length) bad(`unexpected text at position ${position}`);
  return expression;
}
