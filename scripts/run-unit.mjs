// Runs the unit suite (plain Node mocha over out/test/unit) and prints a closing `N passed, N failed` line.
import Mocha from 'mocha';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { root } from './setup.mjs';

const dir = path.join(root, 'out', 'test', 'unit');
const files = readdirSync(dir, { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.test.js'))
  .sort();
const mocha = new Mocha({ timeout: 180_000, reporter: 'spec' });
for (const f of files) mocha.addFile(path.join(dir, f));
const runner = mocha.run((failures) => {
  process.exitCode = failures ? 1 : 0;
});
runner.on('end', () => {
  const { passes, failures, pending } = runner.stats;
  console.log(`unit: ${passes} passed, ${failures} failed${pending ? `, ${pending} skipped` : ''}`);
});
