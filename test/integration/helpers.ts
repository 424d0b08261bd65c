// Helpers shared by the integration suites (loaded by them, not a suite itself).
import * as assert from 'assert';
import { mkdirSync, readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { InklingApi } from '../../src/extension';

export const repoRoot = path.resolve(__dirname, '..', '..', '..');
const figuresFile = path.join(repoRoot, 'test-results', 'integration-figures.json');

/** Adds a measured figure to test-results/integration-figures.json. */
export function recordFigure(name: string, value: unknown): void {
  mkdirSync(path.dirname(figuresFile), { recursive: true });
  let all: Record<string, unknown> = {};
  try { all = JSON.parse(readFileSync(figuresFile, 'utf8')); } catch { /* first figure */ }
  all[name] = value;
  writeFileSync(figuresFile, JSON.stringify(all, null, 2));
}

/** The activated extension's test API, once its saved model (if any) is loaded. */
export async function api(): Promise<InklingApi> {
  const ext = vscode.extensions.getExtension<InklingApi>('inkling-dev.inkling');
  assert.ok(ext);
  const exports = await ext.activate();
  await exports.ready;
  return exports;
}

/** Polls `probe` until it gives a value other than undefined or false; throws naming `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
