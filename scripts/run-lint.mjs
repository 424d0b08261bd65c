// Lints the repository with eslint.config.mjs (the layering rules of docs/architecture.md, floating promises,
// exhaustive switches, unused code) and counts each linted file as passed or failed; then looks for exports used
// nowhere (scripts/unused-exports.mjs), counted as one more check.
// Usage: node scripts/run-lint.mjs. The last line printed is `lint: N passed, N failed`.
import { ESLint } from 'eslint';
import { root } from './setup.mjs';
import { deadExports } from './unused-exports.mjs';

const eslint = new ESLint({ cwd: root });
const results = await eslint.lintFiles(['.']);
const formatter = await eslint.loadFormatter('stylish');
const text = await formatter.format(results);
if (text) console.log(text);
const dead = deadExports();
for (const d of dead) console.log(`${d.file}:${d.line}  ${d.name} is exported but used nowhere`);
console.log(`${results.length} files linted; ${dead.length} unused export(s)`);
const failed = results.filter((r) => r.errorCount > 0 || r.fatalErrorCount > 0).length + (dead.length > 0 ? 1 : 0);
console.log(`lint: ${results.length + 1 - failed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
