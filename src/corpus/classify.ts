/**
 * Content checks on the bytes of one file, in this order:
 *
 * - `'binary'`: a NUL byte in the first 8 KiB.
 * - `'not-utf8'`: a UTF-16 byte-order mark, or bytes that are not valid UTF-8 (`TextDecoder`, `fatal: true`).
 * - `'generated'`: Go's marker line `// Code generated … DO NOT EDIT.` in the first 1 KiB.
 * - `'minified'`: at least 1 KiB of text whose longest line exceeds 5,000 characters or whose mean line
 *   exceeds 200, *and* under 8% of whose characters are spaces or tabs. The whitespace test keeps prose that
 *   puts each paragraph on one line (about 16% spaces) while catching minified code and data blobs (1–5%).
 *
 * Kept text is decoded with its UTF-8 BOM stripped and every CRLF or lone CR turned into LF.
 */
import type { SkipReason } from './types';

export const SNIFF_BYTES = 8 * 1024;
export const MINIFIED_MIN_CHARS = 1024;
export const MINIFIED_MAX_LINE = 5000;
export const MINIFIED_MAX_MEAN_LINE = 200;
export const MINIFIED_MAX_WHITESPACE = 0.08;

export type ContentVerdict =
  | { kind: 'text'; text: string }
  | { kind: 'skip'; reason: SkipReason; detail: string };

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const GO_GENERATED = /^\/\/ Code generated .* DO NOT EDIT\.$/m;

/** Classifies `bytes` (a whole file) and, when it is text, returns it decoded and normalised. */
export function classifyContent(bytes: Uint8Array): ContentVerdict {
  const sniff = bytes.subarray(0, SNIFF_BYTES);
  if ((sniff[0] === 0xff && sniff[1] === 0xfe) || (sniff[0] === 0xfe && sniff[1] === 0xff)) {
    return { kind: 'skip', reason: 'not-utf8', detail: 'UTF-16 byte-order mark' };
  }
  const nul = sniff.indexOf(0);
  if (nul !== -1) return { kind: 'skip', reason: 'binary', detail: `NUL byte at offset ${nul}` };
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return { kind: 'skip', reason: 'not-utf8', detail: 'invalid UTF-8' };
  }
  if (text.includes('\r')) text = text.replace(/\r\n?/g, '\n');
  if (GO_GENERATED.test(text.slice(0, 1024))) {
    return { kind: 'skip', reason: 'generated', detail: '"Code generated … DO NOT EDIT" marker' };
  }
  const minified = minifiedDetail(text);
  if (minified) return { kind: 'skip', reason: 'minified', detail: minified };
  return { kind: 'text', text };
}

/** Returns why `text` (LF line ends) looks minified, or `undefined` if it does not. */
export function minifiedDetail(text: string): string | undefined {
  if (text.length < MINIFIED_MIN_CHARS) return undefined;
  let lines = 1;
  let longest = 0;
  let lineStart = 0;
  let blanks = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      longest = Math.max(longest, i - lineStart);
      lineStart = i + 1;
      lines++;
    } else if (c === 32 || c === 9) {
      blanks++;
    }
  }
  longest = Math.max(longest, text.length - lineStart);
  const mean = (text.length - (lines - 1)) / lines;
  if (longest <= MINIFIED_MAX_LINE && mean <= MINIFIED_MAX_MEAN_LINE) return undefined;
  const whitespace = blanks / text.length;
  if (whitespace >= MINIFIED_MAX_WHITESPACE) return undefined;
  return `longest line ${longest} chars, mean ${Math.round(mean)}, ${(whitespace * 100).toFixed(1)}% whitespace`;
}
