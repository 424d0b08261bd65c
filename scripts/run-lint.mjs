// Lints the repository with eslint.config.mjs (the layering rules of docs/architecture.md, floating promises,
// exhaustive switches, unused code) and counts each linted file as passed or failed.
// Usage: node scripts/run-lint.mjs. The last line printed is `lint: N passed, N failed`.
import { ESLint } from 'eslint';
import { root } from './setup.mjs';

const eslint = new ESLint({ cwd: root });
const results = await eslint.lintFiles(['.']);
const formatter = await eslint.loadFormatter('stylish');
const text = await formatter.format(results);
if (text) console.log(text);
const failed = results.filter((r) => r.errorCount > 0 || r.fatalErrorCount > 0).length;
console.log(`lint: ${results.length - failed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
