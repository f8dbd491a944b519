// Builds the pinned Fabric binaries into $LEDGERKIT_HOME unless they are there already.
// .ci/run calls it (through `npm run binaries`) so the build shows as its own CI step.
import { ensureFabricBinaries } from '../dist/index.js';

const binaries = await ensureFabricBinaries({ onProgress: (message) => console.log(message) });
console.log(
  binaries.builtInSeconds === undefined
    ? `Fabric ${binaries.version} binaries cached in ${binaries.binDir}`
    : `Fabric ${binaries.version} built in ${binaries.builtInSeconds}s into ${binaries.binDir}`,
);
