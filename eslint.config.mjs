// Lint rules, run by `npm run lint` and `npm test`. Besides bugs the compiler lets through (a promise nobody
// awaits, a switch over a message union that misses a case, unused code), they enforce the layering of
// docs/architecture.md: which folder may import which, and where vscode and TF.js may be imported. The
// per-layer tsconfig projects enforce the same at compile time.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Import patterns (gitignore-style, matched against the import string) that say "another layer's folder". */
const folder = (name) => [`**/${name}`, `**/${name}/**`];
const TFJS = { group: ['@tensorflow/*'], message: 'TF.js runs in the workers (src/workers, through src/engine), never on the extension host or in the page.' };
const VSCODE = { name: 'vscode', message: 'Only the extension host (src/extension.ts, src/host, src/dashboard, and the browser\'s src/web) may import vscode.' };

/**
 * One layer's import rule: `forbidden` lists the project folders it may not import, each with the reason, and
 * `noVscode` / `noTfjs` forbid those packages there.
 */
function layer(files, { forbidden = {}, noVscode = true, noTfjs = false, noNode = false }) {
  const patterns = Object.entries(forbidden).map(([name, message]) => ({ group: folder(name), message }));
  if (noTfjs) patterns.push(TFJS);
  if (noNode) patterns.push({ group: ['node:*', 'fs', 'path', 'os', 'child_process', 'worker_threads', 'crypto'], message: 'This layer is pure: no Node modules.' });
  return {
    files,
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: noVscode ? [VSCODE] : [], patterns }],
    },
  };
}

const UP = 'may import only the layers below it (docs/architecture.md)';
const ALL = ['engine', 'corpus', 'ngram', 'mix', 'eval', 'workers', 'host', 'dashboard', 'webview', 'cli', 'bench', 'extension', 'web', 'test'];
const except = (...allowed) => Object.fromEntries(ALL.filter((f) => !allowed.includes(f)).map((f) => [f, `this layer ${UP}; not ${f}`]));

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'media/**', 'node_modules/**', '.vscode-test/**', '.cache/**', 'test-results/**', 'test/fixtures/workspace/**', 'types/forbidden/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-unused-expressions': 'error',
      'no-unreachable': 'error',
      // `import x = require()` is TypeScript's import of a CommonJS module object; tfjs-node is an optional native
      // dependency, required only where it is installed.
      '@typescript-eslint/no-require-imports': ['error', { allowAsImport: true, allow: ['^@tensorflow/tfjs-node$'] }],
    },
  },
  {
    // Tests build deliberately malformed model files and settings as loose JSON.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  // The layers, lowest first.
  layer(['src/shared/**/*.ts'], { forbidden: except(), noTfjs: true, noNode: true }),
  layer(['src/engine/**/*.ts'], { forbidden: except() }),
  layer(['src/corpus/**/*.ts'], { forbidden: except() }),
  layer(['src/ngram/**/*.ts'], { forbidden: except(), noTfjs: true, noNode: true }),
  layer(['src/mix/**/*.ts'], { forbidden: except('engine', 'corpus', 'ngram'), noTfjs: true, noNode: true }),
  layer(['src/eval/**/*.ts'], { forbidden: except('engine', 'corpus', 'ngram', 'mix') }),
  layer(['src/workers/**/*.ts'], { forbidden: except('engine', 'corpus', 'ngram', 'mix', 'eval') }),
  layer(['src/bench/**/*.ts'], { forbidden: except('engine', 'corpus', 'ngram', 'mix', 'eval') }),
  layer(['src/cli/**/*.ts'], { forbidden: except('engine', 'corpus', 'ngram', 'mix', 'eval', 'bench') }),
  layer(['src/host/**/*.ts', 'src/dashboard/**/*.ts', 'src/extension.ts'], { forbidden: except('host', 'dashboard'), noVscode: false, noTfjs: true }),
  layer(['src/webview/**/*.ts'], { forbidden: except(), noTfjs: true, noNode: true }),
  // The browser's composition root: the host (and src/extension.ts's activateOn) with the compute servers of
  // src/workers, which it runs on the web extension host's thread where workers cannot be started. No Node at run
  // time, and no TF.js or engine of its own (the workers' code brings them).
  layer(['src/web/**/*.ts'], { forbidden: except('host', 'dashboard', 'extension', 'workers'), noVscode: false, noTfjs: true, noNode: true }),
  layer(['test/unit/**/*.ts', 'test/helpers/**/*.ts', 'test/fixtures/*.ts', 'test/browser/**/*.ts'], { forbidden: { webview: 'the page is tested in a browser (test/e2e)' } }),
  layer(['test/e2e/**/*.ts'], { forbidden: except(), noTfjs: true }),
  layer(['test/integration/**/*.ts'], { forbidden: { webview: 'the page is tested in a browser (test/e2e)' }, noVscode: false }),
  // The build and test scripts: plain Node modules, without type information.
  {
    files: ['**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' }, // CommonJS: require is how it imports
  },
  {
    files: ['**/*.mjs', '**/*.cjs'],
    languageOptions: {
      globals: Object.fromEntries(['process', 'console', 'Buffer', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval',
        'URL', 'performance', 'fetch', 'AbortController', 'AbortSignal', 'structuredClone', 'queueMicrotask', 'TextDecoder',
        'TextEncoder', 'URLSearchParams', 'require', 'module', '__dirname', '__filename', 'globalThis'].map((g) => [g, 'readonly'])),
    },
  },
);
