import { buildModule } from '@nomicfoundation/hardhat-ignition/modules';

/**
 * Deploys Counter. Parameter `start` (default 0) is the initial count.
 *
 * @example
 * ```sh
 * npx hardhat ignition deploy ignition/modules/Counter.ts --network localhost \
 *   --parameters '{"CounterModule":{"start":10}}'
 * ```
 */
export default buildModule('CounterModule', (m) => {
  const start = m.getParameter('start', 0n);
  const counter = m.contract('Counter', [start]);
  return { counter };
});
