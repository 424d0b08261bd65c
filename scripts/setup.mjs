// Makes a fresh clone ready: Debian packages the build and tests need (installed when running as root with
// apt-get, otherwise listed), npm packages (npm ci when node_modules is missing or older than the lock file),
// then the bundles and the WebAssembly kernels. Idempotent; called by `npm start` and `npm test`.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Debian packages: what each is for, and a command whose presence shows it is installed. */
const APT = [
  { pkg: 'clang', probe: 'clang', why: 'builds the WebAssembly SIMD kernels' },
  { pkg: 'lld', probe: 'wasm-ld', why: 'links the WebAssembly kernels' },
  { pkg: 'chromium', probe: 'chromium', why: 'drives VS Code and the dashboard in the integration and end-to-end tests' },
  { pkg: 'libkrb5-dev', probe: 'krb5-config', why: 'builds a native module of the VS Code server used by the tests' },
  { pkg: 'p7zip-full', probe: '7z', why: 'PPMd baseline in the evaluation' },
  { pkg: 'xz-utils', probe: 'xz', why: 'xz baseline in the evaluation' },
  { pkg: 'bzip2', probe: 'bzip2', why: 'bzip2 baseline in the evaluation' },
];

function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

export function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
}

export function ensureDebianPackages({ need = APT.map((a) => a.pkg) } = {}) {
  const missing = APT.filter((a) => need.includes(a.pkg) && !has(a.probe));
  if (missing.length === 0) return;
  const canInstall = process.getuid?.() === 0 && has('apt-get');
  if (!canInstall) {
    console.warn(`[setup] missing Debian packages (install them with apt-get): ${missing.map((m) => `${m.pkg} (${m.why})`).join(', ')}`);
    return;
  }
  console.log(`[setup] installing ${missing.map((m) => m.pkg).join(' ')}`);
  run('apt-get', ['update', '-qq']);
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing.map((m) => m.pkg)], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

export function ensureNodeModules() {
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  const lock = path.join(root, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  console.log('[setup] npm ci');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

/**
 * Bundles (esbuild) and compiles every TypeScript project into out/ (`tsc -b`). Type errors do not stop the
 * build (tsc still writes out/); `npm test` counts them in its typecheck suite (scripts/run-typecheck.mjs).
 */
export function build() {
  run(process.execPath, [path.join(root, 'scripts', 'build.mjs')]);
  const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', root], { stdio: 'ignore', cwd: root });
  if (tsc.status !== 0) console.warn('[setup] tsc -b reported type errors (see the typecheck suite)');
}

export function setup(opts) {
  ensureDebianPackages(opts);
  ensureNodeModules();
  build();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  setup();
  console.log(`[setup] ready (node ${process.version}, ${execFileSync('npm', ['--version']).toString().trim()})`);
}
