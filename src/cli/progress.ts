/** A one-line terminal progress bar for training (stderr, redrawn in place when stderr is a terminal). */
import type { TrainProgress } from '../engine';

export function formatDuration(sec: number): string {
  if (!Number.isFinite(sec)) return '--:--';
  const s = Math.max(0, Math.round(sec));
  const m = Math.floor(s / 60);
  return `${m}:${String(s % 60).padStart(2, '0')}`;
}

export class ProgressBar {
  private lastLine = '';

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr, private readonly width = 24) {}

  update(p: TrainProgress): void {
    const filled = Math.round(p.fraction * this.width);
    const bar = '█'.repeat(filled) + '░'.repeat(this.width - filled);
    const val = Number.isFinite(p.valBits) ? p.valBits.toFixed(3) : '  -  ';
    const line = `${bar} ${(p.fraction * 100).toFixed(0).padStart(3)}%  step ${p.step}  train ${fmt(p.trainBits)} val ${val} bits/char  ` +
      `${Math.round(p.charsPerSec)} chars/s  ${formatDuration(p.elapsedSec)} elapsed, ETA ${formatDuration(p.etaSec)}`;
    if (this.stream.isTTY) {
      this.stream.write(`\r${line.padEnd(this.lastLine.length)}`);
    } else if (Number.isFinite(p.valBits) && line !== this.lastLine) {
      this.stream.write(`${line}\n`); // logs: one line per validation, not a flood
    }
    this.lastLine = line;
  }

  /** Ends the bar's line so a message can be printed under it (the bar is redrawn at the next update). */
  clear(): void {
    if (this.stream.isTTY && this.lastLine) this.stream.write('\n');
    this.lastLine = '';
  }

  done(): void {
    if (this.stream.isTTY && this.lastLine) this.stream.write('\n');
  }
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toFixed(3) : '  -  ';
}
