/**
 * Corpus edge cases beyond corpus.test.ts: a single 200 MB file (skipped with a reason, never read whole,
 * memory bounded), symbolic-link loops that defeat stat, and files or folders deleted or changed between
 * the listing and the reading (made deterministic by acting inside the file-system calls).
 */
import assert from 'node:assert/strict';
// The module object itself (not an import-star copy), so that its functions can be wrapped.
import nodeFs = require('node:fs');
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collectCorpus, type CorpusReport } from '../../src/corpus';

const isWindows = process.platform === 'win32';
const reasonOf = (r: CorpusReport, p: string) => r.skipped.find((s) => s.path === p);
const MB = 1024 * 1024;

/**
 * Runs `fn` with `fs.open` (the corpus reader's) and `fs.promises.readdir` (the walker's) wrapped: when the
 * path's basename has an action, the action runs first, exactly once, i.e. after the listing, before the read.
 */
async function withRaces<T>(actions: Record<string, () => void>, fn: () => Promise<T>): Promise<T> {
  const mod = nodeFs as unknown as { open: (...a: unknown[]) => void; promises: { readdir: (...a: unknown[]) => Promise<unknown> } };
  const open = mod.open;
  const readdir = mod.promises.readdir;
  const run = (p: unknown): void => {
    const name = path.basename(String(p));
    const act = actions[name];
    if (act) {
      delete actions[name];
      act();
    }
  };
  mod.open = function (this: unknown, ...args: unknown[]) { run(args[0]); return open.apply(this, args); };
  mod.promises.readdir = function (this: unknown, ...args: unknown[]) { run(args[0]); return readdir.apply(this, args); };
  try {
    return await fn();
  } finally {
    mod.open = open;
    mod.promises.readdir = readdir;
  }
}

describe('corpus edge cases', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'inkling-corpus-edge-')); });
  afterEach(async () => { await fs.rm(dir, { recursive: true, force: true }); });

  it('a single 200 MB file is skipped with a reason without being read, and memory stays bounded', async () => {
    const big = path.join(dir, 'huge.log');
    // 1 MB of real text, then sparse up to 200 MB: quick to make, and every byte reads back.
    await fs.writeFile(big, 'a log line with ordinary words in it\n'.repeat(MB / 37 + 1));
    await fs.truncate(big, 200 * MB);
    await fs.writeFile(path.join(dir, 'small.txt'), 'kept');
    const rss0 = process.memoryUsage().rss;
    const buffers0 = process.memoryUsage().arrayBuffers;
    const t0 = performance.now();
    const report = await collectCorpus(dir);
    const ms = performance.now() - t0;
    const grownRss = process.memoryUsage().rss - rss0;
    const grownBuffers = process.memoryUsage().arrayBuffers - buffers0;
    assert.deepEqual(report.files.map((f) => f.path), ['small.txt']);
    assert.equal(reasonOf(report, 'huge.log')?.reason, 'too-large');
    assert.match(reasonOf(report, 'huge.log')?.detail ?? '', /^209715200 bytes > maxFileBytes/);
    // A per-file limit above the size still does not load it: it cannot fit the total cap (16 MiB by default).
    const raised = await collectCorpus(dir, { maxFileBytes: 512 * MB });
    assert.equal(reasonOf(raised, 'huge.log')?.reason, 'over-cap');
    assert.match(reasonOf(raised, 'huge.log')?.detail ?? '', /^209715200 bytes/);
    console.log(`      200 MB file skipped in ${ms.toFixed(0)} ms; rss grew ${(grownRss / MB).toFixed(1)} MB, buffers ${(grownBuffers / MB).toFixed(2)} MB`);
    assert.ok(grownBuffers < 4 * MB, `buffers grew by ${grownBuffers} bytes`);
    assert.ok(grownRss < 64 * MB, `rss grew by ${grownRss} bytes`);
  });

  it('link loops that stat cannot resolve are reported, and a root that is one is refused by name', async function () {
    if (isWindows) this.skip();
    await fs.writeFile(path.join(dir, 'real.txt'), 'real');
    await fs.symlink('ping', path.join(dir, 'pong'));
    await fs.symlink('pong', path.join(dir, 'ping'));
    await fs.symlink('self', path.join(dir, 'self'));
    await fs.mkdir(path.join(dir, 'deep', 'er'), { recursive: true });
    await fs.symlink(path.join(dir, 'deep'), path.join(dir, 'deep', 'er', 'up'));
    const report = await collectCorpus(dir);
    assert.deepEqual(report.files.map((f) => f.path), ['real.txt']);
    for (const p of ['ping', 'pong', 'self', 'deep/er/up']) assert.equal(reasonOf(report, p)?.reason, 'symlink', p);
    await assert.rejects(collectCorpus(path.join(dir, 'self')), /Cannot access corpus root .*self: ELOOP/);
  });

  it('files and folders deleted or changed between listing and reading', async function () {
    if (isWindows) this.skip();
    const files: Record<string, string> = {
      'gone.txt': 'deleted before it is read',
      'folder.txt': 'replaced by a folder',
      'link.txt': 'replaced by a link',
      'grown.txt': 'small when listed',
      'edited.txt': 'the old text',
      'steady.txt': 'unchanged',
      'sub/inside.txt': 'in a folder deleted before it is listed',
    };
    for (const [p, text] of Object.entries(files)) {
      await fs.mkdir(path.dirname(path.join(dir, p)), { recursive: true });
      await fs.writeFile(path.join(dir, p), text);
    }
    const at = (p: string) => path.join(dir, p);
    const report = await withRaces({
      'gone.txt': () => nodeFs.rmSync(at('gone.txt')),
      'folder.txt': () => { nodeFs.rmSync(at('folder.txt')); nodeFs.mkdirSync(at('folder.txt')); },
      'link.txt': () => { nodeFs.rmSync(at('link.txt')); nodeFs.symlinkSync('steady.txt', at('link.txt')); },
      'grown.txt': () => nodeFs.writeFileSync(at('grown.txt'), 'x'.repeat(3000)),
      'edited.txt': () => nodeFs.writeFileSync(at('edited.txt'), 'the new, longer text'),
      sub: () => nodeFs.rmSync(at('sub'), { recursive: true }),
    }, () => collectCorpus(dir, { maxFileBytes: 2000 }));
    assert.deepEqual(report.files.map((f) => [f.path, f.text]), [['edited.txt', 'the new, longer text'], ['steady.txt', 'unchanged']]);
    const seen = Object.fromEntries(report.skipped.map((s) => [s.path, `${s.reason}: ${s.detail}`]));
    assert.deepEqual(seen, {
      'gone.txt': 'vanished: ENOENT',
      'folder.txt': 'vanished: EISDIR',
      'link.txt': 'symlink: ELOOP: became a link',
      'grown.txt': 'too-large: 3000 bytes > maxFileBytes 2000',
      'sub/': 'vanished: ENOENT',
    });
  });
});
