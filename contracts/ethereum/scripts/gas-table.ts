// Measures the gas of every state-changing SupplyChain function with the production build
// (optimizer on) on Hardhat's in-process EDR network and prints the README's Markdown table.
//   npm run gas -w @ledgerkit/contracts-ethereum
import { ContractFactory, encodeBytes32String, id, type TransactionReceipt } from 'ethers';
import { network } from 'hardhat';
import { supplyChainAbi, supplyChainBytecode, supplyChainRoles } from '../src/index.ts';

const { ethers, networkHelpers } = await network.create();
const [admin, maker, carrier, retailer] = await ethers.getSigners();
if (!admin || !maker || !carrier || !retailer) throw new Error('need 4 accounts');

const rows: Array<[string, string, bigint]> = [];
const record = async (name: string, note: string, pending: Promise<{ wait(): Promise<TransactionReceipt | null> }>) => {
  const receipt = await (await pending).wait();
  if (!receipt) throw new Error(`${name}: no receipt`);
  rows.push([name, note, receipt.gasUsed]);
};

const factory = new ContractFactory(supplyChainAbi, supplyChainBytecode, admin);
const deployed = await factory.deploy(admin.address);
const deployment = await deployed.deploymentTransaction()?.wait();
if (deployment) rows.push(['deployment', 'constructor(admin)', deployment.gasUsed]);
// biome-ignore lint/suspicious/noExplicitAny: a loosely typed handle keeps this script short
const chain = deployed as any;
const by = (signer: typeof admin) => chain.connect(signer);

await record('grantRole', 'first grant of a role', by(admin).grantRole(supplyChainRoles.manufacturer, maker.address));
await by(admin).grantRole(supplyChainRoles.carrier, carrier.address);
await by(admin).grantRole(supplyChainRoles.retailer, retailer.address);
const asset = id('gas-asset');
await record(
  'registerAsset',
  'new asset, 4 slots (no limit is stored too)',
  by(maker).registerAsset(asset, id('product'), id('document')),
);
const expiry = (await networkHelpers.time.latest()) + 86_400;
await record('offerCustody', 'no pending offer', by(maker).offerCustody(asset, carrier.address, expiry));
await record('offerCustody', 'replaces a pending offer', by(maker).offerCustody(asset, retailer.address, expiry));
await record('cancelOffer', '', by(maker).cancelOffer(asset));
await by(maker).offerCustody(asset, carrier.address, expiry);
await record('acceptCustody', 'clears the offer', by(carrier).acceptCustody(asset));
const location = encodeBytes32String('NL-RTM');
await record('recordCheckpoint', 'first checkpoint', by(carrier).recordCheckpoint(asset, location, -1850, id('d1')));
await record('recordCheckpoint', 'later checkpoint', by(carrier).recordCheckpoint(asset, location, 420, id('d2')));
const batch = id('gas-batch');
await record(
  'registerBatch',
  'new batch with a temperature limit, 4 slots',
  by(maker).registerBatch(batch, id('product'), id('document'), 800),
);
await by(maker).offerCustody(batch, retailer.address, expiry);
await by(retailer).acceptCustody(batch);
await record(
  'recordCheckpoint',
  'above the limit: flags',
  by(retailer).recordCheckpoint(batch, location, 950, id('d3')),
);
await record('receiveAsset', 'final delivery', by(retailer).receiveAsset(batch));
await record('revokeRole', '', by(admin).revokeRole(supplyChainRoles.retailer, retailer.address));

console.log('| function | case | gas used |');
console.log('| --- | --- | ---: |');
for (const [name, note, gas] of rows) console.log(`| \`${name}\` | ${note} | ${gas.toLocaleString('en-US')} |`);
const view = await ethers.provider.estimateGas({
  to: await chain.getAddress(),
  data: chain.interface.encodeFunctionData('getAsset', [asset]),
});
console.log(`| \`getAsset\` (view, eth_estimateGas incl. 21,000 base) | | ${view.toLocaleString('en-US')} |`);
