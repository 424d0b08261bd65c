// Runs inside a real VS Code (extension host): the extension from this repository is loaded in development mode
// and these tests talk to it and to the workbench through the `vscode` API.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { repoRoot, waitFor } from './helpers';

const EXTENSION_ID = 'inkling-dev.inkling';

function workspaceFolder(): vscode.WorkspaceFolder {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the runner opens the fixture workspace as the first workspace folder');
  return folder;
}

describe('Extension activation', () => {
  it('is installed from this repository in development mode', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not among the loaded extensions`);
    assert.strictEqual(path.resolve(ext.extensionPath), repoRoot, 'the extension under test is this repository');
    assert.strictEqual(ext.packageJSON.name, 'inkling');
    assert.strictEqual(ext.packageJSON.publisher, 'inkling-dev');
    const main = path.resolve(ext.extensionPath, String(ext.packageJSON.main));
    assert.ok(fs.existsSync(main), `the extension entry ${main} exists (run \`npm run build\`)`);
  });

  it('activates by itself once startup has finished (activationEvents)', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    await waitFor('the extension to activate on its own', () => ext.isActive, 30_000);
  });

  it('activate() resolves without throwing', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    await ext.activate(); // rejects if the extension's activate() threw
    assert.strictEqual(ext.isActive, true);
  });

  it('creates its "Inkling" output channel, which can be shown and read', async () => {
    // Output channels are not enumerable through the API; the workbench registers a
    // `workbench.action.output.show.<channel id>` command per channel, and showing one opens an `output:` document.
    const prefix = `workbench.action.output.show.${EXTENSION_ID}.`;
    const command = await waitFor(`a ${prefix}* command`, async () =>
      (await vscode.commands.getCommands(true)).find((c) => c.startsWith(prefix) && c.includes('Inkling')));
    await vscode.commands.executeCommand(command);
    const doc = await waitFor('the output channel document', () =>
      vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'output' && d.uri.path.includes(EXTENSION_ID)));
    // Its content fills in asynchronously and may be empty (the extension logs only when it has something to say).
    console.log(`[inkling-tests] output channel ${doc.uri.toString()}: ${JSON.stringify(doc.getText().slice(0, 200))}`);
    assert.ok(doc.uri.path.includes('Inkling'), `unexpected channel ${doc.uri.toString()}`);
    await vscode.commands.executeCommand('workbench.action.closePanel');
  });
});

describe('VS Code API inside the test host', () => {
  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('opens the fixture workspace, trusted, with its settings', () => {
    const folder = workspaceFolder();
    assert.ok(fs.existsSync(path.join(folder.uri.fsPath, 'src', 'inventory.ts')), 'fixture files are present');
    assert.strictEqual(vscode.workspace.isTrusted, true, 'the runner disables workspace trust');
    // The fixture turns IntelliSense-while-typing off so that end-to-end tests see ghost text alone.
    const quick = vscode.workspace.getConfiguration('editor', folder.uri).get<Record<string, string>>('quickSuggestions');
    assert.deepStrictEqual(quick, { other: 'off', comments: 'off', strings: 'off' });
  });

  it('opens a fixture document and reads its text', async () => {
    const uri = vscode.Uri.joinPath(workspaceFolder().uri, 'src', 'inventory.ts');
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.strictEqual(doc.languageId, 'typescript');
    assert.strictEqual(doc.getText(), fs.readFileSync(uri.fsPath, 'utf8'));
    assert.match(doc.lineAt(8).text, /^export class Inventory \{$/);
  });

  it('edits a document in an editor without saving it', async () => {
    const uri = vscode.Uri.joinPath(workspaceFolder().uri, 'notes.md');
    const before = fs.readFileSync(uri.fsPath, 'utf8');
    const editor = await vscode.window.showTextDocument(uri);
    assert.strictEqual(editor.document.languageId, 'markdown');
    const end = editor.document.lineAt(editor.document.lineCount - 1).range.end;
    assert.ok(await editor.edit((b) => b.insert(end, 'Typed by the integration test.')));
    assert.ok(editor.document.isDirty);
    assert.ok(editor.document.getText().endsWith('Typed by the integration test.'));
    await vscode.commands.executeCommand('undo');
    assert.strictEqual(editor.document.getText(), before);
    assert.ok(!editor.document.isDirty, 'undo brings the document back to its saved state');
    assert.strictEqual(fs.readFileSync(uri.fsPath, 'utf8'), before, 'nothing was written to disk');
  });
});
