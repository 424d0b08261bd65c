// Multi-root workspaces: each folder's own include/exclude globs (inkling.training.* set at folder level) apply to
// that folder only; the split into training and held-out files does not depend on where the folder is.
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collectCorpus, splitByFile } from '../../src/corpus';

describe('corpus: per-folder globs and a split that survives moving the folder', () => {
  let dir: string;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'inkling-folders-'));
    for (const root of ['a', 'b']) {
      await fs.mkdir(path.join(dir, root, 'docs'), { recursive: true });
      await fs.writeFile(path.join(dir, root, 'main.ts'), `export const ${root} = 1;\n`);
      await fs.writeFile(path.join(dir, root, 'docs', 'notes.md'), `# ${root}\n`);
      await fs.writeFile(path.join(dir, root, 'tool.py'), `print("${root}")\n`);
    }
  });
  after(async () => { await fs.rm(dir, { recursive: true, force: true }); });

  it('a folder\'s own include/exclude apply to it; other folders keep the window\'s', async () => {
    const a = path.join(dir, 'a');
    const b = path.join(dir, 'b');
    const r = await collectCorpus([a, b], { exclude: ['**/*.py'], folders: [{ root: a, include: ['**/*.ts'], exclude: [] }] });
    const kept = r.files.map((f) => `${path.basename(f.root)}/${f.path}`).sort();
    assert.deepEqual(kept, ['a/main.ts', 'b/docs/notes.md', 'b/main.ts']);
    assert.ok(r.skipped.some((s) => s.root === a && s.path === 'tool.py' && s.reason === 'excluded'), 'a: not included');
    assert.ok(r.skipped.some((s) => s.root === b && s.path === 'tool.py' && s.reason === 'excluded'), 'b: excluded by the window\'s globs');
  });

  it('the held-out files are the same after the workspace folder is moved or renamed', async () => {
    const files = Array.from({ length: 60 }, (_, i) => ({ root: '/home/one/project', path: `src/f${i}.ts`, text: 'x', bytes: 1 }));
    const moved = files.map((f) => ({ ...f, root: '/srv/elsewhere/renamed' }));
    const held = splitByFile(files, 0.1, 1).validation.map((f) => f.path);
    assert.ok(held.length > 0);
    assert.deepEqual(splitByFile(moved, 0.1, 1).validation.map((f) => f.path), held);
  });
});
