/**
 * Nothing is sent over the network. Statically: no built bundle requires a network module, and every
 * network-capable symbol left in them is listed with the package it comes from. At run time: the CLI trains
 * and completes with network modules, fetch and WebSocket made to throw, in the main thread and in every
 * worker thread.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../helpers/paths';

const BUNDLES = ['dist/extension.js', 'dist/cli.js', 'dist/trainingWorker.js', 'dist/completionWorker.js', 'dist/kernelThread.js', 'media/dashboard.js',
  // The browser's (VS Code for the Web).
  'dist/web/extension.js', 'dist/web/trainingWorker.js', 'dist/web/completionWorker.js', 'dist/web/kernelThread.js'];
const NETWORK_MODULES = ['net', 'http', 'https', 'http2', 'tls', 'dgram', 'dns', 'undici'];
/** require("http"), require('node:https'), import("dns/promises"), … */
const NETWORK_IMPORT = new RegExp(
  String.raw`\b(?:require|import)\s*\(\s*["'\x60](?:node:)?(${NETWORK_MODULES.join('|')})(?:/[^"'\x60]*)?["'\x60]\s*\)` +
  String.raw`|\bfrom\s*["'\x60](?:node:)?(?:${NETWORK_MODULES.join('|')})(?:/[^"'\x60]*)?["'\x60]` +
  String.raw`|\b(?:process\.binding|internalBinding)\s*\(\s*["'\x60](?:tcp_wrap|udp_wrap|tls_wrap|cares_wrap|pipe_wrap)`,
  'g',
);
const NETWORK_SYMBOLS = ['fetch', 'XMLHttpRequest', 'WebSocket', 'EventSource', 'sendBeacon', 'importScripts'];

const missing = BUNDLES.filter((b) => !existsSync(path.join(repoRoot, b)));
const notBuilt = missing.length > 0;
const skipNote = `skipped: ${missing.join(', ')} not built (npm run build; npm test builds first)`;

/** Occurrences of each symbol, by the package that esbuild's `// <path>` module comments attribute them to. */
function symbolSources(text: string): Record<string, number> {
  const found: Record<string, number> = {};
  let module = '(unattributed)';
  for (const line of text.split('\n')) {
    // (Indented inside an IIFE bundle: the web workers'.)
    const m = /^\s*\/\/ (\S+\.(?:[cm]?js|tsx?))$/.exec(line);
    if (m) {
      const p = m[1]!;
      const i = p.lastIndexOf('node_modules/');
      const rest = i >= 0 ? p.slice(i + 'node_modules/'.length).split('/') : ['(Inkling)', ...p.split('/')];
      module = rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
      continue;
    }
    for (const s of NETWORK_SYMBOLS) {
      const n = line.match(new RegExp(String.raw`\b${s}\b`, 'g'))?.length ?? 0;
      if (n) found[`${s} (${module})`] = (found[`${s} (${module})`] ?? 0) + n;
    }
  }
  return found;
}

describe('no network', function () {
  this.timeout(240_000);

  it('no bundle requires a network module; network-capable symbols come only from TF.js', function () {
    if (notBuilt) {
      console.log(`      ${skipNote}`);
      this.skip();
    }
    for (const b of BUNDLES) {
      const text = readFileSync(path.join(repoRoot, b), 'utf8');
      const imports = [...text.matchAll(NETWORK_IMPORT)].map((m) => m[0]);
      assert.deepEqual(imports, [], `${b} loads a network module`);
      const symbols = symbolSources(text);
      const list = Object.entries(symbols).map(([k, n]) => `${k} ×${n}`).join(', ');
      console.log(`      ${b}: ${list || 'no network-capable symbols'}`);
      // What is left: TF.js's HTTP model loader (tf.io.http, loadLayersModel of a URL: fetch, or node-fetch,
      // which the build replaces with a function that throws) and the wasm backend's loader for browsers
      // (XMLHttpRequest, importScripts). Inkling never calls them: it loads models from files it reads itself.
      for (const key of Object.keys(symbols)) assert.match(key, /\(@tensorflow\//, `${b}: ${key} outside TF.js`);
    }
    // The extension host, the completion worker, the kernel threads and the webview hold none at all.
    for (const b of ['dist/extension.js', 'dist/completionWorker.js', 'dist/kernelThread.js', 'dist/web/kernelThread.js', 'media/dashboard.js']) {
      assert.deepEqual(symbolSources(readFileSync(path.join(repoRoot, b), 'utf8')), {}, b);
    }
  });

  it('the CLI trains and completes with network modules, fetch and WebSocket made to throw in every thread', async function () {
    if (notBuilt) {
      console.log(`      ${skipNote}`);
      this.skip();
    }
    const preload = path.join(repoRoot, 'test', 'fixtures', 'no-network.cjs');
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'inkling-offline-'));
    try {
      const log = path.join(dir, 'network.log');
      const env = { ...process.env, INKLING_NO_NETWORK_LOG: log };
      const node = (args: string[], input?: string) =>
        spawnSync(process.execPath, ['--require', preload, ...args], { env, input, encoding: 'utf8', timeout: 180_000 });

      // The preload really blocks: a control run that tries each way out fails.
      for (const probe of ['require("http")', 'require("node:net")', 'require("dns/promises")', 'fetch("x")', 'new WebSocket("x")']) {
        const r = node(['-e', probe]);
        assert.notEqual(r.status, 0, `${probe} was not blocked`);
        assert.match(r.stderr, /the no-network test blocks/, probe);
      }
      await fs.rm(log);

      const ws = path.join(dir, 'ws');
      await fs.mkdir(ws);
      for (let f = 0; f < 4; f++) {
        await fs.writeFile(path.join(ws, `notes${f}.md`), Array.from({ length: 40 }, (_, i) => `Line ${i} of file ${f}: the quick brown fox.\n`).join(''));
      }
      const out = path.join(dir, 'model');
      const cli = path.join(repoRoot, 'dist', 'cli.js');
      const t = node([cli, 'train', ws, '--out', out, '--max-steps', '30', '--units', '16', '--layers', '1', '--batch', '4',
        '--seq-length', '16', '--json']);
      assert.equal(t.status, 0, t.stderr);
      assert.equal((JSON.parse(t.stdout) as { steps: number }).steps, 30);
      const c = node([cli, 'complete', out, '--max-chars', '10', '--json'], 'Line 3 of file 1: the ');
      assert.equal(c.status, 0, c.stderr);
      assert.equal((JSON.parse(c.stdout) as { completion: string }).completion.length, 10);

      const lines = (await fs.readFile(log, 'utf8')).trim().split('\n');
      assert.deepEqual(lines.filter((l) => l.startsWith('blocked')), [], 'a network module or function was used');
      const threads = new Set(lines.map((l) => /thread (\d+)/.exec(l)?.[1]));
      console.log(`      train + complete ran offline; the preload was active in ${lines.length} thread(s) (${threads.size} distinct thread ids)`);
      assert.ok(lines.length >= 2, 'both runs loaded the preload');
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
