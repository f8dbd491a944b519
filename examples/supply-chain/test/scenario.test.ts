import { startEthereum, startLedgerdb } from './backends.ts';
import { supplyChainScenario } from './scenario.ts';

supplyChainScenario('ledgerdb', startLedgerdb);
supplyChainScenario('ethereum', startEthereum);
