// Fails early, with the fix, when the browser the end-to-end tests drive is missing.
import { accessSync, constants } from 'node:fs';

const path = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
try {
  accessSync(path, constants.X_OK);
} catch {
  console.error(
    `\nEnd-to-end tests need Chromium at ${path}, and it is not there.\n` +
      'Install it (Debian/Ubuntu): sudo apt-get install -y chromium\n' +
      'or point CHROMIUM_PATH at a Chromium or Chrome binary.\n' +
      "(Playwright's own browser download is not used by this project.)\n",
  );
  process.exit(1);
}
