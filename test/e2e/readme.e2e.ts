// End-to-end, on request: the README's pictures of the default model after its default training on a real codebase:
// the ghost text in a held-out file, then the dashboard after one more minute of training from its Train button (so
// that it has a loss curve to show).
// Runs when INKLING_README_CORPUS names a corpus folder made by scripts/quality.mjs (train/ and test/ folders, the
// model that `inkling train --minutes 10` saved in model/, and `inkling eval --json`'s eval.json); skipped otherwise,
// since it needs that 10-minute training made beforehand.
//
// The workspace is the corpus's training folder (what the model trained on). The model is put in the extension's
// model folder for the workspace and the window reloaded, as a model trained there would be found. A held-out file
// (never trained on, and created after the n-gram index was built) is opened at its middle and its next lines are
// typed key by key; after the first characters of each line the provider's answer is awaited (its trace, as in the
// agreement test) and the ghost text read from the editor. From the fourth line on, the ghost text is read after
// every key until it shows at least 10 characters: that is the picture. Every line's ghost text after its first
// characters is printed beside what really follows, and the README gives eval.json's figures.
// With INKLING_UPDATE_SCREENSHOTS set the pictures replace docs/images/ghost-text.png and dashboard-{light,dark}.png.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  VsCodeSession, startVsCode, openFile, goToEnd, readGhostText, waitFor, waitForWorkbench, repoRoot, readExtensionLog, runCommand,
  findWebviewFrame,
} from './harness';
// The test runs the evaluation code itself, for a record made before the end of a run measured ghost text.
/* eslint-disable @typescript-eslint/no-restricted-imports */
import { collectCorpus, splitByFile } from '../../src/corpus';
import { loadModel } from '../../src/engine/format';
import { createKernels } from '../../src/engine/kernels';
import { heldOutGhostText, workspaceParts, workspaceTexts } from '../../src/eval/ghostText';
import { DEFAULT_TRAIN } from '../../src/shared/modelConfig';
import { defaultSettings } from '../../src/shared/settings';

const CORPUS = process.env.INKLING_README_CORPUS;
/** The held-out file to type in, relative to the corpus's test/ folder. */
const FILE = process.env.INKLING_README_FILE ?? 'layers/preprocessing/center_crop.js';
const TYPED_PER_LINE = 3;
const MAX_LINES = 24;

describe('README picture: the default model after its default training', function () {
  this.timeout(600_000);
  let session: VsCodeSession | undefined;
  let traceFile = '';
  const readTrace = (): { doc: string; offset: number; chars: number; text: string; cancelled: boolean; observe?: boolean; started?: boolean }[] =>
    fs.readFileSync(traceFile, 'utf8').split('\n').filter((l) => l).map((l) => JSON.parse(l) as ReturnType<typeof readTrace>[number]);

  before(async function () {
    if (!CORPUS) {
      console.log('    (skipped: set INKLING_README_CORPUS to a corpus folder made by scripts/quality.mjs)');
      this.skip();
    }
    traceFile = path.join(os.tmpdir(), `inkling-readme-trace-${process.pid}.jsonl`);
    fs.writeFileSync(traceFile, '');
    session = await startVsCode({
      workspace: path.join(CORPUS, 'train'), env: { INKLING_COMPLETION_TRACE: traceFile },
      userSettings: {
        'inkling.completion.debounceMs': 0,
        'editor.autoIndent': 'none', 'editor.autoClosingBrackets': 'never', 'editor.autoClosingQuotes': 'never',
        'editor.autoSurround': 'never', 'editor.autoClosingComments': 'never', 'editor.formatOnType': false, 'editor.insertSpaces': true, 'editor.tabSize': 4,
        'editor.detectIndentation': false, 'editor.quickSuggestions': { other: 'off', comments: 'off', strings: 'off' },
        'editor.suggestOnTriggerCharacters': false, 'editor.parameterHints.enabled': false, 'workbench.colorTheme': 'Default Dark Modern',
        // The dashboard's Train button continues the model for one minute (for the picture's loss curve).
        'inkling.training.minutes': 1,
      },
    });
  });

  after(async () => {
    await session?.close();
    if (traceFile) fs.rmSync(traceFile, { force: true });
  });

  const statusText = async (): Promise<string> =>
    (await session!.page.locator('.statusbar-item').filter({ hasText: 'Inkling' }).first().textContent().catch(() => '')) ?? '';

  it('a held-out file: the ghost text after the first characters of its lines', async () => {
    const s = session!;
    const { page } = s;
    const dir = await waitFor('the model folder in the log', () => /Model folder for this workspace: (.+)/.exec(readExtensionLog(s) ?? '')?.[1]?.trim(), 60_000);
    fs.mkdirSync(dir, { recursive: true });
    for (const f of fs.readdirSync(path.join(CORPUS!, 'model'))) fs.copyFileSync(path.join(CORPUS!, 'model', f), path.join(dir, f));
    // A record made before the end of a run measured ghost text gets the figures that measurement gives: the same
    // code (eval/ghostText.ts) on the same held-out files of this workspace (training's split), at the default threshold.
    const record = JSON.parse(fs.readFileSync(path.join(dir, 'inkling.json'), 'utf8')) as { training?: { heldOut?: { ghostText?: unknown } } };
    if (record.training?.heldOut && !record.training.heldOut.ghostText) {
      const settings = defaultSettings();
      const report = await collectCorpus([s.workspace], { include: settings.include, exclude: settings.exclude, maxTotalBytes: settings.maxCorpusMB * 2 ** 20 });
      const split = splitByFile(report.files, DEFAULT_TRAIN.validationFraction, DEFAULT_TRAIN.seed);
      const { kernels } = await createKernels({ threads: 1 });
      const g = heldOutGhostText(kernels, await loadModel(path.join(CORPUS!, 'model')), workspaceParts(workspaceTexts(split.train.map((f) => f.text))), split.validation, { threshold: settings.confidence });
      kernels.dispose();
      record.training.heldOut.ghostText = g;
      fs.writeFileSync(path.join(dir, 'inkling.json'), JSON.stringify(record));
      console.log(`    the record's held-out ghost text (added): ${JSON.stringify(g)}`);
    }
    await page.reload({ waitUntil: 'domcontentloaded' });
    await waitForWorkbench(page);
    await waitFor('the model loaded', () => (readExtensionLog(s) ?? '').includes('Loaded the workspace model'), 120_000);
    await waitFor('the n-gram index', () => {
      const log = readExtensionLog(s) ?? '';
      return log.slice(log.lastIndexOf('Loaded the workspace model')).includes('Workspace n-gram model:');
    }, 180_000);
    await waitFor('the status "ready"', async () => (await statusText()).includes('Inkling: ready'), 60_000);
    await runCommand(page, 'Notifications: Clear All Notifications');

    // The held-out file, from its start to its middle line; the lines after it are typed.
    const text = fs.readFileSync(path.join(CORPUS!, 'test', FILE), 'utf8');
    const lines = text.split('\n');
    const from = Math.floor(lines.length / 2);
    const rel = path.join('heldout', path.basename(FILE));
    fs.mkdirSync(path.join(s.workspace, 'heldout'), { recursive: true });
    let typed = `${lines.slice(0, from).join('\n')}\n`;
    fs.writeFileSync(path.join(s.workspace, rel), typed);
    const type = async (t: string, delay: number): Promise<void> => {
      await page.keyboard.type(t, { delay });
      typed += t;
    };
    await openFile(page, rel);
    await goToEnd(page);
    const shot = process.env.INKLING_UPDATE_SCREENSHOTS ? path.join(repoRoot, 'docs', 'images', 'ghost-text.png') : path.join(repoRoot, 'test-results', 'e2e', 'readme-ghost-text.png');
    fs.mkdirSync(path.dirname(shot), { recursive: true });
    /** The provider's answer for the document as typed, then the editor showing it. */
    const shownNow = async (): Promise<string> => {
      const answer = await waitFor(`the answer at offset ${typed.length}`, () => readTrace().reverse()
        .find((t) => t.doc.endsWith(path.basename(FILE)) && t.offset === typed.length && t.chars === typed.length && !t.cancelled && t.observe === undefined && !t.started), 30_000);
      return waitFor('the ghost text to show the answer', async () => { const g = await readGhostText(page); return g === answer.text ? { g } : undefined; }, 10_000)
        .then((r) => r.g, () => readGhostText(page));
    };
    const rows: { line: number; typed: string; ghost: string; real: string }[] = [];
    let pictured = false;
    for (let k = from; k < Math.min(lines.length - 1, from + MAX_LINES); k++) {
      const line = lines[k]!;
      const indent = /^ */.exec(line)![0];
      const body = line.slice(indent.length);
      if (body.length >= TYPED_PER_LINE + 2 && !/^(\/\/|\/\*|\*)/.test(body)) {
        const head = indent + body.slice(0, TYPED_PER_LINE);
        await type(head, 40);
        const ghost = await shownNow();
        rows.push({ line: k + 1, typed: head.trim(), ghost, real: line.slice(head.length) });
        let rest = line.slice(head.length);
        // From the fourth line on, until the picture is taken: one key at a time, reading the ghost text after each,
        // as a person sees it; the picture is the first place where it shows at least 10 characters.
        while (!pictured && rows.length >= 4 && rest) {
          await type(rest[0]!, 40);
          rest = rest.slice(1);
          const g = await shownNow();
          if (g.length >= 10) {
            await page.mouse.move(0, 0);
            await page.screenshot({ path: shot });
            pictured = true;
            const lineNow = typed.slice(typed.lastIndexOf('\n') + 1);
            console.log(`    picture: ${path.relative(repoRoot, shot)} at line ${k + 1} after ${JSON.stringify(lineNow.trim())}: ghost ${JSON.stringify(g)}, the line goes on ${JSON.stringify(rest)}`);
          }
        }
        await type(`${rest}\n`, 15);
      } else {
        await type(`${line}\n`, 15);
      }
    }
    let shown = 0;
    let right = 0;
    let real = 0;
    for (const r of rows) {
      let n = 0;
      while (n < r.ghost.length && r.ghost[n] === r.real[n]) n++;
      shown += r.ghost.length;
      right += n;
      real += r.real.length;
      console.log(`    ${String(r.line).padStart(4)} ${JSON.stringify(r.typed).padEnd(8)} ghost ${JSON.stringify(r.ghost).padEnd(40)} real ${JSON.stringify(r.real)}`);
    }
    const evalJson = JSON.parse(fs.readFileSync(path.join(CORPUS!, 'eval.json'), 'utf8')) as { precision: number; recall: number; confidence: number };
    console.log(`    these ${rows.length} lines: ${right} of ${shown} characters shown were right (precision ${(100 * right / Math.max(1, shown)).toFixed(1)}%), ` +
      `${right} of the ${real} that followed the typed starts (recall ${(100 * right / Math.max(1, real)).toFixed(1)}%)`);
    console.log(`    inkling eval on the held-out files: precision ${(evalJson.precision * 100).toFixed(1)}%, recall ${(evalJson.recall * 100).toFixed(1)}% at confidence ${evalJson.confidence}`);
    assert.ok(pictured, 'a suggestion of at least 10 characters showed somewhere');
    // Leave the workspace as it was (the held-out file must not be trained on below).
    await runCommand(page, 'File: Revert File');
    await runCommand(page, 'View: Close All Editors');
    fs.rmSync(path.join(s.workspace, 'heldout'), { recursive: true, force: true });
  });

  it('the dashboard with this model, after one more minute of training from its Train button', async () => {
    const s = session!;
    const { page } = s;
    await runCommand(page, 'Inkling: Show Training Dashboard');
    let frame = await findWebviewFrame(page, 'Inkling Training', { extensionId: 'inkling-dev.inkling', timeoutMs: 30_000 });
    const text = async (sel: string): Promise<string> => (await frame.locator(sel).textContent()) ?? '';
    await waitFor('the model on the dashboard', async () => (await text('#m-units')) === '256', 30_000);
    const precision = await text('#q-precision');
    console.log(`    dashboard before: precision ${precision}; ${await text('#g-mixed')} | ${await text('#g-ngram')}`);
    await frame.locator('#btn-train').click();
    await waitFor('Stop to be enabled', () => frame.locator('#btn-stop').isEnabled(), 60_000);
    await waitFor('the run to end', async () => !(await frame.locator('#btn-stop').isEnabled()), 300_000);
    console.log(`    dashboard after: ${await text('#status')}; precision ${await text('#q-precision')}; ${await text('#g-mixed')} | ${await text('#g-ngram')}`);
    await runCommand(page, 'Notifications: Clear All Notifications');
    await runCommand(page, 'View: Close Primary Side Bar');
    frame = await findWebviewFrame(page, 'Inkling Training', { extensionId: 'inkling-dev.inkling' });
    await frame.locator('#prompt').fill('export function ');
    await waitFor('a sample for the prompt', async () => (await text('#sample-prompt')) === 'export function ', 30_000);
    await page.setViewportSize({ width: 1400, height: 1100 });
    const dir = process.env.INKLING_UPDATE_SCREENSHOTS ? path.join(repoRoot, 'docs', 'images') : path.join(repoRoot, 'test-results', 'e2e');
    const settingsFile = path.join(s.workspace, '.vscode', 'settings.json');
    fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
    for (const [theme, name, bodyClass] of [['Default Light Modern', 'light', 'vscode-light'], ['Default Dark Modern', 'dark', 'vscode-dark']] as const) {
      fs.writeFileSync(settingsFile, `${JSON.stringify({ 'workbench.colorTheme': theme }, null, 2)}\n`);
      await waitFor(`the ${name} theme`, async () => (await frame.locator('body').getAttribute('class'))?.split(' ').includes(bodyClass), 15_000);
      await page.mouse.move(0, 0);
      await new Promise((r) => setTimeout(r, 1500)); // let the chart redraw in the new colours (as the dashboard test does)
      const file = path.join(dir, `dashboard-${name}.png`);
      await page.screenshot({ path: file });
      console.log(`    picture: ${path.relative(repoRoot, file)}`);
    }
  });
});
