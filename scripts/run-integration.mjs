// Runs the integration suite (test/integration, compiled to out/test/integration) inside a real VS Code.
//
// Default: the VS Code server from the code-server npm package (scripts/vscode-server.mjs) with its web workbench
// in headless Debian chromium (playwright-core); the workbench's `payload` URL parameter makes the server-side
// extension host load the extension from this repository and call out/test/integration/index.js run().
// --electron: @vscode/test-electron's runTests (downloads a desktop VS Code; needs internet).
//
// Two passes on the server: the suite in a trusted workspace, then (a small second pass, on a server with workspace
// trust on) the tests titled "Restricted Mode ..." with the same fixture folder opened untrusted. --no-restricted
// skips the second pass; with --grep it runs only when the pattern mentions "Restricted". A third small pass opens a
// multi-root workspace (two copies of the fixture, each with its own folder settings) for the tests titled
// "Multi-root ..."; --no-multi-root skips it; with --grep it runs only when the pattern mentions "Multi-root". The web
// pass runs the tests titled "Web host ..." with the user setting `remote.extensionKind` putting Inkling in the
// browser's web worker extension host (its `browser` entry) while the tests run in the Node host; --no-web skips it;
// with --grep it runs only when the pattern mentions "Web host".
//
// Builds nothing: run `npm run build && npx tsc -b` first.
// Usage: node scripts/run-integration.mjs [--electron] [--grep REGEX] [--timeout-min N] [--keep] [--headed] [--verbose]
//        [--tests-entry FILE] [--no-restricted] [--no-multi-root] [--no-web]
// Prints a summary whose last line is `N passed, N failed[, N skipped]`; exits 1 on any failure or if no test ran.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  repoRoot, cacheDir, ensureInstalled, startServer, freshRunDir, launchBrowser, workbenchUrl, readJsonIfPresent,
  DEFAULT_USER_SETTINGS, RESTRICTED_USER_SETTINGS,
} from './vscode-server.mjs';

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const useElectron = flag('--electron');
const keep = flag('--keep');
const verbose = flag('--verbose');
const grep = option('--grep');
/** Test titles of the Restricted Mode pass (test/integration/restricted.test.ts). */
const RESTRICTED_GREP = '^Restricted Mode';
const restrictedPass = !useElectron && !flag('--no-restricted') && (!grep || /restricted/i.test(grep));
/** Test titles of the multi-root pass (test/integration/multiroot.test.ts). */
const MULTI_ROOT_GREP = '^Multi-root';
const multiRootPass = !useElectron && !flag('--no-multi-root') && (!grep || /multi-root/i.test(grep));
/** Test titles of the web pass (test/integration/web.test.ts). */
const WEB_GREP = '^Web host';
const webPass = !useElectron && !flag('--no-web') && (!grep || /web host/i.test(grep));
const timeoutMin = Number(option('--timeout-min') ?? process.env.INKLING_INTEGRATION_TIMEOUT_MIN ?? 15);
const workbenchTimeoutMs = 180_000;

const log = (line) => console.log(`[integration] ${line}`);
const rel = (p) => path.relative(repoRoot, p) || '.';

const extensionMain = path.join(repoRoot, 'dist', 'extension.js');
// --tests-entry: another extensionTestsPath module (for checking the harness itself).
const testsEntry = path.resolve(option('--tests-entry') ?? path.join(repoRoot, 'out', 'test', 'integration', 'index.js'));
const fixture = path.join(repoRoot, 'test', 'fixtures', 'workspace');
const resultsDir = path.join(repoRoot, 'test-results');
// Where test/integration/index.ts writes when INKLING_TEST_RESULTS did not reach it (fixed, like there).
const fallbackResults = path.join(repoRoot, '.vscode-test', 'results', 'integration.json');

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Prints a mocha-like report from the results JSON; returns the exit code and the counts, which main()
 * prints last, after the server and browser are stopped.
 */
function report(results, seconds) {
  console.log('');
  if (results.testFiles?.length) log(`test files: ${results.testFiles.join(', ')}`);
  if (results.host) {
    log(`ran in VS Code ${results.host.vscodeVersion ?? '?'} (${results.host.appHost ?? '?'}, ${results.host.uiKind ?? '?'}), `
      + `extension host Node ${results.host.node}; results path from ${results.resultsPathFrom}`);
  }
  console.log('');
  for (const t of results.tests ?? []) {
    const mark = t.state === 'passed' ? '  ✓' : t.state === 'failed' ? '  ✗' : '  -';
    const ms = t.durationMs !== undefined ? ` (${t.durationMs} ms)` : '';
    console.log(`${mark} ${t.fullTitle}${t.state === 'pending' ? ' (skipped)' : ms}`);
  }
  if (results.failed?.length) {
    console.log('\n  Failures:\n');
    results.failed.forEach((t, i) => {
      console.log(`  ${i + 1}) ${t.fullTitle}`);
      console.log(`     ${(t.error?.message ?? '').split('\n').join('\n     ')}`);
      if (t.error?.expected !== undefined) console.log(`     expected: ${t.error.expected}\n     actual:   ${t.error.actual}`);
      const stack = (t.error?.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l)).slice(0, 5);
      for (const l of stack) console.log(`       ${l.trim()}`);
      console.log('');
    });
  }
  if (results.error) console.log(`\n  run() failed: ${results.error}\n`);
  const passes = results.passes ?? 0;
  const failures = results.failures ?? 0;
  const pending = results.pending ?? 0;
  if (passes + failures === 0) log('ERROR: no test ran');
  log(`tests finished after ${seconds.toFixed(1)} s`);
  return {
    code: failures > 0 || passes + failures === 0 || results.error ? 1 : 0,
    passes, failures, pending,
  };
}

/** No results at all: the infrastructure failed before or while running the tests. */
function failNoResults(message) {
  console.error(`[integration] ERROR: ${message}`);
  return { code: 1, passes: 0, failures: 0, pending: 0 };
}

function prepareWorkspace(runDir) {
  const ws = path.join(runDir, 'workspace');
  cpSync(fixture, ws, { recursive: true });
  return ws;
}

/**
 * Two copies of the fixture, `alpha` and `beta`, in a `.code-workspace`. Each folder sets its own resource-scoped
 * values (alpha: no Markdown, fine-tune on save; beta: Markdown and Python only, no fine-tune on save) and a
 * window-scoped one VS Code must ignore at folder level (`inkling.training.minutes`); the workspace file sets the
 * window's training budget. test/integration/multiroot.test.ts checks what Inkling makes of them.
 */
function prepareMultiRoot(runDir) {
  const ws = path.join(runDir, 'multiroot');
  const folders = {
    alpha: { 'inkling.training.exclude': ['**/*.md'], 'inkling.training.retrainOnSave': true, 'inkling.training.minutes': 42 },
    beta: { 'inkling.training.include': ['**/*.md', '**/*.py'], 'inkling.training.retrainOnSave': false, 'inkling.training.minutes': 43 },
  };
  for (const [name, own] of Object.entries(folders)) {
    const dir = path.join(ws, name);
    cpSync(fixture, dir, { recursive: true });
    const settingsFile = path.join(dir, '.vscode', 'settings.json');
    // The fixture's editor settings (JSON with comments) and the folder's own Inkling values.
    const base = JSON.parse(readFileSync(settingsFile, 'utf8').replace(/^\s*\/\/.*$/gm, ''));
    writeFileSync(settingsFile, JSON.stringify({ ...base, ...own }, null, 2));
  }
  const workspaceFile = path.join(ws, 'inkling.code-workspace');
  writeFileSync(workspaceFile, JSON.stringify({
    folders: [{ path: 'alpha' }, { path: 'beta' }],
    settings: { 'inkling.training.minutes': 0.1, 'editor.inlineSuggest.enabled': true, 'files.autoSave': 'off' },
  }, null, 2));
  return { ws, workspaceFile };
}

async function runElectron(runDir, resultsFile) {
  let runTests;
  try {
    ({ runTests } = await import('@vscode/test-electron'));
  } catch (e) {
    return failNoResults(`@vscode/test-electron is not installed (${e.message})`);
  }
  const ws = prepareWorkspace(runDir);
  const t0 = Date.now();
  try {
    await runTests({
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: testsEntry,
      cachePath: path.join(cacheDir, 'electron'),
      launchArgs: [ws, '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes',
        '--user-data-dir', path.join(runDir, 'user-data'), '--extensions-dir', path.join(runDir, 'extensions')],
      extensionTestsEnv: { INKLING_TEST_RESULTS: resultsFile, ...(grep ? { INKLING_TEST_GREP: grep } : {}) },
    });
  } catch (e) {
    const results = readJsonIfPresent(resultsFile);
    if (results?.done) return report(results, (Date.now() - t0) / 1000); // tests ran; run() threw on failures
    const msg = e instanceof Error ? e.message : String(e);
    return failNoResults(`--electron: @vscode/test-electron could not run VS Code: ${msg}\n`
      + '  It downloads a desktop VS Code build from the internet, which this machine cannot reach.\n'
      + '  Run without --electron to use the VS Code server from the code-server npm package instead.');
  }
  const results = readJsonIfPresent(resultsFile);
  if (!results?.done) return failNoResults(`VS Code exited but ${rel(resultsFile)} has no complete results`);
  return report(results, (Date.now() - t0) / 1000);
}

async function runWeb(runDir, resultsFile, cleanup, { restricted = false, multiRoot = false, webHost = false } = {}) {
  ensureInstalled({ log });
  const { ws, workspaceFile } = multiRoot ? prepareMultiRoot(runDir) : { ws: prepareWorkspace(runDir), workspaceFile: undefined };
  log(`workspace: ${rel(workspaceFile ?? ws)}${restricted ? ' (untrusted: Restricted Mode)' : ''}${webHost ? ' (Inkling in the web extension host)' : ''}`);
  // The trusted pass leaves the Restricted Mode, multi-root and web host tests to their own passes (they would only be skipped).
  const ownPasses = [restrictedPass && 'Restricted Mode', multiRootPass && 'Multi-root', webPass && 'Web host'].filter(Boolean);
  const passGrep = restricted ? RESTRICTED_GREP : multiRoot ? MULTI_ROOT_GREP : webHost ? WEB_GREP
    : grep ?? (ownPasses.length ? `^(?!${ownPasses.join('|')})` : undefined);
  const server = await startServer({
    runDir: path.join(runDir, 'server'),
    env: { INKLING_TEST_RESULTS: resultsFile, ...(passGrep ? { INKLING_TEST_GREP: passGrep } : {}) },
    log,
    workspaceTrust: restricted,
    userSettings: restricted ? RESTRICTED_USER_SETTINGS
      : webHost ? { ...DEFAULT_USER_SETTINGS, 'remote.extensionKind': { 'inkling-dev.inkling': ['web'] } } : DEFAULT_USER_SETTINGS,
  });
  cleanup.push(() => server.stop({ log }));
  const context = await launchBrowser({ runDir, headless: !flag('--headed'), onBlocked: (u) => log(`blocked a non-loopback request: ${u.slice(0, 120)}`) });
  cleanup.push(() => context.close().catch(() => undefined));
  const page = context.pages()[0] ?? (await context.newPage());
  let forwardConsole = true;
  const consoleErrors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') {
      consoleErrors.push(msg.text().slice(0, 500));
      if (consoleErrors.length > 30) consoleErrors.shift();
    }
    if (!forwardConsole) return;
    // The extension host's console output is forwarded to the workbench console; show the suite's progress lines
    // (and, with --verbose, everything).
    const text = msg.text();
    const i = text.indexOf('[inkling-tests]');
    if (i >= 0) console.log(`  ${text.slice(i).slice(0, 2000)}`);
    else if (verbose) console.log(`  [console.${msg.type()}] ${text.slice(0, 2000)}`);
  });
  page.on('pageerror', (err) => log(`page error: ${err.message}`));

  const screenshot = async (name) => {
    mkdirSync(resultsDir, { recursive: true });
    const file = path.join(resultsDir, `${name}-${Date.now()}.png`);
    try {
      await page.screenshot({ path: file, timeout: 15_000 });
      log(`screenshot: ${rel(file)}`);
    } catch (e) {
      log(`screenshot failed: ${e.message}`);
    }
  };

  // VS Code runs the tests in the extension host of the extension whose folder holds them: with Inkling in the web
  // host, a test module inside this repository would be loaded there (no Node). So the web pass loads the suite
  // through a one-line module outside the repository, which the server's Node host runs.
  let entry = testsEntry;
  if (webHost) {
    // (The run folder may be inside the repository: .vscode-test/ by default.)
    const shimDir = mkdtempSync(path.join(os.tmpdir(), 'inkling-web-tests-'));
    cleanup.push(() => rmSync(shimDir, { recursive: true, force: true }));
    entry = path.join(shimDir, 'tests-entry.js');
    writeFileSync(entry, `module.exports = require(${JSON.stringify(testsEntry)});\n`);
  }
  const url = workbenchUrl(server, { ...(workspaceFile ? { workspace: workspaceFile } : { folder: ws }), extensionDevelopmentPath: repoRoot, extensionTestsPath: entry });
  const t0 = Date.now();
  log('opening the workbench');
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
  try {
    await page.waitForSelector('.monaco-workbench', { timeout: workbenchTimeoutMs });
  } catch {
    await screenshot('integration-workbench-not-loaded');
    return failNoResults(`the VS Code workbench did not load within ${workbenchTimeoutMs / 1000} s at ${url}\n`
      + `  server log: ${rel(server.logFile)}\n  last server output:\n${server.output().slice(-2000)}`);
  }
  log(`workbench loaded in ${((Date.now() - t0) / 1000).toFixed(1)} s; waiting for the tests (timeout ${timeoutMin} min)`);

  const deadline = t0 + timeoutMin * 60_000;
  let started = false;
  let serverGone = false;
  server.exited.then(() => { serverGone = true; });
  while (Date.now() < deadline) {
    // The fallback file is shared by all runs: only trust one this run's extension host started after we did.
    const fallback = readJsonIfPresent(fallbackResults);
    const results = readJsonIfPresent(resultsFile)
      ?? (fallback && Date.parse(fallback.startedAt) >= t0 ? fallback : undefined);
    if (results && !started) {
      started = true;
      log(`extension host called run() (results path from ${results.resultsPathFrom})`);
    }
    if (results?.done) {
      await sleep(300); // let the last forwarded console lines arrive
      forwardConsole = false;
      const outcome = report(results, (Date.now() - t0) / 1000);
      if (outcome.code !== 0) await screenshot('integration-failed');
      return outcome;
    }
    if (serverGone) break;
    await sleep(500);
  }
  await screenshot('integration-timeout');
  const why = serverGone ? 'the VS Code server exited' : `no results after ${timeoutMin} min`;
  const where = started ? 'run() started but never finished (a hung test?)'
    : `the extension host never called run() of ${rel(testsEntry)}`;
  const errors = consoleErrors.slice(-8).map((e) => `    ${e.replace(/\s+/g, ' ')}`).join('\n');
  return failNoResults(`${why}; ${where}\n  server log: ${rel(server.logFile)}`
    + (errors ? `\n  last workbench console errors:\n${errors}` : ''));
}

async function main() {
  const tStart = Date.now();
  for (const [file, cmd] of [[extensionMain, 'npm run build'], [testsEntry, 'npx tsc -b']]) {
    if (!existsSync(file)) {
      console.error(`[integration] ERROR: ${rel(file)} is missing: run \`${cmd}\` first`);
      console.log('0 passed, 0 failed');
      return 1;
    }
  }
  const runDir = freshRunDir('integration');
  log(`run folder: ${rel(runDir)}`);

  let cleanup = [];
  let code = 0;
  const total = { passes: 0, failures: 0, pending: 0 };
  /** Stops the pass's server and browser (each pass cleans up before the next starts). */
  const stopPass = async () => {
    const fns = cleanup;
    cleanup = [];
    for (const fn of fns.reverse()) {
      try { await fn(); } catch (e) { log(`cleanup: ${e.message}`); }
    }
  };
  const finish = () => {
    // Keep the run folder (server log, workspace, results.json) when something failed, or with --keep.
    if (!keep && code === 0) rmSync(runDir, { recursive: true, force: true });
    else log(`kept ${rel(runDir)} (server log, workspace, results.json)`);
  };
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.once(sig, () => { log(`${sig}: stopping`); code = 1; stopPass().finally(() => { finish(); process.exit(130); }); });
  }
  // A --grep for one of the own passes' titles runs that pass alone (the trusted pass would find nothing to run).
  const onlyOwnPass = grep !== undefined && /^\^?(Restricted Mode|Multi-root|Web host)/i.test(grep);
  const passes = onlyOwnPass ? [] : [{ name: 'trusted', dir: runDir, restricted: false }];
  if (restrictedPass) passes.push({ name: 'Restricted Mode', dir: path.join(runDir, 'restricted'), restricted: true });
  if (multiRootPass) passes.push({ name: 'multi-root', dir: path.join(runDir, 'multiroot'), multiRoot: true });
  if (webPass) passes.push({ name: 'web extension host', dir: path.join(runDir, 'web'), restricted: false, webHost: true });
  for (const pass of passes) {
    if (passes.length > 1 || onlyOwnPass) log(`--- ${pass.name} pass ---`);
    mkdirSync(pass.dir, { recursive: true });
    const passResults = path.join(pass.dir, 'results.json');
    let r;
    try {
      r = useElectron ? await runElectron(pass.dir, passResults) : await runWeb(pass.dir, passResults, cleanup, { restricted: pass.restricted, multiRoot: pass.multiRoot, webHost: pass.webHost });
    } catch (e) {
      r = failNoResults(e instanceof Error ? (e.stack ?? e.message) : String(e));
    } finally {
      await stopPass();
    }
    code = Math.max(code, r.code);
    total.passes += r.passes;
    total.failures += r.failures;
    total.pending += r.pending;
  }
  finish();
  log(`total ${((Date.now() - tStart) / 1000).toFixed(1)} s`);
  // Always the last line.
  console.log(`${total.passes} passed, ${total.failures} failed${total.pending ? `, ${total.pending} skipped` : ''}`);
  return code;
}

process.exitCode = await main();
