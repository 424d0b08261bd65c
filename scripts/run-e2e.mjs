// Runs the end-to-end tests (test/e2e, compiled to out/test/e2e/**/*.e2e.js) with mocha in plain Node. Each test
// file drives a real VS Code (server + headless chromium) through test/e2e/harness.ts.
// Builds nothing: run `npm run build && npx tsc -b` first.
// Usage: node scripts/run-e2e.mjs [--grep REGEX]
// The last line printed is `N passed, N failed[, N skipped]`; exits 1 on any failure or if no test ran.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';
import { repoRoot, ensureInstalled } from './vscode-server.mjs';

const argv = process.argv.slice(2);
const grepIndex = argv.indexOf('--grep');
const grep = grepIndex >= 0 ? argv[grepIndex + 1] : undefined;
const log = (line) => console.log(`[e2e] ${line}`);

function findFiles(dir, suffix) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(suffix))
    .map((e) => path.join(e.parentPath ?? e.path, e.name))
    .sort();
}

async function main() {
  const t0 = Date.now();
  for (const [file, cmd] of [['dist/extension.js', 'npm run build'], ['out/test/e2e/harness.js', 'npx tsc -b']]) {
    if (!existsSync(path.join(repoRoot, file))) {
      console.error(`[e2e] ERROR: ${file} is missing: run \`${cmd}\` first`);
      console.log('0 passed, 0 failed');
      return 1;
    }
  }
  try {
    ensureInstalled({ log });
  } catch (e) {
    console.error(`[e2e] ERROR: could not install the VS Code server: ${e instanceof Error ? e.message : e}`);
    console.log('0 passed, 0 failed');
    return 1;
  }
  const outDir = path.join(repoRoot, 'out', 'test', 'e2e');
  const srcDir = path.join(repoRoot, 'test', 'e2e');
  // Skip stale output whose TypeScript source is gone (out/ is not cleaned between builds).
  const files = findFiles(outDir, '.e2e.js')
    .filter((f) => existsSync(path.join(srcDir, path.relative(outDir, f)).replace(/\.js$/, '.ts')));
  log(`test files: ${files.map((f) => path.relative(repoRoot, f)).join(', ') || '(none)'}`);

  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', timeout: 180_000, color: process.stdout.isTTY });
  if (grep) mocha.grep(new RegExp(grep));
  for (const f of files) mocha.addFile(f);
  const stats = await new Promise((resolve) => {
    const runner = mocha.run(() => resolve(runner.stats ?? { passes: 0, failures: 0, pending: 0 }));
  });
  const { passes = 0, failures = 0, pending = 0 } = stats;
  if (passes + failures === 0) console.error('[e2e] ERROR: no test ran');
  log(`total ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`${passes} passed, ${failures} failed${pending ? `, ${pending} skipped` : ''}`);
  return failures > 0 || passes + failures === 0 ? 1 : 0;
}

process.exitCode = await main();
