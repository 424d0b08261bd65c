// Builds the WebAssembly SIMD kernels (src/engine/kernels/wasm/*.c) into dist/inkling-kernels.wasm with
// clang + lld. Without a wasm-capable clang it says so in one line and exits 0: the JS kernels are used then.
// Usage: node scripts/build-wasm.mjs [--clang PATH] [--quiet]
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sources = ['gemm.c', 'qgemv.c', 'cells.c', 'train.c'].map((f) => path.join(root, 'src', 'engine', 'kernels', 'wasm', f));
const outDir = path.join(root, 'dist');
const output = path.join(outDir, 'inkling-kernels.wasm');
const stOutput = path.join(outDir, 'inkling-kernels-st.wasm');
const quiet = process.argv.includes('--quiet');
const clangArg = process.argv.indexOf('--clang');
const clang = clangArg >= 0 ? process.argv[clangArg + 1] : process.env.CLANG || 'clang';

// Two builds of the same sources:
// - dist/inkling-kernels.wasm: threads. Its memory is shared (created by the loader, shared by every kernel
//   thread); used wherever shared memory reaches the workers (Node; a cross-origin isolated page).
// - dist/inkling-kernels-st.wasm: one thread, no shared memory (no SharedArrayBuffer needed); used in the browser
//   when the page is not cross-origin isolated.
const common = [
  '--target=wasm32', '-O3', '-msimd128', '-nostdlib', '-mbulk-memory',
  '-Wl,--no-entry', '-Wl,--import-memory', '-Wl,--max-memory=4294967296', '-Wl,-z,stack-size=65536',
  // The loader starts its allocator at __heap_base (and, with threads, gives each thread its own stack via __stack_pointer).
  '-Wl,--export=__heap_base', '-Wl,--export=__stack_pointer',
  '-Wall', '-Wextra',
];
const targets = [
  { output, flags: [...common, '-matomics', '-mmutable-globals', '-Wl,--shared-memory', '-o', output, ...sources] },
  { output: stOutput, flags: [...common, '-mmutable-globals', '-o', stOutput, ...sources] },
];

const probe = spawnSync(clang, ['--version'], { encoding: 'utf8' });
if (probe.error || probe.status !== 0) {
  console.log(`[build-wasm] '${clang}' not found: skipping the WebAssembly kernels; the JS kernels will be used.`);
  process.exit(0);
}

const inputs = [...sources, path.join(root, 'src', 'engine', 'kernels', 'wasm', 'vmath.h'), fileURLToPath(import.meta.url)];
if (targets.every((t) => existsSync(t.output) && inputs.every((f) => statSync(t.output).mtimeMs > statSync(f).mtimeMs))) {
  if (!quiet) console.log('[build-wasm] dist/inkling-kernels.wasm and dist/inkling-kernels-st.wasm are up to date');
  process.exit(0);
}

mkdirSync(outDir, { recursive: true });
for (const t of targets) {
  const r = spawnSync(clang, t.flags, { encoding: 'utf8' });
  if (r.status !== 0) {
    const text = `${r.stderr || ''}${r.stdout || ''}`;
    // A clang without the WebAssembly target or without wasm-ld (package lld) cannot build it: not an error.
    if (/unknown target|No available targets|wasm-ld|unable to execute command|invalid linker/i.test(text)) {
      const first = text.split('\n').find((l) => l.trim()) ?? '';
      console.log(`[build-wasm] clang cannot build WebAssembly here (${first.trim()}); the JS kernels will be used.`);
      process.exit(0);
    }
    process.stderr.write(text);
    console.error('[build-wasm] compiling the kernels failed');
    process.exit(1);
  }
  if (!quiet) console.log(`[build-wasm] wrote dist/${path.basename(t.output)} (${statSync(t.output).size} bytes)`);
}
