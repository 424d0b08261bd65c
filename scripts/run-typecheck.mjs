// Type-checks every TypeScript project of the solution (tsconfig.json's references; incremental, into out/) and
// counts each project as passed or failed. A file's errors count against the project that owns it: its layer's
// folder (src/dashboard and src/extension.ts belong to src/host; test/ to test or test/integration).
// Usage: node scripts/run-typecheck.mjs. The last line printed is `typecheck: N passed, N failed`.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { root } from './setup.mjs';

/** The projects, as listed in tsconfig.json (comments stripped: tsconfig files are JSON with comments). */
const solution = JSON.parse(readFileSync(path.join(root, 'tsconfig.json'), 'utf8').replace(/^\s*\/\/.*$/gm, ''));
const projects = solution.references.map((r) => r.path);

function owner(file) {
  const rel = path.relative(root, path.resolve(root, file)).split(path.sep).join('/');
  if (rel === 'src/extension.ts' || rel.startsWith('src/dashboard/')) return 'src/host';
  const found = projects.filter((p) => rel.startsWith(`${p}/`)).sort((a, b) => b.length - a.length)[0];
  return found ?? '(outside every project)';
}

const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const r = spawnSync(process.execPath, [tsc, '-b', '--pretty', 'false'], { cwd: root, encoding: 'utf8' });
const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
const failures = new Map();
for (const line of output.split('\n')) {
  const m = /^(.+?)\(\d+,\d+\): error TS\d+/.exec(line) ?? /^error TS\d+: .*'(.+?)'/.exec(line);
  if (!m) continue;
  // tsc -b may print a project's error again when it checks a project that depends on it.
  const p = owner(m[1]);
  const seen = failures.get(p) ?? [];
  if (!seen.includes(line)) failures.set(p, [...seen, line]);
}
if (r.status !== 0 && failures.size === 0) failures.set('(tsc)', [output.trim() || `tsc exited with ${r.status ?? r.signal}`]);
for (const p of projects) console.log(`  ${failures.has(p) ? '✗' : '✓'} ${p}`);
for (const [p, lines] of failures) {
  console.log(`\n  ${p}:`);
  for (const l of lines) console.log(`    ${l}`);
}
const failed = [...failures.keys()].length;
console.log(`typecheck: ${projects.length - [...failures.keys()].filter((p) => projects.includes(p)).length} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
