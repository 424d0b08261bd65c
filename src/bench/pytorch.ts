/**
 * PyTorch as a training peer of `inkling bench`: runs src/bench/peer-torch.py (the same model, batch, sequence
 * length, optimiser, clipping and thread count) when a Python that can import torch is there.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { ModelConfig } from '../shared/modelConfig';
import type { ThroughputResult } from './training';

/** The interpreter tried: `INKLING_PYTHON`, else the system Python (where distribution packages such as python3-torch live). */
export function peerPython(): string {
  return process.env.INKLING_PYTHON || (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
}

export interface TorchResult extends ThroughputResult {
  torch?: string;
  blas?: string;
}

/**
 * Runs the peer for about `seconds`. Its environment is ours without `OPENBLAS_CORETYPE` and `OPENBLAS_L2_SIZE`
 * (which, when set for an older CPU model, slow a current OpenBLAS down). Never throws: a missing Python or
 * torch gives a result with `charsPerSec: null` and a note.
 */
export function benchPytorch(
  script: string, c: ModelConfig, B: number, T: number, threads: number, seconds: number,
): Promise<TorchResult> {
  const name = 'PyTorch (nn.LSTM, CPU)';
  const missing = (note: string): TorchResult => ({ name, charsPerSec: null, stepSec: null, steps: 0, note });
  if (!existsSync(script)) return Promise.resolve(missing(`peer script not found: ${script}`));
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const args = [script, '--seconds', String(seconds), '--threads', String(threads), '--batch', String(B), '--seq', String(T),
    '--units', String(c.units), '--layers', String(c.layers), '--embedding', String(c.embeddingSize),
    '--vocab', String(c.vocabSize), '--dropout', String(c.dropout)];
  return new Promise((resolve) => {
    const python = peerPython();
    const child = spawn(python, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), (seconds + 120) * 1000);
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve(missing(`${python}: ${e.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop() ?? '';
      try {
        const r = JSON.parse(line) as { charsPerSec?: number; stepSec?: number; steps?: number; torch?: string; blas?: string; error?: string };
        if (r.error || typeof r.charsPerSec !== 'number') {
          resolve(missing(r.error ?? 'no result'));
          return;
        }
        resolve({ name: `PyTorch ${r.torch} (nn.LSTM, CPU)`, charsPerSec: r.charsPerSec, stepSec: r.stepSec ?? null, steps: r.steps ?? 0, torch: r.torch, blas: r.blas, note: `BLAS: ${r.blas}` });
      } catch {
        resolve(missing(`exit code ${code}: ${(err.trim().split('\n').pop() ?? '').slice(0, 200)}`));
      }
    });
  });
}
