/** `npm run build:wasm-kernels`: regenerates src/kernels/wasm/simd/simdBinaries.ts. */
import { writeFileSync } from 'node:fs';
import { renderSimdBinaries, SIMD_BINARIES_PATH } from './wasm-kernels';

writeFileSync(SIMD_BINARIES_PATH, await renderSimdBinaries());
console.log(`wrote ${SIMD_BINARIES_PATH}`);
