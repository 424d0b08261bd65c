// The web pass of the integration suite (scripts/run-integration.mjs runs it a second time with the user setting
// `remote.extensionKind` asking for Inkling in the browser's web worker extension host). These tests run in the
// server's Node host, where the test runner lives, and reach the extension only the way another extension could:
// through its commands (which VS Code routes to the web host) and the files it writes through workspace.fs.
// In the ordinary pass, where Inkling runs in this Node host, they are skipped.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { repoRoot, waitFor } from './helpers';

const EXTENSION_ID = 'inkling-dev.inkling';

describe('Web host: Inkling in the browser\'s extension host', function () {
  this.timeout(600_000);

  before(async function () {
    // In this Node host, an extension running in the web host is not listed; its commands still are.
    if (vscode.extensions.getExtension(EXTENSION_ID)) this.skip();
    await waitFor('Inkling\'s commands (the web host activates it)', async () => (await vscode.commands.getCommands(true)).includes('inkling.trainWorkspace'), 120_000);
  });

  const folder = (): string => {
    const f = vscode.workspace.workspaceFolders?.[0];
    assert.ok(f);
    return f.uri.fsPath;
  };

  it('Web host: trains from scratch on the workspace (read through workspace.fs, time-sliced on the web host\'s thread)', async () => {
    await vscode.workspace.getConfiguration('inkling').update('training.minutes', 0.3, vscode.ConfigurationTarget.Workspace);
    await vscode.workspace.getConfiguration('inkling').update('model.units', 48, vscode.ConfigurationTarget.Workspace);
    const result = await vscode.commands.executeCommand('inkling.retrainFromScratch');
    assert.equal(result, 'done');
  });

  it('Web host: exports a model that stock tf.loadLayersModel loads, trained with the single-threaded wasm build', async () => {
    const dest = path.join(folder(), 'web-export');
    const written = await vscode.commands.executeCommand<string>('inkling.exportModel', dest);
    assert.equal(written, dest);
    for (const f of ['model.json', 'weights.bin', 'inkling.json']) assert.ok(fs.existsSync(path.join(dest, f)), `${f} exported`);
    const meta = JSON.parse(fs.readFileSync(path.join(dest, 'inkling.json'), 'utf8')) as { training?: { backend?: string; steps?: number } };
    assert.match(meta.training?.backend ?? '', /wasm-simd \(single-threaded build\)|js/);
    assert.ok((meta.training?.steps ?? 0) > 0);
    const probs = JSON.parse(execFileSync(process.execPath, [path.join(repoRoot, 'test', 'fixtures', 'stock-load.cjs'), dest, '1,2,3'], { encoding: 'utf8', cwd: repoRoot })) as number[];
    const sum = probs.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - 1) < 1e-3, `tf.loadLayersModel predicts a distribution (sum ${sum})`);
  });

  it('Web host: imports the exported model (validated, compared on the held-out files) and exports it again', async () => {
    const dest = path.join(folder(), 'web-export');
    assert.equal(await vscode.commands.executeCommand('inkling.importModel', dest), true);
    const again = path.join(folder(), 'web-export-2');
    assert.equal(await vscode.commands.executeCommand<string>('inkling.exportModel', again), again);
    assert.equal(fs.readFileSync(path.join(again, 'weights.bin')).length, fs.readFileSync(path.join(dest, 'weights.bin')).length);
  });
});
