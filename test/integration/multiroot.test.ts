// A multi-root workspace in the real VS Code: two copies of the fixture (`alpha`, `beta`), each with its own folder
// settings (scripts/run-integration.mjs, prepareMultiRoot). The runner runs these in their own small pass
// (`--grep "^Multi-root"` on a .code-workspace); elsewhere they are skipped.
//   alpha: training.exclude ["**/*.md"], retrainOnSave true,  training.minutes 42 (window-scoped: ignored here)
//   beta:  training.include ["**/*.md", "**/*.py"], retrainOnSave false, training.minutes 43 (ignored)
//   the .code-workspace: training.minutes 0.1
import * as assert from 'assert';
import * as path from 'path';
import * as vscode from 'vscode';
import { api, waitFor } from './helpers';
import { collectCorpus } from '../../src/corpus';

const folders = (): readonly vscode.WorkspaceFolder[] => vscode.workspace.workspaceFolders ?? [];
const folder = (name: string): vscode.WorkspaceFolder => {
  const f = folders().find((x) => x.name === name);
  assert.ok(f, `workspace folder ${name}`);
  return f;
};

(folders().length === 2 ? describe : describe.skip)('Multi-root workspace: each folder its own settings', function () {
  this.timeout(300_000);

  it('window-scoped settings take the workspace value; a folder cannot override them (VS Code ignores folder values)', async () => {
    const a = await api();
    for (const name of ['alpha', 'beta']) {
      assert.equal(vscode.workspace.getConfiguration('inkling', folder(name).uri).get('training.minutes'), 0.1, `${name} sees the window's budget`);
    }
    assert.equal(a.settings.value.trainingMinutes, 0.1);
    assert.deepEqual(a.settings.problems, [], 'no setting was reported invalid');
  });

  it('Train on Workspace reads each folder with its own include/exclude', async () => {
    const a = await api();
    const done = new Promise<void>((resolve) => {
      const sub = a.training.onEvent((e) => { if (e.type === 'done' || e.type === 'error') { sub.dispose(); resolve(); } });
    });
    await vscode.commands.executeCommand('inkling.trainWorkspace');
    await done;
    const corpus = a.training.lastCorpus;
    assert.ok(corpus, 'the run reported its corpus');
    // What each folder gives by its own rules, read here straight from the folder with the globs written above.
    const alpha = await collectCorpus(folder('alpha').uri.fsPath, { exclude: ['**/*.md'] });
    const beta = await collectCorpus(folder('beta').uri.fsPath, { include: ['**/*.md', '**/*.py'] });
    assert.ok(alpha.files.some((f) => f.path.endsWith('.ts')) && !alpha.files.some((f) => f.path.endsWith('.md')));
    assert.ok(beta.files.length > 0 && beta.files.every((f) => /\.(md|py)$/.test(f.path)));
    assert.equal(corpus.files, alpha.files.length + beta.files.length,
      `files trained on: ${corpus.files}; alpha by its rules ${alpha.files.length}, beta by its ${beta.files.length}\n${corpus.report}`);
    assert.equal(corpus.chars, alpha.totalChars + beta.totalChars, 'and exactly their characters');
    assert.ok(a.store.exists, 'a model was stored');
  });

  it('retrainOnSave is the saved file\'s folder\'s: a save in beta (off) is not learned, one in alpha (on) is', async () => {
    const a = await api();
    assert.ok(a.store.exists, 'the previous test stored a model');
    const save = async (name: string, rel: string): Promise<void> => {
      const doc = await vscode.workspace.openTextDocument(path.join(folder(name).uri.fsPath, rel));
      const editor = await vscode.window.showTextDocument(doc);
      await editor.edit((b) => b.insert(new vscode.Position(doc.lineCount, 0), `\n# saved in ${name}\n`));
      assert.ok(await doc.save(), `${name}/${rel} saved`);
    };
    const ended = new Promise<void>((resolve) => {
      const sub = a.training.onEvent((e) => { if (e.type === 'done' || e.type === 'error') { sub.dispose(); resolve(); } });
    });
    await save('beta', 'scripts/report.py');
    await save('alpha', 'src/format.ts');
    // The fine-tune runs after a few quiet seconds: wait for its job to end, then look at what it was asked to learn.
    await ended;
    const asked = a.training.lastFinetune;
    assert.ok(asked, 'a fine-tune was asked for');
    assert.deepEqual(asked.map((g) => path.basename(g.root)), ['alpha'], `fine-tune roots: ${JSON.stringify(asked)}`);
    assert.deepEqual(asked[0]!.paths, ['src/format.ts']);
    await waitFor('the worker to be free', () => !a.training.busy, 60_000);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
