/** `npm run build:wasm-kernels`: regenerates src/kernels/wasm/simd/filterGradBinaries.ts. */
import { writeFileSync } from 'node:fs';
import { FILTER_GRAD_BINARIES_PATH, renderFilterGradBinaries } from './wasm-kernels';

writeFileSync(FILTER_GRAD_BINARIES_PATH, await renderFilterGradBinaries());
console.log(`wrote ${FILTER_GRAD_BINARIES_PATH}`);
