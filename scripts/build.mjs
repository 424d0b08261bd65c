// Bundles the extension, its workers, the CLI and the webview with esbuild; builds the WebAssembly kernels
// when a wasm-capable clang is installed. Usage: node scripts/build.mjs [--watch] [--production] [--out DIR]
// `--out DIR` writes the shipped files (dist/, media/'s bundle and font) under DIR instead of the repository, with the
// WebAssembly kernels copied there: scripts/package.mjs packs a production build so without touching the dev build.
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const outIndex = process.argv.indexOf('--out');
/** Where the shipped files go: the repository, or --out's folder. */
const outRoot = outIndex >= 0 ? path.resolve(process.argv[outIndex + 1]) : root;

/** Node bundles: entry (relative to src/) -> output name in dist/. Missing entries are skipped. */
const nodeEntries = {
  'extension.ts': 'extension',
  'cli/main.ts': 'cli',
  'workers/training.ts': 'trainingWorker',
  'workers/completion.ts': 'completionWorker',
  'engine/kernels/wasm/thread.ts': 'kernelThread',
};

const present = Object.entries(nodeEntries).filter(([src]) => existsSync(path.join(root, 'src', src)));
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // vscode is provided by the host; tfjs-node is an optional native module loaded at run time when installed.
  external: ['vscode', '@tensorflow/tfjs-node'],
  // TF.js's HTTP model loader would bundle node-fetch (and with it http, https); Inkling never fetches.
  alias: { 'node-fetch': path.join(root, 'src', 'engine', 'tfjs', 'noFetch.ts') },
};

const builds = present.filter(([, out]) => outRoot === root || out !== 'cli').map(([src, out]) => ({
  ...common,
  entryPoints: { [out]: path.join(root, 'src', src) },
  outdir: path.join(outRoot, 'dist'),
  banner: out === 'cli' ? { js: '#!/usr/bin/env node' } : undefined,
}));

const webviewEntry = path.join(root, 'src', 'webview', 'main.ts');
if (existsSync(webviewEntry)) {
  builds.push({
    bundle: true, platform: 'browser', format: 'iife', target: 'es2022', sourcemap: !production, minify: production,
    logLevel: 'warning', entryPoints: { dashboard: webviewEntry }, outdir: path.join(outRoot, 'media'),
  });
  // The page's icon font, next to the bundle (the webview may load only from media/).
  const codicons = path.join(root, 'node_modules', '@vscode', 'codicons', 'dist');
  mkdirSync(path.join(outRoot, 'media'), { recursive: true });
  for (const f of ['codicon.css', 'codicon.ttf']) copyFileSync(path.join(codicons, f), path.join(outRoot, 'media', f));
}

// The browser's entry (`browser` in package.json): VS Code for the Web, or the web worker extension host of a VS
// Code server. CommonJS, as VS Code loads web extensions; no Node: `node:path` is a posix shim, Node's other modules
// are empty (the code that needs them runs only on the desktop; see src/web/tsconfig.json).
const webEntry = path.join(root, 'src', 'web', 'extension.ts');
const NODE_BUILTINS = /^(node:)?(fs|fs\/promises|os|worker_threads|url|crypto|child_process|util|stream|zlib|http|https|net|tls|events|buffer|module|perf_hooks|readline|assert|string_decoder)$/;
const nodeShims = {
  name: 'node-shims',
  setup(b) {
    b.onResolve({ filter: /^(node:)?path$/ }, () => ({ path: path.join(root, 'src', 'web', 'shims', 'path.ts') }));
    b.onResolve({ filter: NODE_BUILTINS }, (args) => ({ path: args.path, namespace: 'node-empty' }));
    b.onLoad({ filter: /.*/, namespace: 'node-empty' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
  },
};
if (existsSync(webEntry)) {
  builds.push({
    bundle: true, platform: 'browser', format: 'cjs', target: 'es2022', sourcemap: !production, minify: production,
    logLevel: 'warning', entryPoints: { extension: webEntry }, outdir: path.join(outRoot, 'dist', 'web'),
    external: ['vscode', '@tensorflow/tfjs-node'],
    alias: { 'node-fetch': path.join(root, 'src', 'engine', 'tfjs', 'noFetch.ts') },
    // TF.js and picomatch look at `process` only to learn the platform; there is none in a web worker.
    define: { process: '{"env":{},"platform":"browser","versions":{}}', global: 'globalThis' },
    plugins: [nodeShims],
  });
  // Its Web Workers (where the host allows them): classic scripts, as VS Code loads nested workers with importScripts.
  builds.push({
    bundle: true, platform: 'browser', format: 'iife', target: 'es2022', sourcemap: !production, minify: production,
    logLevel: 'warning', outdir: path.join(outRoot, 'dist', 'web'),
    entryPoints: {
      trainingWorker: path.join(root, 'src', 'workers', 'webTraining.ts'), completionWorker: path.join(root, 'src', 'workers', 'webCompletion.ts'),
      // Kernel threads, where the page is cross-origin isolated (shared memory can reach workers).
      kernelThread: path.join(root, 'src', 'engine', 'kernels', 'wasm', 'webThread.ts'),
    },
    external: ['@tensorflow/tfjs-node'],
    alias: { 'node-fetch': path.join(root, 'src', 'engine', 'tfjs', 'noFetch.ts') },
    define: { process: '{"env":{},"platform":"browser","versions":{}}', global: 'globalThis' },
    plugins: [nodeShims],
  });
}

// The browser runtime check and bench page's script (test/browser/runtime.ts; scripts/browser-runtime.mjs): the
// engine's kernels and benches in a page, with the same Node shims as the web extension. Not shipped.
const runtimeEntry = path.join(root, 'test', 'browser', 'runtime.ts');
if (existsSync(runtimeEntry) && outRoot === root) {
  builds.push({
    bundle: true, platform: 'browser', format: 'iife', target: 'es2022', sourcemap: false, minify: false, logLevel: 'warning',
    entryPoints: { runtime: runtimeEntry }, outdir: path.join(root, 'out', 'browser'),
    external: ['@tensorflow/tfjs-node'], alias: { 'node-fetch': path.join(root, 'src', 'engine', 'tfjs', 'noFetch.ts') },
    define: { process: '{"env":{},"platform":"browser","versions":{}}', global: 'globalThis' },
    plugins: [nodeShims],
  });
}

const wasmBuild = path.join(root, 'scripts', 'build-wasm.mjs');
if (existsSync(wasmBuild)) {
  const r = spawnSync(process.execPath, [wasmBuild], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
if (outRoot !== root && existsSync(path.join(root, 'dist'))) {
  mkdirSync(path.join(outRoot, 'dist'), { recursive: true });
  for (const f of readdirSync(path.join(root, 'dist')).filter((n) => n.endsWith('.wasm'))) copyFileSync(path.join(root, 'dist', f), path.join(outRoot, 'dist', f));
}

if (watch) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('[build] watching');
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  console.log(`[build] ${builds.length} bundle(s) written`);
}
