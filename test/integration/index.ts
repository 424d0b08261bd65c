// Entry point VS Code's extension host loads as `extensionTestsPath`: runs mocha over the compiled integration
// tests (out/test/integration/**/*.test.js) inside the real VS Code and writes the results as JSON.
//
// The extension host exits 0 even when run() throws (web workbench), so the runner reads the results file. Its
// path comes from the INKLING_TEST_RESULTS environment variable, which the runner sets on the VS Code server
// process (the extension host it spawns inherits it) or passes as `extensionTestsEnv` with @vscode/test-electron.
// Without it the file is .vscode-test/results/integration.json in the repository.
//
// The file is written twice: `{ done: false }` when run() starts (so the runner can tell "tests are running" from
// "the extension host never called us"), then the full results with `done: true`. Writes are atomic (rename).
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

export const RESULTS_ENV = 'INKLING_TEST_RESULTS';
/** Optional: only run tests whose full title matches this regular expression. */
export const GREP_ENV = 'INKLING_TEST_GREP';
/** Optional: per-test timeout in milliseconds (default 60 s). */
export const TIMEOUT_ENV = 'INKLING_TEST_TIMEOUT';

/** out/test/integration -> repository root. */
const repoRoot = path.resolve(__dirname, '..', '..', '..');

export function defaultResultsFile(): string {
  return path.join(repoRoot, '.vscode-test', 'results', 'integration.json');
}

export interface TestRecord {
  fullTitle: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs?: number;
  error?: { message: string; stack?: string; expected?: string; actual?: string };
}

export interface IntegrationResults {
  version: 1;
  done: boolean;
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  passes: number;
  failures: number;
  pending: number;
  tests: TestRecord[];
  /** Failures only (tests and hooks), with their messages. */
  failed: TestRecord[];
  /** Set when run() itself failed (no test files, a file did not load, ...). */
  error?: string;
  testFiles: string[];
  /** Where the results path came from: the environment variable or the fixed fallback. */
  resultsPathFrom: 'env' | 'default';
  host: { node: string; pid: number; vscodeVersion?: string; appHost?: string; uiKind?: string; inklingEnv: string[] };
}

function resultsFile(): { file: string; from: 'env' | 'default' } {
  const fromEnv = process.env[RESULTS_ENV];
  return fromEnv ? { file: path.resolve(fromEnv), from: 'env' } : { file: defaultResultsFile(), from: 'default' };
}

function writeAtomic(file: string, data: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`);
  fs.renameSync(tmp, file);
}

/** Recursively lists files under dir whose name ends with suffix, sorted. */
export function findFiles(dir: string, suffix: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && e.name.endsWith(suffix)) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

function hostInfo(): IntegrationResults['host'] {
  const info: IntegrationResults['host'] = {
    node: process.version,
    pid: process.pid,
    inklingEnv: Object.keys(process.env).filter((k) => k.startsWith('INKLING_')).sort(),
  };
  try {
    // Only available inside the extension host; this module stays loadable (and testable) outside it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const vscode = require('vscode') as typeof import('vscode');
    info.vscodeVersion = vscode.version;
    info.appHost = vscode.env.appHost;
    info.uiKind = vscode.UIKind[vscode.env.uiKind];
  } catch {
    // not in VS Code
  }
  return info;
}

function errorOf(err: unknown): NonNullable<TestRecord['error']> {
  if (err instanceof Error) {
    const e = err as Error & { expected?: unknown; actual?: unknown; showDiff?: boolean };
    const rec: NonNullable<TestRecord['error']> = { message: `${e.name}: ${e.message}`, stack: e.stack };
    if (e.showDiff !== false && e.expected !== undefined) {
      rec.expected = safeString(e.expected);
      rec.actual = safeString(e.actual);
    }
    return rec;
  }
  return { message: String(err) };
}

function safeString(v: unknown): string {
  try {
    return typeof v === 'string' ? v : JSON.stringify(v);
  } catch {
    return String(v);
  }
}

function progress(line: string): void {
  console.log(`[inkling-tests] ${line}`);
}

export async function run(): Promise<void> {
  const { file, from } = resultsFile();
  const started = Date.now();
  const results: IntegrationResults = {
    version: 1,
    done: false,
    startedAt: new Date(started).toISOString(),
    passes: 0,
    failures: 0,
    pending: 0,
    tests: [],
    failed: [],
    testFiles: [],
    resultsPathFrom: from,
    host: hostInfo(),
  };
  writeAtomic(file, results);
  progress(`results file: ${file} (from ${from}); node ${process.version}; vscode ${results.host.vscodeVersion ?? '?'}`);

  const finish = (): void => {
    results.done = true;
    results.finishedAt = new Date().toISOString();
    results.durationMs = Date.now() - started;
    writeAtomic(file, results);
  };

  try {
    const timeout = Number(process.env[TIMEOUT_ENV] ?? '') || 60_000;
    // Base reporter: stats only. Progress is printed below as `[inkling-tests]` lines, which the web runner picks
    // out of the workbench console (extension host console output is forwarded there).
    const mocha = new Mocha({ ui: 'bdd', color: false, timeout, reporter: Mocha.reporters.Base });
    const grep = process.env[GREP_ENV];
    if (grep) mocha.grep(new RegExp(grep));

    // Skip stale output: compiled tests whose TypeScript source was deleted (out/ is not cleaned between builds).
    const sourceDir = path.join(repoRoot, 'test', 'integration');
    const files = findFiles(__dirname, '.test.js').filter((f) => {
      if (!fs.existsSync(sourceDir)) return true;
      const source = path.join(sourceDir, path.relative(__dirname, f)).replace(/\.js$/, '.ts');
      if (fs.existsSync(source)) return true;
      progress(`skipping ${path.relative(repoRoot, f)}: no ${path.relative(repoRoot, source)} (stale build output)`);
      return false;
    });
    results.testFiles = files.map((f) => path.relative(repoRoot, f));
    if (files.length === 0) throw new Error(`no *.test.js files under ${__dirname}: did \`npx tsc -b\` run?`);
    for (const f of files) mocha.addFile(f);

    await new Promise<void>((resolve, reject) => {
      let runner: Mocha.Runner;
      try {
        // Synchronous require of CommonJS test files: they can `import * as vscode from 'vscode'`.
        runner = mocha.run(() => resolve());
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
        return;
      }
      runner.on('pass', (t) => {
        results.tests.push({ fullTitle: t.fullTitle(), state: 'passed', durationMs: t.duration });
        progress(`✓ ${t.fullTitle()} (${t.duration ?? 0} ms)`);
      });
      runner.on('fail', (t, err) => {
        const rec: TestRecord = { fullTitle: t.fullTitle(), state: 'failed', durationMs: t.duration, error: errorOf(err) };
        results.tests.push(rec);
        results.failed.push(rec);
        progress(`✗ ${t.fullTitle()}: ${rec.error?.message ?? ''}`);
      });
      runner.on('pending', (t) => {
        results.tests.push({ fullTitle: t.fullTitle(), state: 'pending' });
        progress(`- ${t.fullTitle()} (skipped)`);
      });
      runner.on('end', () => {
        const s = runner.stats;
        results.passes = s?.passes ?? results.tests.filter((t) => t.state === 'passed').length;
        results.failures = s?.failures ?? results.failed.length;
        results.pending = s?.pending ?? results.tests.filter((t) => t.state === 'pending').length;
      });
    });
  } catch (e) {
    results.error = e instanceof Error ? (e.stack ?? e.message) : String(e);
    progress(`run() failed: ${results.error}`);
    finish();
    throw e;
  }
  finish();
  progress(`${results.passes} passed, ${results.failures} failed, ${results.pending} skipped`);
  // For @vscode/test-electron, whose exit code follows run()'s outcome.
  if (results.failures > 0) throw new Error(`${results.failures} integration test(s) failed`);
}
