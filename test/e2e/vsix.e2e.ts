// End-to-end with the package a user installs: `npm run package`'s .vsix (a production build), installed into the
// VS Code server with its own CLI (`--install-extension`), no development path. In the Node extension host and,
// with `remote.extensionKind` asking for it, in the browser's web worker host: the packaged extension activates,
// trains from the palette on the WebAssembly kernels it ships, and its ghost text appears and is accepted with Tab.
// What dev-mode tests cannot see: a file the package leaves out (.vscodeignore), or a minified bundle that breaks.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Frame } from 'playwright-core';
import {
  VsCodeSession, startVsCode, openFile, goToEnd, typeText, readEditorLines, waitForGhostText, pressKeys,
  runCommand, screenshot, waitFor, repoRoot, findWebviewFrame,
} from './harness';

const EXTENSION_ID = 'inkling-dev.inkling';
const MAX_VSIX_BYTES = 5 * 2 ** 20;

describe('The packaged extension (.vsix) installed in both extension hosts', function () {
  this.timeout(900_000);
  let dir = '';
  let vsix = '';

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-vsix-'));
    vsix = path.join(dir, 'inkling.vsix');
    execFileSync(process.execPath, [path.join(repoRoot, 'scripts', 'package.mjs'), '--out', vsix], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  });

  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it(`is packaged under ${MAX_VSIX_BYTES / 2 ** 20} MB`, () => {
    const size = fs.statSync(vsix).size;
    console.log(`      inkling.vsix: ${size.toLocaleString('en-US')} bytes`);
    assert.ok(size < MAX_VSIX_BYTES, `${size} bytes`);
  });

  for (const host of ['node', 'web'] as const) {
    describe(host === 'node' ? 'in the Node extension host (the desktop\'s)' : 'in the web worker extension host (VS Code for the Web)', () => {
      let session: VsCodeSession | undefined;
      let frame: Frame;
      const text = async (selector: string): Promise<string> => (await frame.locator(selector).textContent()) ?? '';
      const statusText = async (): Promise<string> =>
        (await session!.page.locator('.statusbar-item').filter({ hasText: 'Inkling' }).first().textContent().catch(() => '')) ?? '';

      before(async () => {
        session = await startVsCode({
          extensionDevelopmentPath: null,
          installExtensions: [vsix],
          userSettings: {
            ...(host === 'web' ? { 'remote.extensionKind': { [EXTENSION_ID]: ['web'] } } : {}),
            'inkling.model.units': 32, 'inkling.model.layers': 1, 'inkling.training.minutes': 0.2,
            // Whatever the model predicts is shown: this checks the package works, not how sure a 12-second model is.
            'inkling.completion.debounceMs': 0, 'inkling.completion.confidence': 0,
          },
        });
      });

      afterEach(async function () {
        if (this.currentTest?.state === 'failed' && session) {
          const file = await screenshot(session.page, `vsix-${host}-${this.currentTest.title}`).catch(() => undefined);
          if (file) console.log(`    screenshot: ${file}`);
          console.log(session.consoleLines.slice(-60).map((l) => `    console: ${l.slice(0, 400)}`).join('\n'));
        }
      });

      after(async () => {
        await session?.close();
      });

      it('is installed from the package: what it ships, and nothing else', () => {
        const installed = fs.readdirSync(session!.server.dirs.extensions).filter((n) => n.startsWith(`${EXTENSION_ID}-`));
        assert.equal(installed.length, 1, `one installed copy (${installed.join(', ')})`);
        const root = path.join(session!.server.dirs.extensions, installed[0]!);
        for (const f of ['dist/extension.js', 'dist/web/extension.js', 'dist/inkling-kernels.wasm', 'dist/inkling-kernels-st.wasm', 'media/dashboard.js']) {
          assert.ok(fs.existsSync(path.join(root, f)), `${f} is in the package`);
        }
        for (const f of ['src', 'test', 'node_modules', 'out', 'dist/extension.js.map']) assert.ok(!fs.existsSync(path.join(root, f)), `${f} is not`);
      });

      it('activates, trains from the palette on the WebAssembly kernels it ships; the dashboard shows where it runs', async () => {
        const { page } = session!;
        await waitFor('the workspace n-gram model', async () => (await statusText()).includes('Inkling: untrained (n-gram)'), 90_000);
        await runCommand(page, 'Inkling: Train on Workspace');
        await waitFor('training to start', async () => /Inkling: (training|ready)/.test(await statusText()), 60_000);
        await waitFor('training to finish', async () => (await statusText()).includes('Inkling: ready'), 300_000);
        await runCommand(page, 'Inkling: Show Training Dashboard');
        frame = await findWebviewFrame(page, 'Inkling Training', { extensionId: EXTENSION_ID, timeoutMs: 60_000 });
        await waitFor('the saved model in the dashboard', async () => (await text('#m-cell')) === 'LSTM', 30_000);
        const kernels = await text('#m-kernels');
        const platform = await text('#m-platform');
        console.log(`      ${host} host: kernels ${kernels}; ${platform}`);
        assert.match(kernels, host === 'web' ? /^wasm-simd \(single-threaded build\)/ : /^wasm-simd/);
        if (host === 'web') assert.match(platform, /VS Code for the Web/);
        else assert.doesNotMatch(platform, /VS Code for the Web/);
        assert.ok(Number((await text('#m-steps')).replace(/\D/g, '')) > 0, 'trained steps are shown');
      });

      it('types, the ghost text appears, and Tab inserts it', async () => {
        const { page } = session!;
        await openFile(page, 'src/format.ts');
        await goToEnd(page);
        const typed = 'export function formatPr';
        await typeText(page, typed, 60);
        const ghost = await waitForGhostText(page, (t) => t.trim().length > 0, 30_000);
        await pressKeys(page, 'Tab');
        const firstLine = ghost.split('\n')[0]!;
        await waitFor('the accepted text in the editor', async () => (await readEditorLines(page)).some((l) => l.startsWith(typed + firstLine)), 10_000);
      });
    });
  }
});
