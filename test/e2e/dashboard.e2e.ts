// End-to-end: the training dashboard in the real VS Code workbench. A user opens it, starts training with its
// button, watches the loss curve grow and the samples change, moves the temperature slider (the setting follows),
// and finds the panel again after a reload. Also takes the README's pictures in a light and a dark theme.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Frame } from 'playwright-core';
import { VsCodeSession, startVsCode, runCommand, findModelDir, findWebviewFrame, fixtureWorkspace, repoRoot, screenshot, waitFor, waitForWorkbench } from './harness';
// The test runs the evaluation code itself to check what the dashboard shows against it.
/* eslint-disable @typescript-eslint/no-restricted-imports */
import { collectCorpus, splitByFile } from '../../src/corpus';
import { loadModel } from '../../src/engine/format';
import { createKernels } from '../../src/engine/kernels';
import { heldOutGhostText, workspaceParts, workspaceTexts } from '../../src/eval/ghostText';
import { DEFAULT_TRAIN } from '../../src/shared/modelConfig';
import { defaultSettings } from '../../src/shared/settings';

const TITLE = 'Inkling Training';
const EXTENSION_ID = 'inkling-dev.inkling';

/** Reads a settings file written by VS Code (JSON; the fixture's has `//` comment lines). */
function readSettings(file: string): Record<string, unknown> {
  const text = fs.readFileSync(file, 'utf8').split('\n').filter((l) => !/^\s*\/\//.test(l)).join('\n');
  return JSON.parse(text) as Record<string, unknown>;
}

/** The same while VS Code may be writing the file: a half-written file reads as not there yet. */
function readSettingsWhileWritten(file: string): Record<string, unknown> | undefined {
  try {
    return readSettings(file);
  } catch (e) {
    if (e instanceof SyntaxError) return undefined;
    throw e;
  }
}

function writeSettings(file: string, patch: Record<string, unknown>): void {
  fs.writeFileSync(file, `${JSON.stringify({ ...readSettings(file), ...patch }, null, 2)}\n`);
}

describe('Training dashboard in the workbench', function () {
  this.timeout(600_000);
  let session: VsCodeSession | undefined;
  let source: string | undefined;
  let frame: Frame;

  const settingsFile = (): string => path.join(session!.workspace, '.vscode', 'settings.json');
  const text = async (selector: string): Promise<string> => (await frame.locator(selector).textContent()) ?? '';
  const points = async (): Promise<number> => Number(await frame.locator('#chart-figure').getAttribute('data-points'));
  /** How many runs' curves the page has started (a new run's curve begins when the run has read its corpus). */
  const runs = async (): Promise<number> => Number(await frame.locator('#chart-figure').getAttribute('data-runs'));
  const enabled = (id: string): Promise<boolean> => frame.locator(`#${id}`).isEnabled();
  const sample = async (): Promise<{ status: string; text: string; meta: string }> => ({
    status: (await frame.locator('#sample').getAttribute('data-status')) ?? '',
    text: await text('#sample-text'),
    meta: await text('#sample-meta'),
  });

  before(async () => {
    // A small, fast model, and a temperature set in the workspace (the slider then writes it there).
    source = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-dashboard-'));
    fs.cpSync(fixtureWorkspace, source, { recursive: true });
    // More text than the fixture's few files, so the curves and the pictures look like a real workspace: this
    // repository's own sources; and two files the corpus must skip (a binary, a secrets file).
    fs.cpSync(path.join(repoRoot, 'src'), path.join(source, 'inkling-src'), { recursive: true, filter: (f) => !f.endsWith('.c') });
    fs.writeFileSync(path.join(source, 'logo.bin'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 0, 1, 2, 3]));
    fs.writeFileSync(path.join(source, '.env'), 'API_TOKEN=not-a-real-token\n');
    writeSettings(path.join(source, '.vscode', 'settings.json'), {
      'inkling.model.units': 32, 'inkling.model.layers': 1, 'inkling.training.minutes': 0.5,
      'inkling.completion.temperature': 0.5, 'workbench.colorTheme': 'Default Dark Modern',
    });
    session = await startVsCode({ workspace: source });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && session) {
      const file = await screenshot(session.page, `dashboard-${this.currentTest.title}`).catch(() => undefined);
      if (file) console.log(`    screenshot: ${file}`);
    }
  });

  after(async () => {
    await session?.close();
    if (source) fs.rmSync(source, { recursive: true, force: true });
  });

  it('opens from the palette: untrained, Train enabled, Stop and Export disabled', async () => {
    const { page } = session!;
    // Activated (its status bar item is up) before its command is run from the palette.
    await waitFor('the Inkling status bar item', async () => (await page.locator('.statusbar-item').filter({ hasText: 'Inkling' }).count()) > 0, 60_000);
    await runCommand(page, 'Inkling: Show Training Dashboard');
    frame = await findWebviewFrame(page, TITLE, { extensionId: EXTENSION_ID, timeoutMs: 30_000 });
    await waitFor('the init message', async () => (await text('#status')) !== 'Connecting…', 30_000);
    assert.match(await text('#status'), /No model yet/);
    assert.ok(await enabled('btn-train'), 'Train is enabled');
    assert.ok(!(await enabled('btn-stop')), 'Stop is disabled');
    assert.ok(!(await enabled('btn-export')), 'Export is disabled without a model');
    assert.equal(await frame.locator('#btn-export').getAttribute('title'), 'There is no trained model to export yet.');
    assert.equal(await points(), 0);
    assert.equal((await sample()).status, 'no-model');
    assert.equal(await text('#temperature-value'), '0.50');
  });

  it('trains from its Train button: the loss curve gains points live; a sample appears at the checkpoint', async () => {
    await frame.locator('#btn-train').click();
    await waitFor('Stop to be enabled', () => enabled('btn-stop'), 30_000);
    assert.ok(!(await enabled('btn-train')), 'Train is disabled while training');
    const first = await waitFor('the first curve points', async () => (await points()) || false, 60_000);
    await waitFor('more curve points', async () => (await points()) > first + 3, 30_000);
    assert.match(await text('#stat-speed'), /chars\/s$/);
    assert.match(await text('#stat-progress'), /^\d+%$/);
    assert.match(await text('#c-files'), /^\d+$/);
    const skipped = await text('#c-skipped');
    assert.match(skipped, /1 binary/);
    assert.match(skipped, /\d+ may hold secrets/);
    assert.match(await text('#m-kernels'), /\S/);
    // The first model exists at the run's first checkpoint: the sample appears.
    const s = await waitFor('a sample from the new model', async () => { const v = await sample(); return v.status === 'ok' && v.text.length > 0 && v; }, 90_000);
    assert.match(s.meta, /Temperature 0\.50/);
    await waitFor('the run to end', async () => !(await enabled('btn-stop')), 90_000);
    assert.equal(await text('#m-cell'), 'LSTM');
    assert.equal(await text('#m-units'), '32');
    assert.match(await text('#q-best'), /^\d+\.\d\d$/);
    assert.ok((await text('#q-text')).length > 20, 'a plain-language reading');
    assert.ok(await enabled('btn-export'), 'Export is enabled once there is a model');
  });

  it('shows the ghost text precision and recall on the held-out files, as inkling eval computes them', async () => {
    // The end of the run typed the held-out files with ghost text; the dashboard shows the record's figures.
    const line = /^precision (\d+)% \(([\d,]+) of ([\d,]+) characters shown\) · recall (\d+)% · (\d+)% of ([\d,]+) suggestions right in full/;
    const mixedText = await waitFor('the held-out ghost text figures', async () => { const t = await text('#g-mixed'); return line.test(t) && t; }, 30_000);
    const ngramText = await text('#g-ngram');
    assert.match(ngramText, line);
    assert.match(await text('#g-note'), /^Typing [\d,]+ characters of \d+ held-out files? at confidence 0\.4, as inkling eval measures it/);
    const modelDir = findModelDir(session!.server.dirs.userData);
    assert.ok(modelDir, 'the saved model');
    const model = await loadModel(modelDir);
    const g = model.meta.training?.heldOut?.ghostText;
    assert.ok(g, 'the model record has the held-out ghost text figures');
    const suggesting = /suggesting now/.test(mixedText) ? g.inkling : g.ngramPart;
    assert.equal(await text('#q-precision'), suggesting.suggestions > 0 ? `${Math.round(suggesting.precision * 100)}%` : '–');
    for (const [shown, f] of [[mixedText, g.inkling], [ngramText, g.ngramPart]] as const) {
      const m = line.exec(shown)!;
      assert.deepEqual(m.slice(1, 7).map((x) => Number(x.replace(/,/g, ''))), [Math.round(f.precision * 100), f.charsRight, f.charsShown, Math.round(f.recall * 100), Math.round(f.fullAcceptRate * 100), f.suggestions]);
    }
    // The evaluation code (the same as `inkling eval`'s) on the same model and held-out files gives these figures.
    const settings = defaultSettings();
    const report = await collectCorpus([session!.workspace], { include: settings.include, exclude: settings.exclude, maxTotalBytes: settings.maxCorpusMB * 2 ** 20 });
    const split = splitByFile(report.files, DEFAULT_TRAIN.validationFraction, DEFAULT_TRAIN.seed);
    const { kernels } = await createKernels({ threads: 1 });
    const mine = heldOutGhostText(kernels, model, workspaceParts(workspaceTexts(split.train.map((f) => f.text))), split.validation, { threshold: settings.confidence });
    kernels.dispose();
    assert.ok(mine);
    console.log(`      held-out ghost text: with the trained model precision ${g.inkling.precision}, recall ${g.inkling.recall}; n-gram/match part alone ${g.ngramPart.precision}, ${g.ngramPart.recall} (recomputed: ${mine.inkling.precision}, ${mine.inkling.recall}; ${mine.ngramPart.precision}, ${mine.ngramPart.recall})`);
    assert.equal(mine.typedChars, g.typedChars);
    for (const [a, b] of [[mine.inkling, g.inkling], [mine.ngramPart, g.ngramPart]] as const) {
      assert.ok(Math.abs(a.precision - b.precision) <= 0.01 && Math.abs(a.recall - b.recall) <= 0.01, `recomputed ${JSON.stringify(a)}, recorded ${JSON.stringify(b)}`);
    }
  });

  it('continues training: the curve starts again and grows; a better checkpoint changes the sample, else the dashboard says the model was kept', async () => {
    const before = (await sample()).text;
    const runsBefore = await runs();
    await frame.locator('#btn-train').click();
    await waitFor('Stop to be enabled', () => enabled('btn-stop'), 30_000);
    // Stop is enabled as soon as the job starts; the last run's curve stays until the new run has read its corpus.
    await waitFor('the new run\'s curve to start', async () => (await runs()) > runsBefore, 60_000);
    const n0 = await waitFor('curve points of the new run', async () => (await points()) || false, 60_000);
    // Wait on what the run does, not on a guess of how fast it goes on a loaded machine: the curve grows, or the
    // run ends first (the bound is the whole 30-second run with its start and end on a busy machine).
    const ended = async (): Promise<boolean> => !(await enabled('btn-stop'));
    await waitFor('the curve to grow (or the run to end)', async () => (await points()) > n0 || (await ended()), 180_000);
    assert.ok((await points()) > n0, `the curve grew from ${n0} points`);
    // A resumed run replaces the model only with a better one: then the sample changes; if it never beat the stored
    // model, the run ends saying the stored model was kept (and the sample stays).
    const outcome = await waitFor('a new sample, or the run to end', async () => {
      const v = await sample();
      if (v.status === 'ok' && v.text !== before) return 'changed';
      if (await ended()) return /kept/.test(await text('#status')) ? 'kept' : false;
      return false;
    }, 240_000);
    console.log(`      resumed run: ${outcome === 'changed' ? 'a better checkpoint, the sample changed' : await text('#status')}`);
    assert.ok(outcome === 'changed' || outcome === 'kept');
  });

  it('moving the temperature slider with the keyboard sets inkling.completion.temperature and resamples', async () => {
    const slider = frame.locator('#temperature');
    await slider.focus();
    await slider.press('ArrowRight');
    await slider.press('ArrowRight');
    assert.equal(await text('#temperature-value'), '0.60');
    await waitFor('the workspace setting to follow the slider', () => readSettingsWhileWritten(settingsFile())?.['inkling.completion.temperature'] === 0.6, 15_000);
    await waitFor('a sample at the new temperature', async () => /Temperature 0\.60/.test((await sample()).meta), 30_000);
    // And the other way: a settings change moves the slider. (VS Code misses an outside write to a settings file
    // that comes within about a second of its own write, so wait a little first.)
    await new Promise((r) => setTimeout(r, 2000));
    writeSettings(settingsFile(), { 'inkling.completion.temperature': 1.2 });
    await frame.locator('#prompt').focus(); // the slider is not updated under the user's hand
    await waitFor('the slider to follow the setting', async () => (await text('#temperature-value')) === '1.20', 15_000);
    await new Promise((r) => setTimeout(r, 2000));
    writeSettings(settingsFile(), { 'inkling.completion.temperature': 0.5 });
    await waitFor('the slider back at 0.50', async () => (await text('#temperature-value')) === '0.50', 15_000);
  });

  it('takes the pictures: light and dark themes', async () => {
    const { page } = session!;
    await waitFor('the run to end', async () => !(await enabled('btn-stop')), 90_000);
    await runCommand(page, 'Notifications: Clear All Notifications');
    await runCommand(page, 'View: Close Primary Side Bar');
    frame = await findWebviewFrame(page, TITLE, { extensionId: EXTENSION_ID });
    await frame.locator('#prompt').fill('export function ');
    await waitFor('a sample for the prompt', async () => (await text('#sample-prompt')) === 'export function ', 15_000);
    await page.setViewportSize({ width: 1400, height: 1100 }); // the whole dashboard, corpus included
    const dir = process.env.INKLING_UPDATE_SCREENSHOTS ? path.join(repoRoot, 'docs', 'images') : path.join(repoRoot, 'test-results', 'e2e');
    fs.mkdirSync(dir, { recursive: true });
    const themes = [['Default Light Modern', 'light', 'vscode-light'], ['Default High Contrast', 'high-contrast', 'vscode-high-contrast'], ['Default Dark Modern', 'dark', 'vscode-dark']] as const;
    for (const [theme, name, bodyClass] of themes) {
      writeSettings(settingsFile(), { 'workbench.colorTheme': theme });
      await waitFor(`the ${name} theme`, async () => (await frame.locator('body').getAttribute('class'))?.split(' ').includes(bodyClass), 15_000);
      await page.mouse.move(0, 0);
      await new Promise((r) => setTimeout(r, 1500)); // let the chart redraw in the new colours
      // The README shows light and dark; the high-contrast picture stays with the test results.
      const file = path.join(name === 'high-contrast' ? path.join(repoRoot, 'test-results', 'e2e') : dir, `dashboard-${name}.png`);
      await page.screenshot({ path: file });
      assert.ok(fs.statSync(file).size > 10_000);
    }
  });

  it('is restored after a reload (panel serializer), with its prompt', async () => {
    const { page } = session!;
    await page.reload({ waitUntil: 'domcontentloaded' });
    await waitForWorkbench(page);
    frame = await findWebviewFrame(page, TITLE, { extensionId: EXTENSION_ID, timeoutMs: 60_000 });
    await waitFor('the restored page to be initialised', async () => (await text('#status')) !== 'Connecting…', 60_000);
    await waitFor('the saved model', async () => (await text('#m-cell')) === 'LSTM', 30_000);
    assert.ok((await points()) > 10, 'the last run\'s curve, from the page\'s saved state');
    assert.equal(await frame.locator('#prompt').inputValue(), 'export function ');
    await waitFor('a sample after the reload', async () => (await sample()).status === 'ok', 30_000);
    assert.equal((await sample()).meta.includes('Temperature 0.50'), true);
  });

  it('loaded under its Content-Security-Policy without violations; the policy refuses inline style and script', async () => {
    const csp = (): string[] => session!.consoleLines.filter((l) => /Content.Security.Policy/i.test(l) && /nonce-|vscode-cdn|vscode-resource/i.test(l));
    assert.deepEqual(csp(), [], 'no violations so far');
    // Page code as a string: the tests' tsconfig has no DOM lib.
    const injected = await frame.evaluate(`(() => {
      const style = document.createElement('style');
      style.textContent = 'body { letter-spacing: 7px; }';
      document.head.appendChild(style);
      const script = document.createElement('script');
      script.textContent = 'document.body.dataset.injected = "yes";';
      document.body.appendChild(script);
      return { letterSpacing: getComputedStyle(document.body).letterSpacing, script: document.body.dataset.injected ?? 'no' };
    })()`);
    assert.deepEqual(injected, { letterSpacing: 'normal', script: 'no' });
    await waitFor('the violations to be reported', () => csp().length >= 2, 5_000);
  });
});
