// The test command: set up what a fresh machine lacks, build, then run every suite in turn: the type-check of
// every TypeScript project, the linter, unit tests (plain Node), the integration suite inside a real VS Code, and
// the end-to-end browser tests. Prints each suite's result and a final `N passed, N failed` line; exits non-zero
// on any failure.
// Usage: node scripts/test.mjs [typecheck|lint|unit|integration|e2e ...]
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { root, setup } from './setup.mjs';

const wanted = process.argv.slice(2);
const suites = [
  { name: 'typecheck', script: 'scripts/run-typecheck.mjs' },
  { name: 'lint', script: 'scripts/run-lint.mjs' },
  { name: 'unit', script: 'scripts/run-unit.mjs' },
  { name: 'integration', script: 'scripts/run-integration.mjs' },
  { name: 'e2e', script: 'scripts/run-e2e.mjs' },
].filter((s) => wanted.length === 0 || wanted.includes(s.name));

setup();

/** Runs a suite script, echoing its output, and reads its closing `N passed, N failed[, N skipped]` line. */
function runSuite(script) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, script)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let tail = '';
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      tail = (tail + d.toString()).slice(-4000);
    });
    child.on('close', (code) => {
      const m = [...tail.matchAll(/^(?:\w+: )?(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/gm)].pop();
      resolve({ code, passed: m ? Number(m[1]) : 0, failed: m ? Number(m[2]) : 0, skipped: m && m[3] ? Number(m[3]) : 0, counted: !!m });
    });
  });
}

let passed = 0;
let failed = 0;
let skipped = 0;
const lines = [];
for (const s of suites) {
  if (!existsSync(path.join(root, s.script))) {
    lines.push(`${s.name}: not present`);
    continue;
  }
  console.log(`\n=== ${s.name} tests ===`);
  const r = await runSuite(s.script);
  passed += r.passed;
  skipped += r.skipped;
  // A suite that crashed or printed no count is a failure, not a silent pass.
  const suiteFailed = r.failed + (r.code !== 0 && r.failed === 0 ? 1 : 0) + (!r.counted ? 1 : 0);
  failed += suiteFailed;
  lines.push(`${s.name}: ${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''}${r.code !== 0 ? ` (exit ${r.code})` : ''}`);
}
console.log('\n=== summary ===');
for (const l of lines) console.log(l);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
