/**
 * Workspaces built to provoke the unknown-character divergence: every file carries its own symbol, so the held-out
 * files hold symbols the training files never use.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'value', 'count', 'index', 'total', 'name', 'item', 'list', 'map'];

/**
 * The text of file `i` of `lines` lines: code-like lines over a small common alphabet, and one symbol of its own
 * (U+2200 + i: ∀ ∁ ∂ ∃ …). `every`: the symbol's line comes once every `every` lines (1 = on every line, several
 * times: dense; 4 = a rare symbol).
 */
export function rareSymbolFile(i: number, lines = 80, every = 4): string {
  const symbol = String.fromCodePoint(0x2200 + i);
  const out: string[] = [];
  for (let j = 0; j < lines; j++) {
    const a = WORDS[(i * 7 + j) % WORDS.length]!;
    const b = WORDS[(i + j * 5) % WORDS.length]!;
    out.push(j % every === 0
      ? (every === 1 ? `${a} ${symbol} ${b} ${symbol} ${j} ${symbol}` : `// ${a} ${symbol} ${b}: note ${j}`)
      : `const ${a}${j} = ${b}(${j}, ${(i * j) % 17});`);
  }
  return `${out.join('\n')}\n`;
}

/** Writes `files` such files (`file00.ts`, …) into `dir`. */
export function writeRareSymbolWorkspace(dir: string, files = 30, every = 4): void {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < files; i++) writeFileSync(path.join(dir, `file${String(i).padStart(2, '0')}.ts`), rareSymbolFile(i, 80, every));
}
