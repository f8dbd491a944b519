// Deploys Counter with its Ignition module (or finds the earlier deployment on a persistent
// network), increments it through @ledgerkit/ethereum and verifies the receipt against the
// chain: `npm run increment` (in-process network) or `npx hardhat run scripts/increment.ts
// --network localhost` (a `npx hardhat node` in another terminal).
import { formatVerification } from '@ledgerkit/core';
import { connectEthereum } from '@ledgerkit/ethereum';
import { artifacts, network } from 'hardhat';
import CounterModule from '../ignition/modules/Counter.ts';

const connection = await network.create();
try {
  const { counter } = await connection.ignition.deploy(CounterModule);
  const ledger = await connectEthereum({
    provider: connection.provider,
    contracts: { Counter: { address: await counter.getAddress(), abi: (await artifacts.readArtifact('Counter')).abi } },
  });
  try {
    const receipt = await ledger.contract('Counter').submit('increment', []);
    console.log(`increment: block ${receipt.position.block}, transaction ${receipt.txId}`);
    console.log(`count is now ${String(await ledger.contract('Counter').read('count', []))}`);
    const verification = await ledger.verify(receipt);
    console.log(formatVerification(verification, 'text', 'Counter.increment receipt'));
    if (!verification.ok) process.exitCode = 1;
  } finally {
    await ledger.close();
  }
} finally {
  await connection.close();
}
