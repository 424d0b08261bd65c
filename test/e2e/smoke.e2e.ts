// End-to-end smoke test, before any training: Inkling loads in the real VS Code workbench, builds its workspace
// n-gram model, suggests from it as the user types (ghost text that is not part of the text until accepted), and
// its completions can be switched off and on from the command palette. Training and Tab-accept are in
// ghost-text.e2e.ts, the dashboard in dashboard.e2e.ts.
import * as assert from 'assert';
import {
  VsCodeSession, startVsCode, openFile, goToEnd, typeText, readEditorLines, readGhostText, waitForGhostText, pressKeys,
  screenshot, runCommand, readExtensionLog, waitFor,
} from './harness';

describe('Inkling in the workbench before any training (smoke)', function () {
  this.timeout(180_000);
  let session: VsCodeSession | undefined;

  before(async () => {
    session = await startVsCode();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && session) {
      const file = await screenshot(session.page, `smoke-${this.currentTest.title}`).catch(() => undefined);
      if (file) console.log(`    screenshot: ${file}`);
    }
  });

  after(async () => {
    await session?.close();
  });

  function s(): VsCodeSession {
    assert.ok(session, 'the workbench started');
    return session;
  }

  const statusText = async (): Promise<string> =>
    (await s().page.locator('.statusbar-item').filter({ hasText: 'Inkling' }).first().textContent().catch(() => '')) ?? '';

  it('activates (its log channel appears) and indexes the workspace: the status bar says "untrained (n-gram)"', async () => {
    // A log output channel is backed by a file in the extension host's log folder, created by activate().
    await waitFor('the Inkling log output channel file', () => readExtensionLog(s()) !== undefined, 30_000);
    await waitFor('the workspace n-gram model', async () => (await statusText()).includes('Inkling: untrained (n-gram)'), 60_000);
  });

  it('suggests the workspace n-gram model\'s continuation as the user types; it is not part of the text until accepted', async () => {
    const { page } = s();
    await openFile(page, 'src/format.ts');
    await goToEnd(page); // the empty last line
    // A name the fixture defines (formatPrice): the n-gram model has seen how it continues.
    const typed = 'export function formatPr';
    await typeText(page, typed, 60);
    const ghost = await waitForGhostText(page, (t) => t.trim().length > 0, 30_000);
    const last = async (): Promise<string | undefined> => (await readEditorLines(page)).filter((l) => l.length > 0).pop();
    assert.strictEqual(await last(), typed, `the line holds the typed text only, not the ghost text ${JSON.stringify(ghost)}`);
    await pressKeys(page, 'Escape'); // dismissed, not accepted
    await waitFor('the ghost text to go', async () => (await readGhostText(page)) === '', 15_000);
    assert.strictEqual(await last(), typed);
  });

  it('"Inkling: Toggle Completions" from the palette turns completions off, and on again', async () => {
    await runCommand(s().page, 'Inkling: Toggle Completions');
    await waitFor('the status bar to say "off"', async () => (await statusText()).includes('Inkling: off'), 30_000);
    await runCommand(s().page, 'Inkling: Toggle Completions');
    await waitFor('the status bar to leave "off"', async () => (await statusText()).includes('Inkling: untrained (n-gram)'), 30_000);
  });
});
