// The command groups of `ledgerkit`, one line each: adding a group is adding its line here.
// Each takes the io and whether the arguments name it (for groups loaded only when used).
export { createDbCommand as db } from './commands/db.js';
export { createDemoCommand as demo } from './commands/demo.js';
export { createEthCommand as eth } from './commands/eth.js';
export { createFabricCommand as fabric } from './commands/fabric.js';
export { createNetworkCommand as network } from './commands/network.js';
export { createVerifyCommand as verify } from './commands/verify.js';
