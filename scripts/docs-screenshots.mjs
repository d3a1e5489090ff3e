// Copies the screenshots the README and docs/web-ui.md show from the last end-to-end run
// (test-output/screenshots, written by test/web/*.test.ts) into docs/screenshots. Run it after
// `node scripts/run-tests.mjs test/web` and look at what changed before committing.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const FROM = 'test-output/screenshots';
const TO = 'docs/screenshots';
/** The pages shown, each at desktop (1280×800) and phone (390×844) size. */
const PAGES = [
  'vms-list',
  'host',
  'create-defaults',
  'vm-overview',
  'vm-console',
  'vm-serial',
  'vm-charts',
  'jobs',
];
const SIZES = ['1280x800', '390x844'];

mkdirSync(TO, { recursive: true });
const missing = [];
for (const page of PAGES)
  for (const size of SIZES) {
    const name = `${page}-${size}.png`;
    if (existsSync(join(FROM, name))) copyFileSync(join(FROM, name), join(TO, name));
    else missing.push(name);
  }
if (missing.length) {
  console.error(`not in ${FROM} (run the end-to-end tests first): ${missing.join(', ')}`);
  process.exit(1);
}
console.log(`${PAGES.length * SIZES.length} screenshots copied to ${TO}`);
