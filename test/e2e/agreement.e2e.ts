// End-to-end: the editor and the evaluation agree. After training the small test model in the real workbench on a
// fixture codebase, held-out lines (a file the model never trained on) are typed into the editor; at the first
// characters of each line the ghost text shown is recorded beside the line's real continuation. The same
// evaluation code as `inkling eval` (src/eval: proposerOf, the confidence cut, shownFigures) then runs on the same
// saved model, the same workspace files and the same typed text, replaying the editor's requests in order, and
// precision and recall must match within a stated tolerance.
//
// The test types as a person does, one key at a time (every keystroke is a `type` in the editor, which is what makes
// VS Code ask the inline completion provider; text inserted otherwise, as a paste or an IME commit, takes other
// paths). IntelliSense's suggest widget is off: Enter would accept its item instead of ending the line, and a
// selected item changes what the provider is asked. The held-out file is created after training and the index
// rebuild, so neither has read it, and it is a file training would read: the models read it when it is opened and
// learn what is typed in it, as in `inkling eval`.
//
// How the test knows the editor has answered (including with nothing): the extension appends each answer of its
// inline completion provider, and each document text it gives the worker's models, to the file named by
// INKLING_COMPLETION_TRACE (see src/host/provider.ts), numbered in the order the worker reads them. The test waits
// for the answer at the cursor's offset for the document as typed, then for the DOM to show it. The replay gives
// the evaluation code every message the worker read, in that order (requests the editor cancelled included: the
// worker still read them), so the models read exactly what the worker's did.
// The test runs the evaluation code itself (in this process) to check the editor against it.
/* eslint-disable @typescript-eslint/no-restricted-imports */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  VsCodeSession, startVsCode, openFile, goToEnd, readGhostText, readEditorLines, runCommand, waitFor, repoRoot,
  fixtureWorkspace, findModelDir, readExtensionLog, resultsDir, screenshot, focusEditor,
} from './harness';
import { collectCorpus, judgeDocument } from '../../src/corpus';
import { loadModel } from '../../src/engine/format';
import { createKernels } from '../../src/engine/kernels';
import { Predictor } from '../../src/engine/predictor';
import { Vocabulary } from '../../src/engine/vocab';
import { shownText } from '../../src/engine/confident';
import { buildWorkspaceModels, MixedPredictor } from '../../src/mix';
import { proposerOf, DEFAULT_RULES } from '../../src/eval/suggesters';
import { shownFigures, type ShownAt, type Segment } from '../../src/eval/suggestions';
import { defaultSettings } from '../../src/shared/settings';
import { trimSuggestion } from '../../src/shared/completionRules';
import { TypedCache } from '../../src/host/typedCache';
import { NGRAM_MAX_MB } from '../../src/shared/settings';

/**
 * The held-out file: an earlier version of a source file of this repository (src/engine/vocab.ts), frozen as a fixture
 * so the typed lines stay put when the source changes; the source file itself is left out of the training copy.
 */
const HELD_OUT = path.join('test', 'fixtures', 'agreement', 'vocab.ts.txt');
/** The file is typed from this line on (1-based); the lines before it are in the file when it is opened. */
const FIRST_TYPED_LINE = 73;
/** Characters typed on each measured line (after its indentation) before its ghost text is read. */
const TYPED_PER_LINE = 3;
/** Between keystrokes: a fast typist (the editor asks on each; some requests are cancelled by the next key). */
const KEY_DELAY_MS = 25;
/**
 * Tolerance, absolute, on precision and on recall: 2 points. The replay runs the same code, with the same kernels,
 * on the same model and the same messages in the same order, so the figures are expected to be equal; the tolerance
 * is for a difference we could not foresee, which the per-line table then shows.
 */
const TOLERANCE = 0.02;

interface TraceLine {
  doc: string; version: number; offset: number; chars: number; text: string; source: string; cancelled: boolean;
  explicit?: boolean; error?: string; seq?: number;
  /** A document text given to the worker's models (then `text` is that text). */
  observe?: boolean;
  /** A request as the editor made it, before its answer (the answer is a line of its own). */
  started?: boolean;
}

describe('The editor and the evaluation agree', function () {
  this.timeout(900_000);
  let session: VsCodeSession | undefined;
  let source = '';
  let traceFile = '';
  const heldText = fs.readFileSync(path.join(repoRoot, HELD_OUT), 'utf8');
  const lines = heldText.split('\n');
  const prefix = lines.slice(0, FIRST_TYPED_LINE - 1).join('\n') + '\n';
  // Up to the end of the class (no trailing blank line typed).
  const typedLines = lines.slice(FIRST_TYPED_LINE - 1, 107);
  const heldRel = 'heldout/vocab.ts';
  const userSettings = {
    'inkling.model.units': 96, 'inkling.model.layers': 1, 'inkling.training.minutes': 0.75,
    'inkling.completion.debounceMs': 0,
    // The text in the editor is exactly what was typed: no auto-indentation, closing brackets or comment ends
    // (typing "/**" would add " */").
    'editor.autoIndent': 'none', 'editor.autoClosingBrackets': 'never', 'editor.autoClosingQuotes': 'never',
    'editor.autoSurround': 'never', 'editor.autoClosingComments': 'never', 'editor.formatOnType': false,
    'editor.insertSpaces': true, 'editor.tabSize': 2, 'editor.detectIndentation': false,
    // No IntelliSense list: Enter would accept its item, and a selected item changes what the provider is asked.
    'editor.quickSuggestions': { other: 'off', comments: 'off', strings: 'off' }, 'editor.suggestOnTriggerCharacters': false,
    'editor.wordBasedSuggestions': 'off', 'editor.parameterHints.enabled': false,
  };

  before(async () => {
    source = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-agree-'));
    fs.cpSync(fixtureWorkspace, source, { recursive: true });
    fs.cpSync(path.join(repoRoot, 'src'), path.join(source, 'inkling-src'), {
      recursive: true, filter: (f) => !f.endsWith('.c') && path.relative(path.join(repoRoot, 'src'), f) !== path.join('engine', 'vocab.ts'),
    });
    traceFile = path.join(source, '..', `${path.basename(source)}-trace.jsonl`);
    fs.writeFileSync(traceFile, '');
    session = await startVsCode({ workspace: source, userSettings, env: { INKLING_COMPLETION_TRACE: traceFile } });
  });

  after(async () => {
    await session?.close();
    if (source) fs.rmSync(source, { recursive: true, force: true });
    if (traceFile) fs.rmSync(traceFile, { force: true });
  });

  const statusText = async (page: VsCodeSession['page']): Promise<string> =>
    (await page.locator('.statusbar-item').filter({ hasText: 'Inkling' }).first().textContent().catch(() => '')) ?? '';
  const readAll = (): TraceLine[] => fs.readFileSync(traceFile, 'utf8').split('\n').filter((l) => l).map((l) => JSON.parse(l) as TraceLine);
  /** Answers and document texts read, in order (not the requests as made: see {@link TraceLine.started}). */
  const readTrace = (): TraceLine[] => readAll().filter((t) => !t.started);

  it('types held-out lines after training; precision and recall match the evaluation of the same model and text', async function () {
    const s = session!;
    const { page } = s;
    await waitFor('the Inkling status bar item', async () => /Inkling: untrained/.test(await statusText(page)), 60_000);
    await runCommand(page, 'Inkling: Retrain from Scratch');
    await waitFor('training to finish', () => /Training ended:/.test(readExtensionLog(s) ?? ''), 300_000);
    // After training the workspace n-gram model is rebuilt; typing must start after that (it replaces what was learned).
    await waitFor('the n-gram model rebuilt after training', () => {
      const log = readExtensionLog(s) ?? '';
      return log.slice(log.lastIndexOf('Training ended:')).includes('Workspace n-gram model:');
    }, 120_000);
    await waitFor('the status "ready"', async () => (await statusText(page)).includes('Inkling: ready'), 60_000);

    // The held-out file appears now: neither training nor the index has read it.
    fs.mkdirSync(path.join(s.workspace, 'heldout'), { recursive: true });
    fs.writeFileSync(path.join(s.workspace, heldRel), prefix);
    await openFile(page, heldRel);
    await goToEnd(page);
    let typed = prefix;
    const inDoc = (t: TraceLine): boolean => t.doc.endsWith(heldRel);
    /**
     * The provider's answer (not cancelled) at the cursor, asked about the document exactly as typed. Fails, with
     * what the editor shows and what it was last asked, if the editor's text is not what was typed or no answer comes
     * within `waitMs`.
     */
    const answerHere = async (waitMs = 40_000): Promise<{ line: TraceLine; index: number }> => {
      const offset = typed.length;
      // A typing user who sees no suggestion after a while asks for one (Alt+\, Trigger Inline Suggestion), and asks
      // again if nothing comes: on the loaded machine the editor sometimes made no request at all for tens of seconds
      // after a document was opened (while the page logged "Extension host (Remote) is unresponsive").
      let askAt = Date.now() + 10_000;
      let asks = 0;
      const deadline = Date.now() + waitMs;
      for (;;) {
        const trace = readTrace();
        for (let i = trace.length - 1; i >= 0; i--) {
          const t = trace[i]!;
          if (!inDoc(t) || t.observe || t.offset !== offset || t.cancelled) continue;
          if (t.error) throw new Error(`the completion request at offset ${offset} failed: ${t.error}`);
          if (t.chars !== typed.length) throw new Error(`the editor's text is ${t.chars} characters at offset ${offset}, ${typed.length} were typed`);
          return { line: t, index: i };
        }
        if (Date.now() > askAt && Date.now() < deadline) {
          askAt = Date.now() + 10_000;
          asks++;
          const made = readAll().filter((t) => inDoc(t) && t.started && t.offset === offset).length;
          console.log(`    no answer at offset ${offset} after ${asks * 10} s (${made} requests made there): Alt+\\ (Trigger Inline Suggestion)`);
          // The document is exactly what was typed, so its end is where the cursor is.
          await focusEditor(page);
          await page.keyboard.press('Control+End');
          await page.keyboard.press('Alt+Backslash');
        }
        if (Date.now() > deadline) {
          const all = readAll();
          const last = trace.filter((t) => inDoc(t) && !t.observe).slice(-5).map((t) => JSON.stringify(t)).join('\n      ');
          const made = all.filter((t) => inDoc(t) && t.started);
          const shown = (await readEditorLines(page).catch(() => [])).slice(-4).join(' | ');
          const log = (readExtensionLog(s) ?? '').trimEnd().split('\n').slice(-15).join('\n      ');
          // For a look afterwards: the workbench as it was, and VS Code's own logs (extension host, renderer).
          const shot = await screenshot(page, 'agreement-no-answer').catch(() => undefined);
          const logsCopy = path.join(resultsDir, 'agreement-no-answer-logs');
          fs.cpSync(path.join(s.server.dirs.userData, 'logs'), logsCopy, { recursive: true });
          const consoleTail = s.consoleLines.slice(-12).map((l) => l.slice(0, 300)).join('\n      ');
          // Linux: what the server's extension hosts were given (is the trace file in their environment?).
          const hostEnv: string[] = [];
          for (const pid of fs.existsSync('/proc') ? fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)) : []) {
            try {
              const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
              if (!cmd.includes(s.runDir) && !cmd.includes('bootstrap-fork')) continue;
              const env = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
              hostEnv.push(`${pid} ${cmd.replace(/\0/g, ' ').slice(0, 120)}: ${env.find((e) => e.startsWith('INKLING_COMPLETION_TRACE=')) ?? 'no INKLING_COMPLETION_TRACE'}`);
            } catch { /* gone */ }
          }
          fs.writeFileSync(path.join(resultsDir, 'agreement-no-answer-processes.txt'), `${hostEnv.join('\n')}\n`);
          fs.writeFileSync(path.join(resultsDir, 'agreement-no-answer-console.txt'), `${s.consoleLines.join('\n')}\n`);
          throw new Error(`no completion answer at offset ${offset} (after typing ${JSON.stringify(typed.slice(-40))}) within ${waitMs / 1000} s (asked explicitly ${asks} times).\n` +
            `    the editor's last lines: ${shown}\n    its last answers:\n      ${last || '(none)'}\n` +
            `    requests made in the document: ${made.length} (the last at offset ${made.at(-1)?.offset ?? '-'}), document texts read: ${trace.filter((t) => inDoc(t) && t.observe).length}, ` +
            `trace lines in all: ${all.length}\n    the extension's log, last lines:\n      ${log}\n` +
            `    the page's console, last lines:\n      ${consoleTail}\n    screenshot ${shot ? path.relative(repoRoot, shot) : '(none)'}, VS Code's logs copied to ${path.relative(repoRoot, logsCopy)}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const typeKeys = async (text: string): Promise<void> => {
      await page.keyboard.type(text, { delay: KEY_DELAY_MS });
      typed += text;
    };
    // Before typing: one answer in the document, asked for explicitly (as a user does with Alt+\), so the test
    // starts once the editor and the provider answer there; the request is replayed like every other one.
    // In about one full e2e run in three on this machine the editor made no request at all in the newly opened file:
    // not for two minutes of explicit asks, not after closing and reopening the file, not after reloading the window
    // (the extension host had the trace file in its environment and was alive, its log normal; the cause is not
    // found). Then the comparison cannot be made: the test says so and is skipped, instead of passing or failing on
    // something the provider never saw.
    await focusEditor(page);
    await page.keyboard.press('Alt+Backslash');
    try {
      await answerHere(60_000);
    } catch (e) {
      if (readAll().some(inDoc)) throw e;
      console.log(`    SKIPPED: the editor made no inline completion request in the held-out file within 60 s (${(e as Error).message.split('\n')[0]})`);
      this.skip();
    }
    const measured: { line: number; at: number; trace: number; ghost: string; answer: string; real: string; typedPart: string }[] = [];
    let shots = 0;
    for (let k = 0; k < typedLines.length; k++) {
      const line = typedLines[k]!;
      const indent = /^ */.exec(line)![0];
      const body = line.slice(indent.length);
      if (body.length >= TYPED_PER_LINE + 2 && !/^(\/\/|\/\*|\*)/.test(body)) {
        const head = indent + body.slice(0, TYPED_PER_LINE);
        await typeKeys(head);
        const { line: answer, index } = await answerHere();
        // The answer is in; the ghost text (if any) is rendered from it.
        const ghost = await waitFor('the ghost text in the editor to show the answer', async () => {
          const g = await readGhostText(page);
          return g === answer.text ? { g } : undefined;
        }, 10_000).then((r) => r.g, () => readGhostText(page));
        measured.push({ line: FIRST_TYPED_LINE + k, at: typed.length, trace: index, ghost, answer: answer.text, real: line.slice(head.length), typedPart: head });
        if (answer.text && shots < 3) {
          shots++;
          const file = await screenshot(page, `agreement-line-${FIRST_TYPED_LINE + k}`);
          console.log(`    screenshot: ${path.relative(repoRoot, file)} (typed ${JSON.stringify(head.trim())}, ghost ${JSON.stringify(ghost)})`);
        }
        await typeKeys(`${line.slice(head.length)}\n`);
      } else {
        await typeKeys(`${line}\n`);
      }
    }
    // The last keystroke's answer: everything typed has been asked about.
    await answerHere();
    const trace = readTrace();
    const doc = trace.find(inDoc)?.doc;
    assert.ok(doc, 'the provider answered in the held-out file');

    // The evaluation, on the same model, workspace text and typed text.
    const modelDir = findModelDir(s.server.dirs.userData);
    assert.ok(modelDir, `no saved model under ${s.server.dirs.userData}`);
    const model = await loadModel(modelDir);
    const settings = defaultSettings();
    const report = await collectCorpus([source], {
      include: settings.include, exclude: settings.exclude, maxTotalBytes: Math.min(settings.maxCorpusMB, NGRAM_MAX_MB) * 2 ** 20,
    });
    assert.ok(!report.files.some((f) => f.path.includes('heldout')), 'the held-out file is not in the workspace models');
    const built = await buildWorkspaceModels(report.files.map((f) => f.text));
    const { kernels } = await createKernels({ threads: 1 });
    // The model the worker says answered: the mixture, or the n-gram/match part alone when the trained model was not
    // measured to help on the held-out files (the worker's gate, see suggestsWith).
    const sources = new Set(trace.filter((t) => t.doc === doc && !t.observe && !t.cancelled && (t.source === 'mixed' || t.source === 'ngram')).map((t) => t.source));
    assert.equal(sources.size, 1, `one model answered in the held-out file (got ${[...sources].join(', ')})`);
    const ngramOnly = sources.has('ngram');
    const vocab = ngramOnly ? Vocabulary.fromText(report.files.map((f) => f.text)) : model.vocab;
    const mixed = ngramOnly
      ? new MixedPredictor(null, vocab, built.ngram, undefined, built.match)
      : new MixedPredictor(new Predictor(kernels, model.config, model.weights), model.vocab, built.ngram, undefined, built.match, {
        prior: { lstmBits: model.meta.training?.validationBitsPerChar ?? null, ngramBits: built.ngramBits },
      });
    console.log(`      answered by ${ngramOnly ? 'the n-gram/match part alone (the trained model was not measured to help)' : 'the mixture with the trained model'}`);
    // A file training would read: the models read it when it is opened and learn what is typed in it.
    const verdict = await judgeDocument([s.workspace], { include: settings.include, exclude: settings.exclude }, path.join(s.workspace, heldRel), typed);
    assert.equal(verdict, undefined, 'training would read the held-out file');
    const rules = { ...DEFAULT_RULES, contextChars: settings.contextChars, maxChars: settings.maxSuggestionChars };
    const proposer = proposerOf(mixed, vocab, rules, { learnText: (t) => mixed.learnText(t) });
    const seg: Segment = { doc, languageId: 'typescript', text: typed, start: 0, end: typed.length };
    // What the worker read, in its order: document texts, and every request (answered or cancelled).
    const replayed = new Map<number, string>();
    for (const t of trace.filter((x) => x.doc === doc && x.seq !== undefined).sort((a, b) => a.seq! - b.seq!)) {
      if (t.observe) {
        proposer.observe(doc, t.text);
        continue;
      }
      const before = typed.slice(0, t.offset);
      const lineText = before.slice(before.lastIndexOf('\n') + 1);
      const c = proposer.propose(seg, before);
      replayed.set(t.seq!, trimSuggestion(shownText(c, settings.confidence, lineText, 'typescript').text, { multiline: false, indent: /^[ \t]*/.exec(lineText)![0] }));
    }
    kernels.dispose();
    // What the editor showed, in the order of its answers: the worker's (replayed), or the typed cache's.
    const cache = new TypedCache();
    const evalAt = new Map<number, string>();
    let same = 0;
    let compared = 0;
    trace.forEach((t, i) => {
      if (t.doc !== doc || t.observe || t.cancelled || t.source === 'none') return;
      const before = typed.slice(0, t.offset);
      const window = before.slice(-rules.contextChars);
      let text: string;
      if (t.seq !== undefined) {
        text = replayed.get(t.seq)!;
        if (text) cache.remember(doc, { before: window, items: [text] });
      } else {
        text = cache.lookup(doc, window)?.[0] ?? '';
      }
      evalAt.set(i, text);
      compared++;
      if (text === t.text) same++;
    });

    const editor: ShownAt[] = measured.map((m) => ({ shown: m.ghost, real: m.real }));
    const evaluation: ShownAt[] = measured.map((m) => ({ shown: evalAt.get(m.trace) ?? '', real: m.real }));
    const fe = shownFigures(editor);
    const fv = shownFigures(evaluation);
    const table = measured.map((m, i) => `  ${String(m.line).padStart(3)} ${JSON.stringify(m.typedPart.trim()).padEnd(8)} editor ${JSON.stringify(m.ghost).padEnd(30)} eval ${JSON.stringify(evaluation[i]!.shown).padEnd(30)} real ${JSON.stringify(m.real)}`);
    const pc = (x: number): string => `${(x * 100).toFixed(1)}%`;
    const requests = trace.filter((t) => t.doc === doc && !t.observe);
    const g = model.meta.training?.heldOut?.ghostText;
    const summary = [
      `held-out ${HELD_OUT}, lines ${FIRST_TYPED_LINE}-${FIRST_TYPED_LINE + typedLines.length - 1} typed key by key (${typed.length - prefix.length} characters), ${measured.length} lines measured after ${TYPED_PER_LINE} characters`,
      `editor:     precision ${pc(fe.precision)} (${fe.charsRight}/${fe.charsShown}), recall ${pc(fe.recall)} (${fe.charsRight}/${fe.charsReal}), ${fe.suggestions} suggestions, ${pc(fe.fullAcceptRate)} right in full`,
      `evaluation: precision ${pc(fv.precision)} (${fv.charsRight}/${fv.charsShown}), recall ${pc(fv.recall)} (${fv.charsRight}/${fv.charsReal}), ${fv.suggestions} suggestions, ${pc(fv.fullAcceptRate)} right in full`,
      `the same text at ${same} of ${compared} answers of the editor; ${requests.length} requests (${requests.filter((t) => t.cancelled).length} cancelled, ` +
        `${requests.filter((t) => t.source === 'typed').length} from the typed cache, ${requests.filter((t) => t.explicit).length} explicit), ` +
        `${trace.filter((t) => t.doc === doc && t.observe).length} document texts read`,
      g ? `the training run's own held-out figures (inkling eval's simulated typist, ${g.typedChars} characters at confidence ${g.confidence}): ` +
        `with the trained model precision ${pc(g.inkling.precision)}, recall ${pc(g.inkling.recall)}; n-gram/match part alone precision ${pc(g.ngramPart.precision)}, recall ${pc(g.ngramPart.recall)}` : 'no held-out ghost text figures in the model record',
      ...table,
    ];
    for (const l of summary) console.log(`    ${l}`);
    fs.mkdirSync(resultsDir, { recursive: true });
    fs.writeFileSync(path.join(resultsDir, 'agreement.txt'), `${summary.join('\n')}\n`);

    // The DOM showed what the provider answered.
    for (const m of measured) assert.strictEqual(m.ghost, m.answer, `line ${m.line}: the ghost text shown is the provider's answer`);
    assert.ok(fe.suggestions > 0, 'the editor showed ghost text on some held-out line');
    assert.ok(Math.abs(fe.precision - fv.precision) <= TOLERANCE, `precision: editor ${pc(fe.precision)}, evaluation ${pc(fv.precision)}`);
    assert.ok(Math.abs(fe.recall - fv.recall) <= TOLERANCE, `recall: editor ${pc(fe.recall)}, evaluation ${pc(fv.recall)}`);
  });
});
