export { type AnvilNode, type AnvilOptions, startAnvil } from './anvil.js';
