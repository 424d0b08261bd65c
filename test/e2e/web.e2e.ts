// End-to-end in the browser's web worker extension host: the same VS Code server and Chromium as the other e2e
// tests, with the user setting `remote.extensionKind` asking for Inkling to run in the web host (its `browser`
// entry, dist/web/extension.js) instead of the server's Node host. A user opens the dashboard, runs "Train on
// Workspace" from the palette, watches the run in the dashboard, types, sees ghost text and accepts it with Tab,
// and exports the model through the save dialog; stock tf.loadLayersModel loads the export.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Frame } from 'playwright-core';
import {
  VsCodeSession, startVsCode, openFile, goToEnd, typeText, readEditorLines, waitForGhostText, pressKeys,
  runCommand, screenshot, waitFor, repoRoot, fixtureWorkspace, findWebviewFrame,
} from './harness';

const EXTENSION_ID = 'inkling-dev.inkling';

describe('Web extension host: Inkling in VS Code for the Web', function () {
  this.timeout(900_000);
  let session: VsCodeSession | undefined;
  let source = '';
  let frame: Frame;
  const text = async (selector: string): Promise<string> => (await frame.locator(selector).textContent()) ?? '';

  before(async () => {
    source = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-web-'));
    fs.cpSync(fixtureWorkspace, source, { recursive: true });
    fs.cpSync(path.join(repoRoot, 'src'), path.join(source, 'inkling-src'), { recursive: true, filter: (f) => !f.endsWith('.c') });
    // Files the corpus must skip, as on the desktop: .gitignore'd, a secrets file.
    fs.writeFileSync(path.join(source, '.gitignore'), 'ignored/\n');
    fs.mkdirSync(path.join(source, 'ignored'));
    fs.writeFileSync(path.join(source, 'ignored', 'x.ts'), 'export const ignored = 1;\n');
    fs.writeFileSync(path.join(source, '.env'), 'API_TOKEN=not-a-real-token\n');
    session = await startVsCode({
      workspace: source,
      userSettings: {
        'remote.extensionKind': { [EXTENSION_ID]: ['web'] },
        'inkling.model.units': 96, 'inkling.model.layers': 1, 'inkling.training.minutes': 0.75,
        'inkling.completion.debounceMs': 0,
      },
    });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && session) {
      const file = await screenshot(session.page, `web-${this.currentTest.title}`).catch(() => undefined);
      if (file) console.log(`    screenshot: ${file}`);
    }
  });

  after(async () => {
    await session?.close();
    if (source) fs.rmSync(source, { recursive: true, force: true });
  });

  const statusText = async (): Promise<string> =>
    (await session!.page.locator('.statusbar-item').filter({ hasText: 'Inkling' }).first().textContent().catch(() => '')) ?? '';

  it('runs in the web extension host: the dashboard says so', async () => {
    const { page } = session!;
    await waitFor('the Inkling status bar item', async () => (await statusText()).includes('Inkling'), 90_000);
    await runCommand(page, 'Inkling: Show Training Dashboard');
    frame = await findWebviewFrame(page, 'Inkling Training', { extensionId: EXTENSION_ID, timeoutMs: 60_000 });
    await waitFor('the init message', async () => (await text('#status')) !== 'Connecting…', 30_000);
    const platform = await text('#m-platform');
    console.log(`      Runs in: ${platform}`);
    assert.match(platform, /VS Code for the Web/);
    assert.match(platform, /time-sliced/);
  });

  it('trains from the palette ("Train on Workspace"); the dashboard shows the run', async () => {
    const { page } = session!;
    await runCommand(page, 'Inkling: Train on Workspace');
    await waitFor('training to start', async () => /Inkling: (training|ready)/.test(await statusText()), 60_000);
    frame = await findWebviewFrame(page, 'Inkling Training', { extensionId: EXTENSION_ID, timeoutMs: 30_000 });
    await waitFor('curve points', async () => Number(await frame.locator('#chart-figure').getAttribute('data-points')) > 2, 120_000);
    const speed = await text('#stat-speed');
    await waitFor('training to finish', async () => (await statusText()).includes('Inkling: ready'), 300_000);
    const kernels = await text('#m-kernels');
    const skipped = await text('#c-skipped');
    console.log(`      speed during the run: ${speed}; kernels: ${kernels}; files: ${await text('#c-files')}; skipped: ${skipped}`);
    assert.match(kernels, /wasm-simd \(single-threaded build\)/);
    assert.match(skipped, /may hold secrets/);
    assert.match(skipped, /ignored/);
    assert.ok(Number((await text('#m-steps')).replace(/\D/g, '')) > 0, 'trained steps are shown');
    assert.match(await text('#q-best'), /^\d+\.\d\d$/);
  });

  it('types, the ghost text appears, and Tab inserts it', async () => {
    const { page } = session!;
    await openFile(page, 'src/format.ts');
    await goToEnd(page);
    await pressKeys(page, 'Enter');
    const typed = 'export function formatTa';
    await typeText(page, typed, 60);
    const ghost = await waitForGhostText(page, (t) => t.trim().length > 0, 30_000);
    fs.mkdirSync(path.join(repoRoot, 'test-results', 'e2e'), { recursive: true });
    await page.screenshot({ path: path.join(repoRoot, 'test-results', 'e2e', 'web-ghost-text.png') });
    await pressKeys(page, 'Tab');
    const firstLine = ghost.split('\n')[0]!;
    await waitFor('the accepted text in the editor', async () => (await readEditorLines(page)).some((l) => l.startsWith(typed + firstLine)), 10_000);
  });

  it('exports through the save dialog; stock tf.loadLayersModel loads the export', async () => {
    const { page } = session!;
    const out = path.join(session!.workspace, 'inkling-model');
    await pressKeys(page, 'Escape');
    await runCommand(page, 'Inkling: Export Model…');
    // The web workbench's save dialog is a quick input with the default path (the workspace's inkling-model).
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await waitFor('the default path in the dialog', async () => (await input.inputValue()).endsWith('inkling-model'), 15_000);
    await page.keyboard.press('Enter');
    await waitFor('the exported files', () => ['model.json', 'weights.bin', 'inkling.json'].every((f) => fs.existsSync(path.join(out, f))), 30_000);
    const meta = JSON.parse(fs.readFileSync(path.join(out, 'inkling.json'), 'utf8')) as { vocabulary: { chars: string[] } | string[]; training?: { backend?: string; steps?: number } };
    assert.ok((meta.training?.steps ?? 0) > 0);
    const stdout = execFileSync(process.execPath, [path.join(repoRoot, 'test', 'fixtures', 'stock-load.cjs'), out, '1,2,3'], { encoding: 'utf8', cwd: repoRoot });
    const probs = JSON.parse(stdout) as number[];
    const sum = probs.reduce((a, b) => a + b, 0);
    console.log(`      exported model (trained on ${meta.training?.backend}) loads with tf.loadLayersModel: ${probs.length} outputs summing to ${sum.toFixed(4)}`);
    assert.ok(Math.abs(sum - 1) < 1e-3, `a distribution (sum ${sum})`);
  });
});
