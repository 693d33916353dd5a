// `npm run data`: builds public/data/fashion-mnist/*.gz and public/data/mnist/*.gz. See scripts/data/build.ts.
import { pathToFileURL } from 'node:url';
import { BuildDataError, USAGE, buildData, formatReport, parseBuildDataArgs } from './data/build';
import { DataFileError } from '../src/core/data/idx';

export async function main(argv: readonly string[]): Promise<number> {
  try {
    const builds = parseBuildDataArgs(argv);
    if (builds === null) {
      console.log(USAGE);
      return 0;
    }
    // One after the other: each holds a dataset's images in memory while it builds.
    for (const options of builds) console.log(formatReport(await buildData(options)));
    return 0;
  } catch (error) {
    if (error instanceof BuildDataError || error instanceof DataFileError) {
      console.error(`npm run data: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
