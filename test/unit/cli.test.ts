import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../helpers/paths';

const cli = path.join(repoRoot, 'dist', 'cli.js');

function inkling(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { input, encoding: 'utf8', timeout: 240_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('inkling CLI', function () {
  this.timeout(300_000);
  let dir: string;
  before(async function () {
    if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run npm run build first');
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'inkling-cli-'));
    const ws = path.join(dir, 'ws');
    await fs.mkdir(path.join(ws, 'src'), { recursive: true });
    const line = (i: number) => `export function add${i}(a: number, b: number): number { return a + b + ${i}; }\n`;
    for (let f = 0; f < 8; f++) {
      await fs.writeFile(path.join(ws, 'src', `m${f}.ts`), Array.from({ length: 60 }, (_, i) => line(f * 100 + i)).join(''));
    }
    await fs.writeFile(path.join(ws, '.env'), 'API_KEY=sk_live_0123456789abcdefghijklmnop\n');
    await fs.writeFile(path.join(ws, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]));
  });
  after(async () => { await fs.rm(dir, { recursive: true, force: true }); });

  it('trains on a folder, writes a model, then completes and evaluates with it (--json)', async () => {
    const out = path.join(dir, 'model');
    const t = inkling(['train', path.join(dir, 'ws'), '--out', out, '--max-steps', '200', '--units', '32', '--layers', '1',
      '--batch', '8', '--seq-length', '32', '--lr', '0.01', '--json']);
    assert.equal(t.status, 0, t.stderr);
    const summary = JSON.parse(t.stdout) as { steps: number; validationBitsPerChar: number; corpus: { files: number; skipped: Record<string, number> } };
    assert.equal(summary.steps, 200);
    assert.equal(summary.corpus.files, 8);
    assert.equal(summary.corpus.skipped.secret, 1);
    assert.equal(summary.corpus.skipped.binary, 1);
    assert.ok(summary.validationBitsPerChar < 3, `validation ${summary.validationBitsPerChar}`);
    for (const f of ['model.json', 'weights.bin', 'inkling.json']) assert.ok(existsSync(path.join(out, f)), f);

    const c = inkling(['complete', out, '--max-chars', '12', '--json'], 'export function add7(a: number, b: number): number { return ');
    assert.equal(c.status, 0, c.stderr);
    const completion = (JSON.parse(c.stdout) as { completion: string }).completion;
    assert.equal(completion.length, 12);
    const again = JSON.parse(inkling(['complete', out, '--max-chars', '12', '--json'], 'export function add7(a: number, b: number): number { return ').stdout) as { completion: string };
    assert.equal(again.completion, completion, 'greedy completion is deterministic');

    const e = inkling(['eval', out, path.join(dir, 'ws'), '--typing-chars', '400', '--json']);
    assert.equal(e.status, 0, e.stderr);
    const ev = JSON.parse(e.stdout) as { bitsPerChar: number; chars: number; keystrokeSavings: { full: number; word: number }; latencyMs: { p50: number } };
    assert.ok(ev.chars > 1000 && ev.bitsPerChar > 0 && ev.bitsPerChar < 4, e.stdout);
    // The corpus is highly repetitive: a trained model saves keystrokes on it.
    assert.ok(ev.keystrokeSavings.word > 0.1, e.stdout);
    assert.ok(ev.latencyMs.p50 > 0, e.stdout);

    // The run compared itself with the n-gram/match model on the held-out files and reported uniform and rollbacks.
    const s2 = JSON.parse(t.stdout) as { heldOut: { chars: number; lstmBitsPerChar: number; ngramBitsPerChar: number } | null; uniformBitsPerChar: number; rollbacks: number };
    assert.ok(s2.heldOut && s2.heldOut.chars > 100 && Number.isFinite(s2.heldOut.ngramBitsPerChar), t.stdout);
    assert.ok(summary.validationBitsPerChar < s2.uniformBitsPerChar);
    assert.equal(typeof s2.rollbacks, 'number');
    // And typed the held-out files with ghost text, as `inkling eval` does: precision and recall.
    const g = (s2.heldOut as { ghostText?: { typedChars: number; confidence: number; inkling: { precision: number; recall: number }; ngramPart: { precision: number } } }).ghostText;
    assert.ok(g && g.typedChars > 100 && g.confidence === 0.4, t.stdout);
    for (const x of [g.inkling.precision, g.inkling.recall, g.ngramPart.precision]) assert.ok(x >= 0 && x <= 1, t.stdout);

    // Without --json it prints what the editor would show in held-out files, and the precision measured there.
    const shown = inkling(['train', path.join(dir, 'ws'), '--out', path.join(dir, 'model-2'), '--max-steps', '20', '--units', '16', '--layers', '1',
      '--batch', '8', '--seq-length', '32']);
    assert.equal(shown.status, 0, shown.stderr);
    assert.match(shown.stderr, /What the editor shows in held-out files \(the (trained model mixed|n-gram\/match model alone)/);
    assert.match(shown.stderr, /^ {2}src\/m\d\.ts:\d+ {2}\S+│/m);
    assert.match(shown.stderr, /Typing \d+ characters of \d+ held-out file\(s\): \d+ suggestions, precision \d+% \(\d+ of the \d+ characters shown were right\), recall \d+%/);

    // Characters the model cannot know are counted apart from bits per character.
    const odd = path.join(dir, 'odd');
    await fs.mkdir(odd, { recursive: true });
    const line = (i: number) => `export function add${i}(a: number, b: number): number { return a + b + ${i}; }\n`;
    await fs.writeFile(path.join(odd, 'x.ts'), `${line(1)}// ∀ ∀ ∀ ∃\n${line(2)}`.repeat(20));
    const o = inkling(['eval', out, odd, '--typing-chars', '50', '--json']);
    assert.equal(o.status, 0, o.stderr);
    const oj = JSON.parse(o.stdout) as { unknownChars: number; outOfVocabulary: { chars: number; lstmKnownBitsPerChar: number; bitsEach: number } };
    assert.ok(oj.unknownChars >= 80, o.stdout); // the 4 symbols of each of the 20 comment lines (and '/', which training never used)
    assert.ok(oj.outOfVocabulary.chars > 0 && oj.outOfVocabulary.chars <= oj.unknownChars, o.stdout);
    assert.ok(oj.outOfVocabulary.lstmKnownBitsPerChar < 4 && oj.outOfVocabulary.bitsEach > 0, o.stdout);
  });

  it('reports bad input as one clear line and a non-zero exit', () => {
    const cases: [string[], RegExp][] = [
      [['complete', path.join(dir, 'missing')], /inkling\.json is missing/],
      [['train', path.join(dir, 'nope')], /does not exist/],
      [['train', path.join(dir, 'ws'), '--cell', 'lstmx'], /--cell must be one of/],
      [['train', path.join(dir, 'ws'), '--units', 'many'], /--units must be a number/],
      [['train', path.join(dir, 'ws'), '--units', '100000', '--max-steps', '1'], /units must be from 8 to 2048/],
      [['frobnicate'], /unknown command/],
    ];
    for (const [args, re] of cases) {
      const r = inkling(args, '');
      assert.notEqual(r.status, 0, args.join(' '));
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line for ${args.join(' ')}: ${r.stderr}`);
    }
  });
});
