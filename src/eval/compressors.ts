/**
 * Conditional bits per character of general-purpose compressors: how many bits a compressor spends on `test`
 * when it has already seen `train`. These are the baselines the n-gram and LSTM models are compared against.
 *
 * Tools (system binaries, found on PATH): `xz -9e` (single-threaded, one block), `bzip2 -9`, and PPMd via 7-Zip
 * (`7z a -m0=PPMd:o=ORDER:mem=256m`, Debian package p7zip-full). Texts are compressed as UTF-8.
 */
import { spawn } from 'child_process';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';

/** A compressor this module can run. */
export type CompressorTool = 'xz' | 'ppmd' | 'bzip2';

/** Returned instead of a number when the tool's binary is not installed. */
export interface Unavailable {
  unavailable: string;
}

/** Options of {@link conditionalBitsPerChar}. */
export interface CompressorOptions {
  /** PPMd model order (2..32). Default 10. */
  ppmdOrder?: number;
}

/**
 * 8 × (compressed bytes of train+test − compressed bytes of train) / characters of test, where characters are
 * Unicode code points. Resolves to `{ unavailable: '<tool> not installed' }` if the binary is missing; rejects
 * if the tool runs but fails. Uses a private temporary directory that is always removed.
 */
export async function conditionalBitsPerChar(
  train: string, test: string, tool: CompressorTool, options: CompressorOptions = {},
): Promise<number | Unavailable> {
  const chars = countCodePoints(test);
  if (chars === 0) throw new RangeError('conditionalBitsPerChar: test text is empty');
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'inkling-compress-'));
  try {
    const base = await compressedSizeIn(dir, Buffer.from(train, 'utf8'), tool, options);
    if (typeof base !== 'number') return base;
    const both = await compressedSizeIn(dir, Buffer.from(train + test, 'utf8'), tool, options);
    if (typeof both !== 'number') return both;
    return (8 * (both - base)) / chars;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function compressedSizeIn(
  dir: string, data: Buffer, tool: CompressorTool, options: CompressorOptions,
): Promise<number | Unavailable> {
  // The same input file name for every call, so archive headers (7z stores the name) cost the same.
  const input = path.join(dir, 'input');
  await fs.writeFile(input, data);
  try {
    switch (tool) {
      case 'xz':
        return await stdoutBytes('xz', ['-9e', '-T1', '-c', '--', input], dir);
      case 'bzip2':
        return await stdoutBytes('bzip2', ['-9', '-c', '--', input], dir);
      case 'ppmd':
        return await ppmdSize(dir, options.ppmdOrder ?? 10);
      default:
        throw new Error(`unknown compressor ${String(tool)}`);
    }
  } catch (err) {
    if (isNotFound(err)) return { unavailable: `${tool} not installed` };
    throw err;
  } finally {
    await fs.rm(input, { force: true });
  }
}

async function ppmdSize(dir: string, order: number): Promise<number> {
  if (!Number.isInteger(order) || order < 2 || order > 32) throw new RangeError(`PPMd order must be 2..32: ${order}`);
  const archive = path.join(dir, 'out.7z');
  await fs.rm(archive, { force: true });
  await run('7z', ['a', '-t7z', `-m0=PPMd:o=${order}:mem=256m`, '-bd', '-y', '--', archive, 'input'], dir);
  const size = (await fs.stat(archive)).size;
  await fs.rm(archive, { force: true });
  return size;
}

/** Runs `cmd` and resolves with the number of bytes it wrote to stdout. */
function stdoutBytes(cmd: string, args: string[], cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let bytes = 0;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { bytes += chunk.length; });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(bytes);
      else reject(new Error(`${cmd} exited with code ${code}: ${stderr.trim()}`));
    });
  });
}

function run(cmd: string, args: string[], cwd: string): Promise<void> {
  return stdoutBytes(cmd, args, cwd).then(() => undefined);
}

function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'ENOENT';
}

function countCodePoints(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}
