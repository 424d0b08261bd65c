// The bundled completion worker (dist/) on a real folder: what is typed in a file training would skip (here a
// .gitignore'd one) is not learned through completion requests, while what is typed in a file it would read is;
// and the first-run survey's read of the folder serves the index build that follows it.
import assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { saveModel } from '../../src/engine';
import { CompletionClient } from '../../src/host/completionClient';
import { makeModel } from '../helpers/models';
import { repoRoot } from '../helpers/paths';

const dist = path.join(repoRoot, 'dist');

describe('completion worker (bundled)', function () {
  this.timeout(60_000);
  let dir: string;
  let client: CompletionClient;
  const corpus = { include: ['**/*'], exclude: [], maxTotalBytes: 1 << 20 };

  before(async function () {
    if (!existsSync(path.join(dist, 'completionWorker.js'))) throw new Error('dist/completionWorker.js is missing: run npm run build first');
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'inkling-cworker-'));
    const ws = path.join(dir, 'ws');
    await fs.mkdir(ws, { recursive: true });
    const line = (i: number) => `export const value${i} = compute(${i}, 'abcdefghijklmnopqrstuvwxyz');\n`;
    await fs.writeFile(path.join(ws, 'a.ts'), Array.from({ length: 40 }, (_, i) => line(i)).join(''));
    await fs.writeFile(path.join(ws, '.gitignore'), 'scratch.ts\n');
    client = new CompletionClient(path.join(dist, 'completionWorker.js'));
  });
  after(async () => {
    client?.dispose();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  const ask = async (doc: string, context: string, wholePrefix = true): Promise<string> => {
    const r = await client.request('complete', {
      doc, context, wholePrefix, alternatives: 1, temperature: 0, maxChars: 12, stopAtNewline: true, seed: 1, mix: true,
      confidence: 0, languageId: 'typescript',
    });
    assert.equal(r.type, 'completion');
    return r.type === 'completion' ? (r.items[0] ?? '') : '';
  };
  /** Types `text` after `start` in `doc` one character at a time, a completion request per keystroke. */
  const type = async (doc: string, start: string, text: string): Promise<void> => {
    for (let i = 0; i <= text.length; i++) await ask(doc, start + text.slice(0, i));
  };

  it('the survey reports what training would read; the index build then takes that read', async () => {
    const roots = [path.join(dir, 'ws')];
    const s = await client.request('survey', { roots, corpus });
    assert.equal(s.type, 'surveyed');
    if (s.type === 'surveyed') assert.deepEqual([s.survey.files, s.survey.truncated], [2, false]); // a.ts and .gitignore
    const r = await client.request('index', { roots, corpus });
    assert.ok(r.type === 'indexed' && r.index && r.index.files === 2 && r.index.fromSurvey === true, JSON.stringify(r));
    // Once: a later build reads the files again (they may have changed).
    const again = await client.request('index', { roots, corpus });
    assert.ok(again.type === 'indexed' && again.index && again.index.files === 2 && again.index.fromSurvey === undefined, JSON.stringify(again));
    // A survey under other rules is not taken for the index.
    await client.request('survey', { roots, corpus: { ...corpus, exclude: ['*.md'] } });
    const other = await client.request('index', { roots, corpus });
    assert.ok(other.type === 'indexed' && other.index && other.index.fromSurvey === undefined, JSON.stringify(other));
  });

  it('learns what is typed in a file training reads, not in a .gitignore\'d one', async () => {
    const ws = path.join(dir, 'ws');
    const typed = 'const zqxwvj = 1;\n'.repeat(6);
    const probe = 'let y = zqx';
    // Typed in the ignored file: nothing learned, so a fresh document does not continue the made-up name.
    await type(pathToFileURL(path.join(ws, 'scratch.ts')).toString(), 'x;\n', typed);
    const after = await ask(pathToFileURL(path.join(ws, 'b.ts')).toString(), probe);
    assert.ok(!after.startsWith('wvj'), `learned from the ignored file: ${JSON.stringify(after)}`);
    // The same typed in a file training reads: learned (so the probe above could have told).
    await type(pathToFileURL(path.join(ws, 'c.ts')).toString(), 'x;\n', typed);
    const learned = await ask(pathToFileURL(path.join(ws, 'd.ts')).toString(), probe);
    assert.ok(learned.startsWith('wvj'), `not learned from the file training reads: ${JSON.stringify(learned)}`);
  });

  it('rehearses (the LSTM\'s BPTT steps) only what was typed in a file training reads', async () => {
    const ws = path.join(dir, 'ws');
    const typed = 'const rehearsed = value + 1;\n'.repeat(4); // 112 characters: more than a save needs
    const modelDir = path.join(dir, 'model');
    await saveModel(tf, modelDir, makeModel({ text: `x;\n${typed}`, layers: 1, units: 16, embeddingSize: 8 }));
    const loaded = await client.request('load', { modelDir });
    assert.ok(loaded.type === 'loaded' && loaded.model, JSON.stringify(loaded));
    // Typed in the .gitignore'd file: the LSTM learned nothing, so a save has nothing to rehearse.
    await type(pathToFileURL(path.join(ws, 'scratch.ts')).toString(), 'x;\n', typed);
    const none = await client.request('rehearse', {});
    assert.deepEqual(none, { type: 'rehearsed', id: none.id, rehearsal: null });
    // The same typed in a file training reads: rehearsed, one window of 64 characters per step.
    await type(pathToFileURL(path.join(ws, 'e.ts')).toString(), 'x;\n', typed);
    const r = await client.request('rehearse', {});
    assert.ok(r.type === 'rehearsed' && r.rehearsal && r.rehearsal.steps >= 1 && r.rehearsal.chars === 64 * r.rehearsal.steps
      && Number.isFinite(r.rehearsal.bitsPerChar) && r.rehearsal.count === 1, JSON.stringify(r));
    // Nothing typed since: nothing to rehearse.
    const again = await client.request('rehearse', {});
    assert.ok(again.type === 'rehearsed' && again.rehearsal === null, JSON.stringify(again));
  });
});
