// Playwright helpers for end-to-end tests against a real VS Code: the VS Code server from scripts/vscode-server.mjs
// (code-server's npm package) with its web workbench in headless Debian chromium. The tests run in plain Node
// (scripts/run-e2e.mjs); the extension under test is loaded from this repository in development mode.
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { BrowserContext, Frame, Page } from 'playwright-core';

/** out/test/e2e -> repository root. */
export const repoRoot = path.resolve(__dirname, '..', '..', '..');
export const fixtureWorkspace = path.join(repoRoot, 'test', 'fixtures', 'workspace');
export const resultsDir = path.join(repoRoot, 'test-results', 'e2e');

/** The parts of scripts/vscode-server.mjs used here. */
interface VsCodeServer {
  port: number;
  url: string;
  pid: number;
  runDir: string;
  dirs: { userData: string; serverData: string; extensions: string };
  logFile: string;
  output(): string;
  stop(options?: { log?: (line: string) => void }): Promise<void>;
}
interface ServerModule {
  ensureInstalled(options?: { log?: (line: string) => void }): number;
  startServer(options?: {
    runDir?: string; env?: Record<string, string>; log?: (line: string) => void; extraArgs?: string[];
    userSettings?: Record<string, unknown> | null; installExtensions?: string[];
  }): Promise<VsCodeServer>;
  freshRunDir(prefix?: string): string;
  launchBrowser(options?: { runDir?: string; headless?: boolean; onBlocked?: (url: string) => void }): Promise<BrowserContext>;
  workbenchUrl(server: VsCodeServer, options: { folder?: string; extensionDevelopmentPath?: string; extensionTestsPath?: string }): string;
  DEFAULT_USER_SETTINGS: Record<string, unknown>;
}

// A real dynamic import(): TypeScript's CommonJS output would turn `import()` into require().
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;
let serverModule: Promise<ServerModule> | undefined;
export function loadServerModule(): Promise<ServerModule> {
  serverModule ??= importEsm(pathToFileURL(path.join(repoRoot, 'scripts', 'vscode-server.mjs')).href) as Promise<ServerModule>;
  return serverModule;
}

export interface StartOptions {
  /** Folder to open; copied into the run folder first unless copyWorkspace is false. Default: the fixture workspace. */
  workspace?: string;
  copyWorkspace?: boolean;
  /** Extension folder loaded in development mode; null for none. Default: this repository. */
  extensionDevelopmentPath?: string | null;
  /** Optional extension-host test module (like the integration runner). */
  extensionTestsPath?: string;
  /** Extra environment for the server (and so for the extension host). */
  env?: Record<string, string>;
  /** User settings, merged over the harness defaults. */
  userSettings?: Record<string, unknown>;
  /** .vsix files installed into the server's extensions folder before it starts (with its own CLI). */
  installExtensions?: string[];
  headless?: boolean;
  /** Print progress lines. Default true. */
  verbose?: boolean;
}

export interface VsCodeSession {
  server: VsCodeServer;
  context: BrowserContext;
  page: Page;
  /** The opened folder (the copy). */
  workspace: string;
  url: string;
  runDir: string;
  /** Console messages of the workbench page (the extension host's console output is forwarded there). */
  consoleLines: string[];
  close(): Promise<void>;
}

// Minimal DOM shapes for code that runs in the page (page.evaluate): the project's tsconfig has no "dom" lib, and
// adding it would change the globals of the whole program.
interface DomElement {
  textContent: string | null;
  style: { top: string };
  getAttribute(name: string): string | null;
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): ArrayLike<DomElement> & Iterable<DomElement>;
  closest(selector: string): DomElement | null;
  cloneNode(deep: boolean): DomElement;
  remove(): void;
}
declare const document: { activeElement: DomElement | null; querySelector(selector: string): DomElement | null };
declare const window: object;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Starts the server and the browser, opens the workbench on the workspace and waits until it is restored. */
export async function startVsCode(options: StartOptions = {}): Promise<VsCodeSession> {
  const mod = await loadServerModule();
  const log = options.verbose === false ? (): void => undefined : (line: string): void => console.log(`    [harness] ${line}`);
  mod.ensureInstalled({ log: () => undefined });
  const runDir = mod.freshRunDir('e2e');
  const source = options.workspace ?? fixtureWorkspace;
  let workspace = source;
  if (options.copyWorkspace !== false) {
    workspace = path.join(runDir, 'workspace');
    fs.cpSync(source, workspace, { recursive: true });
  }
  const server = await mod.startServer({
    runDir: path.join(runDir, 'server'),
    env: options.env ?? {},
    log,
    userSettings: { ...mod.DEFAULT_USER_SETTINGS, ...options.userSettings },
    installExtensions: options.installExtensions ?? [],
  });
  let context: BrowserContext | undefined;
  try {
    context = await mod.launchBrowser({ runDir, headless: options.headless ?? true, onBlocked: (u) => log(`blocked ${u.slice(0, 120)}`) });
    const page = context.pages()[0] ?? (await context.newPage());
    const consoleLines: string[] = [];
    page.on('console', (msg) => {
      consoleLines.push(`[${msg.type()}] ${msg.text()}`);
      if (consoleLines.length > 5000) consoleLines.splice(0, 1000);
    });
    const extensionDevelopmentPath = options.extensionDevelopmentPath === null ? undefined : (options.extensionDevelopmentPath ?? repoRoot);
    const url = mod.workbenchUrl(server, { folder: workspace, extensionDevelopmentPath, extensionTestsPath: options.extensionTestsPath });
    const session: VsCodeSession = {
      server, context, page, workspace, url, runDir, consoleLines,
      close: async () => {
        await context?.close().catch(() => undefined);
        await server.stop({ log });
        fs.rmSync(runDir, { recursive: true, force: true });
      },
    };
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    await waitForWorkbench(page);
    log(`workbench ready: ${server.url}`);
    return session;
  } catch (e) {
    if (context) {
      const page = context.pages()[0];
      if (page) await screenshot(page, 'workbench-not-loaded').catch(() => undefined);
      await context.close().catch(() => undefined);
    }
    await server.stop({ log });
    throw new Error(`VS Code workbench did not start: ${e instanceof Error ? e.message : String(e)}\n`
      + `server log: ${path.relative(repoRoot, server.logFile)}`, { cause: e });
  }
}

/**
 * Waits for the workbench DOM and for the smoke-test driver's "restored" phase (the server runs with
 * --enable-smoke-test-driver, which exposes `window.driver` in the workbench).
 */
export async function waitForWorkbench(page: Page, timeoutMs = 120_000): Promise<void> {
  await page.waitForSelector('.monaco-workbench', { timeout: timeoutMs });
  await page.waitForFunction(() => 'driver' in window, undefined, { timeout: timeoutMs });
  await page.evaluate(async () => {
    const driver = (window as unknown as { driver: { whenWorkbenchRestored(): Promise<void> } }).driver;
    await driver.whenWorkbenchRestored();
  });
}

/** Chromium in Playwright runs on Linux here: Ctrl is the primary modifier. */
const MOD = process.platform === 'darwin' ? 'Meta' : 'Control';

/** Presses keys in order, e.g. pressKeys(page, 'Control+End', 'Enter', 'Tab'). */
export async function pressKeys(page: Page, ...keys: string[]): Promise<void> {
  for (const key of keys) await page.keyboard.press(key.replace(/\bMod\b/g, MOD));
}

async function quickInput(page: Page, shortcut: string, text: string): Promise<void> {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  for (let attempt = 0; attempt < 3; attempt++) {
    await page.keyboard.press(shortcut);
    try {
      await input.waitFor({ state: 'visible', timeout: 5_000 });
      break;
    } catch {
      if (attempt === 2) throw new Error(`quick input did not open with ${shortcut}`);
      await page.keyboard.press('Escape');
    }
  }
  await input.fill(text);
}

/** Opens a workspace file with Quick Open (Ctrl+P) and waits until its editor is active and focused. */
export async function openFile(page: Page, relativePath: string): Promise<void> {
  const name = path.posix.basename(relativePath.replace(/\\/g, '/'));
  await quickInput(page, `${MOD}+P`, relativePath);
  const row = page.locator('.quick-input-widget .monaco-list-row').first();
  await row.waitFor({ state: 'visible', timeout: 15_000 });
  // Results arrive asynchronously; wait for the row of this file before accepting.
  await page.waitForFunction((n) => {
    const first = document.querySelector('.quick-input-widget .monaco-list-row');
    return !!first && (first.getAttribute('aria-label') ?? first.textContent ?? '').includes(n);
  }, name, { timeout: 15_000 });
  await page.keyboard.press('Enter');
  await page.locator('.tabs-container .tab.active').filter({ hasText: name }).waitFor({ timeout: 15_000 });
  await activeEditor(page).locator('.view-lines').waitFor({ timeout: 15_000 });
  await focusEditor(page);
}

/** The editor of the active editor group. */
export function activeEditor(page: Page): ReturnType<Page['locator']> {
  return page.locator('.editor-group-container.active .monaco-editor').first();
}

/** Focuses the active text editor (keyboard input goes to its hidden input element). */
export async function focusEditor(page: Page): Promise<void> {
  const editor = activeEditor(page);
  await editor.waitFor({ timeout: 15_000 });
  await page.waitForFunction(() => {
    const el = document.activeElement;
    return !!el && !!el.closest('.editor-group-container.active .monaco-editor');
  }, undefined, { timeout: 2_000 }).catch(async () => {
    await editor.locator('.view-lines').click({ position: { x: 5, y: 5 } });
  });
}

/** Types text into the focused editor, key by key (auto-closing brackets and quotes apply, as for a user). */
export async function typeText(page: Page, text: string, delayMs = 20): Promise<void> {
  await page.keyboard.type(text, { delay: delayMs });
}

/** Moves the cursor to the end of the active editor's text (Ctrl+End). */
export async function goToEnd(page: Page): Promise<void> {
  await pressKeys(page, `${MOD}+End`);
}

/**
 * The rendered lines of the active editor, top to bottom, as the user sees them (no ghost text). Only lines inside
 * the viewport are rendered; for a whole document use saveAndReadFile().
 */
export async function readEditorLines(page: Page): Promise<string[]> {
  return activeEditor(page).locator('.view-lines').evaluate((el) => {
    const root = el as unknown as DomElement;
    const lines = [...root.querySelectorAll(':scope > .view-line')]
      .map((line) => {
        const clone = line.cloneNode(true);
        for (const g of [...clone.querySelectorAll('.ghost-text-decoration, .ghost-text-decoration-preview, .ghost-text')]) g.remove();
        return { top: parseFloat(line.style.top || '0'), text: (clone.textContent ?? '').replace(/\u00a0/g, ' ') };
      });
    return lines.sort((a, b) => a.top - b.top).map((l) => l.text);
  });
}

/** Ghost text currently shown in the active editor ('' if none): the inline part, then any extra lines. */
export async function readGhostText(page: Page): Promise<string> {
  return activeEditor(page).evaluate((el) => {
    const editor = el as unknown as DomElement;
    const inline = [...editor.querySelectorAll('.view-lines .ghost-text-decoration, .view-lines .ghost-text-decoration-preview')]
      .map((e) => e.textContent ?? '').join('');
    const extra = [...editor.querySelectorAll('.view-zones .ghost-text .view-line, .view-zones .ghost-text-view-line')]
      .map((e) => e.textContent ?? '');
    return [inline, ...extra].join('\n').replace(/\u00a0/g, ' ').replace(/\n+$/, '');
  });
}

/** Waits until ghost text is shown (and, if given, satisfies predicate); returns it. */
export async function waitForGhostText(page: Page, predicate: (text: string) => boolean = (t) => t.length > 0, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = await readGhostText(page);
    if (last && predicate(last)) return last;
    await sleep(100);
  }
  throw new Error(`no matching ghost text within ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
}

/**
 * Runs a command through the command palette by its label as shown there (e.g. 'View: Close All Editors').
 * Picks the row whose label matches exactly when present, else the first row.
 */
export async function runCommand(page: Page, label: string): Promise<void> {
  await quickInput(page, `${MOD}+Shift+P`, `>${label}`);
  const rows = page.locator('.quick-input-widget .monaco-list-row');
  await rows.first().waitFor({ state: 'visible', timeout: 15_000 });
  const exact = rows.filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }) });
  if (await exact.count() > 0) await exact.first().click();
  else await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => undefined);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Saves the active editor (Ctrl+S) and returns the file's contents on disk. */
export async function saveAndReadFile(session: VsCodeSession, relativePath: string, expected?: (text: string) => boolean): Promise<string> {
  await focusEditor(session.page);
  await pressKeys(session.page, `${MOD}+S`);
  const file = path.join(session.workspace, relativePath);
  const deadline = Date.now() + 10_000;
  let text = '';
  while (Date.now() < deadline) {
    text = fs.readFileSync(file, 'utf8');
    if (!expected || expected(text)) return text;
    await sleep(100);
  }
  return text;
}

/** Saves a PNG of the page to test-results/e2e/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${name.replace(/[^\w.-]+/g, '_')}.png`);
  await page.screenshot({ path: file, timeout: 15_000 });
  return file;
}

/**
 * The content frame of a webview shown under a given title: an editor tab (e.g. 'Preview README.md') or a view's
 * header. Webview iframes carry no title, and VS Code lays them over the workbench (outside the editor), so this
 * activates the tab with that title (exact label first, then one containing it), then takes the visible
 * `iframe.webview` that overlaps that editor group or view, and returns its inner `#active-frame` content frame.
 * `extensionId` narrows the candidates to webviews owned by that extension (it is in the iframe's src).
 */
export async function findWebviewFrame(page: Page, title: string, options: { extensionId?: string; timeoutMs?: number } = {}): Promise<Frame> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  type Box = { x: number; y: number; width: number; height: number };
  const overlaps = (a: Box, b: Box): boolean =>
    a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
  while (Date.now() < deadline) {
    const tabs = page.locator('.tabs-container .tab');
    const exact = tabs.filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }) });
    const containing = tabs.filter({ hasText: title });
    const panes = page.locator('.pane').filter({ has: page.locator('.pane-header', { hasText: title }) });
    const regions: Box[] = [];
    for (const tab of [exact, containing]) {
      if (await tab.count() === 0) continue;
      await tab.first().click();
      const group = page.locator('.editor-group-container').filter({ has: tab.first() }).first();
      const box = await group.boundingBox();
      if (box) regions.push(box);
      break;
    }
    for (let i = 0; i < await panes.count(); i++) {
      const box = await panes.nth(i).boundingBox();
      if (box) regions.push(box);
    }
    for (const handle of await page.$$('iframe.webview')) {
      const src = (await handle.getAttribute('src')) ?? '';
      if (options.extensionId && !src.includes(`extensionId=${encodeURIComponent(options.extensionId)}`)) continue;
      if (!(await handle.isVisible())) continue;
      const box = await handle.boundingBox();
      if (!box || box.width === 0 || box.height === 0 || !regions.some((r) => overlaps(r, box))) continue;
      const outer = await handle.contentFrame();
      const inner = await (await outer?.$('#active-frame'))?.contentFrame();
      if (inner) {
        await inner.waitForLoadState('domcontentloaded');
        return inner;
      }
    }
    await sleep(200);
  }
  const labels = await page.locator('.tabs-container .tab .label-name').allTextContents();
  throw new Error(`no visible webview under the title ${JSON.stringify(title)} (editor tabs: ${JSON.stringify(labels)})`);
}

/**
 * The extension's log output channel file (`<user data>/logs/<session>/exthost<n>/<extension id>/<name>.log`, of the
 * newest extension host), or undefined before it exists. Lets e2e tests see what the extension logged without opening the Output panel.
 */
export function readExtensionLog(session: VsCodeSession, extensionId = 'inkling-dev.inkling', channel = 'Inkling'): string | undefined {
  const logs = path.join(session.server.dirs.userData, 'logs');
  if (!fs.existsSync(logs)) return undefined;
  for (const sessionDir of fs.readdirSync(logs).sort().reverse()) {
    const sessionPath = path.join(logs, sessionDir);
    if (!fs.statSync(sessionPath).isDirectory()) continue;
    // The newest extension host first (a window reload starts another: exthost2, ...).
    const hosts = fs.readdirSync(sessionPath).filter((d) => d.startsWith('exthost'))
      .sort((a, b) => Number(b.slice('exthost'.length)) - Number(a.slice('exthost'.length)));
    for (const host of hosts) {
      const file = path.join(sessionPath, host, extensionId, `${channel}.log`);
      if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8');
    }
  }
  return undefined;
}

/** Polls until `probe` returns a truthy value. */
export async function waitFor<T>(what: string, probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** The model the extension saved (in its workspace storage) under the server's user data. */
export function findModelDir(userData: string): string | undefined {
  const stack = [userData];
  while (stack.length) {
    const dir = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    if (path.basename(dir) === 'model' && dir.includes('inkling') && entries.some((e) => e.name === 'inkling.json')) return dir;
    for (const e of entries) if (e.isDirectory()) stack.push(path.join(dir, e.name));
  }
  return undefined;
}
