import { startEthereum, startLedgerdb, startLedgerdbServer } from './backends.ts';
import { supplyChainScenario } from './scenario.ts';

supplyChainScenario('ledgerdb', startLedgerdb, 'ledgerdb embedded');
supplyChainScenario('ledgerdb', startLedgerdbServer, 'ledgerdb server');
supplyChainScenario('ethereum', startEthereum);
