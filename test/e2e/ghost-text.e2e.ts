// End-to-end: a user trains Inkling on the workspace from the command palette, types in a file, sees the ghost
// text, and accepts it with Tab, in the real VS Code workbench driven by Chromium.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  VsCodeSession, startVsCode, openFile, goToEnd, typeText, readEditorLines, waitForGhostText, pressKeys,
  runCommand, screenshot, waitFor, repoRoot, fixtureWorkspace,
} from './harness';

describe('Ghost text in the workbench', function () {
  this.timeout(600_000);
  let session: VsCodeSession | undefined;

  let source = '';

  before(async () => {
    // The fixture plus this repository's TypeScript sources, so a short run learns something worth showing.
    source = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-ghost-'));
    fs.cpSync(fixtureWorkspace, source, { recursive: true });
    fs.cpSync(path.join(repoRoot, 'src'), path.join(source, 'inkling-src'), { recursive: true, filter: (f) => !f.endsWith('.c') });
    session = await startVsCode({
      workspace: source,
      userSettings: {
        'inkling.model.units': 96, 'inkling.model.layers': 1, 'inkling.training.minutes': 0.75,
        'inkling.completion.debounceMs': 0,
      },
    });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && session) {
      const file = await screenshot(session.page, `ghost-${this.currentTest.title}`).catch(() => undefined);
      if (file) console.log(`    screenshot: ${file}`);
    }
  });

  after(async () => {
    await session?.close();
    if (source) fs.rmSync(source, { recursive: true, force: true });
  });

  const statusText = async (page: VsCodeSession['page']): Promise<string> =>
    (await page.locator('.statusbar-item').filter({ hasText: 'Inkling' }).first().textContent().catch(() => '')) ?? '';

  it('shows "untrained", then trains from the palette to "ready"', async () => {
    const { page } = session!;
    await waitFor('the Inkling status bar item', async () => (await statusText(page)).includes('Inkling: untrained'), 60_000);
    await runCommand(page, 'Inkling: Retrain from Scratch');
    await waitFor('training to start', async () => /Inkling: (training|ready)/.test(await statusText(page)), 60_000);
    await waitFor('training to finish', async () => (await statusText(page)).includes('Inkling: ready'), 240_000);
  });

  it('types, the ghost text appears, and Tab inserts it', async () => {
    const { page } = session!;
    await openFile(page, 'src/format.ts');
    await goToEnd(page);
    await pressKeys(page, 'Enter');
    // Far enough into a name defined above that the model is sure of the rest (after "format" alone it is not:
    // formatPrice, formatItem and formatTable all fit, and the ghost text waits rather than guess).
    const typed = 'export function formatTa';
    await typeText(page, typed, 60);
    const ghost = await waitForGhostText(page, (t) => t.trim().length > 0, 20_000);
    // The README's picture is refreshed on request only; ordinary runs keep theirs with the test results.
    const shot = process.env.INKLING_UPDATE_SCREENSHOTS
      ? path.join(repoRoot, 'docs', 'images', 'ghost-text.png')
      : path.join(repoRoot, 'test-results', 'e2e', 'ghost-text.png');
    fs.mkdirSync(path.dirname(shot), { recursive: true });
    await page.screenshot({ path: shot });
    await pressKeys(page, 'Tab');
    const firstLine = ghost.split('\n')[0]!;
    await waitFor('the accepted text in the editor', async () => (await readEditorLines(page)).some((l) => l === typed + firstLine || l.startsWith(typed + firstLine)), 10_000);
    const lines = await readEditorLines(page);
    assert.ok(lines.some((l) => l.startsWith(typed + firstLine)), `editor lines: ${lines.join(' | ')}`);
  });
});
