// Builds the pinned Fabric and Fabric CA binaries into $LEDGERKIT_HOME unless they are there
// already. .ci/run calls it (through `npm run binaries`) so the builds show as their own CI step.
import { ensureFabricBinaries, ensureFabricCaBinaries } from '../dist/index.js';

const binaries = await ensureFabricBinaries({ onProgress: (message) => console.log(message) });
console.log(
  binaries.builtInSeconds === undefined
    ? `Fabric ${binaries.version} binaries cached in ${binaries.binDir}`
    : `Fabric ${binaries.version} built in ${binaries.builtInSeconds}s into ${binaries.binDir}`,
);
const ca = await ensureFabricCaBinaries({ onProgress: (message) => console.log(message) });
console.log(
  ca.builtInSeconds === undefined
    ? `Fabric CA ${ca.version} binaries cached in ${ca.root}/bin`
    : `Fabric CA ${ca.version} built in ${ca.builtInSeconds}s into ${ca.root}/bin`,
);
