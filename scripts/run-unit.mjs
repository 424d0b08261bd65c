// Runs the unit suite (plain Node mocha over out/test/unit) and prints a closing `N passed, N failed` line.
import Mocha from 'mocha';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { root } from './setup.mjs';

// The tests run the compiled out/: refuse a stale one (`tsc -b --dry` says whether a build would change it).
const dry = spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', '--dry'], { cwd: root, encoding: 'utf8' });
if (/would (build|update)/.test(dry.stdout ?? '')) {
  console.error('[unit] out/ is older than the sources, or they have type errors: run `npx tsc -b` first '
    + '(`tsc -p .` builds nothing: tsconfig.json is a solution of per-layer projects, docs/architecture.md)');
  console.log('unit: 0 passed, 1 failed');
  process.exit(1);
}

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
