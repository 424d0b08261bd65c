// Restricted Mode, in the real VS Code with workspace trust on and the fixture folder untrusted. The runner runs
// these in a second, small pass (`--grep "^Restricted Mode"` on a server started with trust enabled); in the main,
// trusted pass they are skipped.
import * as assert from 'assert';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { api } from './helpers';
import { saveModel } from '../../src/engine/format';
import { JsKernels } from '../../src/engine/kernels/js';
import { trainOnText } from '../../src/engine/pipeline';
import { loadTf } from '../../src/engine/tfjs/load';

const ctx = (): vscode.InlineCompletionContext => ({ triggerKind: vscode.InlineCompletionTriggerKind.Invoke, selectedCompletionInfo: undefined });

(vscode.workspace.isTrusted ? describe.skip : describe)('Restricted Mode (untrusted workspace)', function () {
  this.timeout(120_000);

  it('the workspace is untrusted and Inkling is active in it (capabilities.untrustedWorkspaces: limited)', async () => {
    assert.strictEqual(vscode.workspace.isTrusted, false);
    const ext = vscode.extensions.getExtension('inkling-dev.inkling')!;
    assert.equal(ext.packageJSON.capabilities.untrustedWorkspaces.supported, 'limited');
    await api();
    assert.ok(ext.isActive);
  });

  it('"Train on Workspace" and "Retrain from Scratch" read nothing and say why', async () => {
    const a = await api();
    const events: string[] = [];
    const sub = a.training.onEvent((e) => events.push(e.type));
    try {
      assert.equal(await vscode.commands.executeCommand('inkling.trainWorkspace'), 'restricted');
      assert.equal(await vscode.commands.executeCommand('inkling.retrainFromScratch'), 'restricted');
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      sub.dispose();
    }
    assert.deepEqual(events, [], 'no worker job ran: no corpus was collected, nothing trained');
    assert.equal(a.training.lastCorpus, null);
    assert.ok(!a.training.busy);
    const said = a.notifier.shownMessages.filter((m) => /Restricted Mode/.test(m));
    assert.equal(said.length, 1, `one message says why: ${a.notifier.shownMessages.join(' | ')}`);
    assert.match(said[0]!, /does not read it to train until you trust it/);
  });

  it('completions from a model imported from outside the workspace still work', async () => {
    const a = await api();
    // A small model made here (not from the workspace), exported as the user would bring one in.
    const text = 'export function formatPrice(value: number): string {\n  return value.toFixed(2);\n}\n'.repeat(60);
    const model = await trainOnText({
      kernels: new JsKernels(), texts: { train: [text], validation: [text.slice(0, 400)] },
      model: { cell: 'lstm', layers: 1, units: 24, embeddingSize: 8, dropout: 0 },
      train: { minutes: 0, maxSteps: 150, batchSize: 8, seqLength: 32, learningRate: 0.02, validateEverySeconds: 3600 },
    });
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'inkling-restricted-'));
    try {
      const { tf } = await loadTf();
      await saveModel(tf, path.join(dir, 'm'), model);
      assert.equal(await vscode.commands.executeCommand('inkling.importModel', path.join(dir, 'm')), true);
      assert.equal(a.completion.model?.config.units, 24);
      const content = 'export function formatPrice(value: number): string {\n  return ';
      const doc = await vscode.workspace.openTextDocument({ content, language: 'typescript' });
      const items = await a.provider.provideInlineCompletionItems(doc, doc.positionAt(content.length), ctx(), new vscode.CancellationTokenSource().token);
      assert.ok(items && items.length > 0 && String(items[0]!.insertText).length > 0, 'a suggestion is offered in Restricted Mode');
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
