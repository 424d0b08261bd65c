// Packs the extension into a .vsix from a production build made in a staging folder, so the repository's dev build
// (dist/, media/dashboard.js, with source maps) stays as it is. Usage: node scripts/package.mjs [--out FILE]
// (default inkling.vsix in the repository). Prints the file and its size.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outIndex = process.argv.indexOf('--out');
const out = path.resolve(outIndex >= 0 ? process.argv[outIndex + 1] : path.join(root, 'inkling.vsix'));

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`${path.basename(cmd)} ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`})`);
}

const stage = mkdtempSync(path.join(os.tmpdir(), 'inkling-package-'));
try {
  // What .vscodeignore lets into the package and the build does not write: the manifest, the texts, the static media.
  for (const f of ['package.json', '.vscodeignore', 'README.md', 'CHANGELOG.md', 'LICENSE']) cpSync(path.join(root, f), path.join(stage, f));
  for (const f of readdirSync(path.join(root, 'media')).filter((n) => /\.(css|svg)$/.test(n))) cpSync(path.join(root, 'media', f), path.join(stage, 'media', f));
  run(process.execPath, [path.join(root, 'scripts', 'build.mjs'), '--production', '--out', stage], root);
  const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  if (!existsSync(vsce)) throw new Error('@vscode/vsce is not installed: run npm ci');
  run(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', out], stage);
  console.log(`[package] ${path.relative(process.cwd(), out) || out}: ${statSync(out).size.toLocaleString('en-US')} bytes`);
} finally {
  rmSync(stage, { recursive: true, force: true });
}
