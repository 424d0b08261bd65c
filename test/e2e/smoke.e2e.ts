// End-to-end smoke test: a user opens a file in the real VS Code workbench (with Inkling loaded from this
// repository) and types. Ghost-text checks join once the inline completion provider exists.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import {
  VsCodeSession, startVsCode, openFile, goToEnd, typeText, readEditorLines, readGhostText,
  saveAndReadFile, screenshot, runCommand, findWebviewFrame, readExtensionLog, waitFor,
} from './harness';

describe('VS Code workbench smoke test', function () {
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

  it('loads and activates the Inkling extension (its log output channel appears)', async () => {
    // A log output channel is backed by a file in the extension host's log folder, created by activate().
    await waitFor('the Inkling log output channel file', () => readExtensionLog(s()) !== undefined, 30_000);
  });

  it('opens a fixture file with Quick Open', async () => {
    const { page } = s();
    await openFile(page, 'src/format.ts');
    const lines = await readEditorLines(page);
    assert.strictEqual(lines[0], "import { Item } from './inventory';");
    assert.ok(lines.some((l) => l.startsWith('export function formatPrice(cents: number): string {')), lines.join('\n'));
  });

  it('types into the editor: the text reaches the editor model and the file', async () => {
    const { page, workspace } = s();
    const before = fs.readFileSync(path.join(workspace, 'src', 'format.ts'), 'utf8');
    assert.ok(before.endsWith('}\n'));
    await goToEnd(page); // the empty last line

    const typed = 'export const currency = 42;';
    await typeText(page, typed);
    await waitFor('the typed line to render', async () => (await readEditorLines(page)).includes(typed));
    // No completion provider yet: whatever ghost text appears must not be part of the model.
    const ghost = await readGhostText(page);
    const saved = await saveAndReadFile(s(), 'src/format.ts', (t) => t.includes(typed));
    assert.strictEqual(saved, before + typed, `the file gained exactly the typed text (ghost text shown: ${JSON.stringify(ghost)})`);
  });

  it('runs a command from the palette and finds its webview by title', async () => {
    const { page } = s();
    await openFile(page, 'docs/README.md');
    await runCommand(page, 'Markdown: Open Preview');
    const frame = await findWebviewFrame(page, 'Preview README.md', { extensionId: 'vscode.markdown-language-features' });
    const heading = await frame.locator('h1').first().textContent({ timeout: 15_000 });
    assert.strictEqual(heading?.trim(), 'Inventory sample');
    const file = await screenshot(page, 'smoke-markdown-preview');
    assert.ok(file.endsWith('.png'));
  });
});
