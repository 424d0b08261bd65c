/** Number and time formatting for the dashboard page. */

const nf0 = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

export function formatInt(n: number): string {
  return nf0.format(n);
}

/** 1234 → "1.2 k", 3_400_000 → "3.4 M". */
export function formatCompact(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e9) return `${(n / 1e9).toFixed(abs >= 1e10 ? 0 : 1)} G`;
  if (abs >= 1e6) return `${(n / 1e6).toFixed(abs >= 1e7 ? 0 : 1)} M`;
  if (abs >= 1e3) return `${(n / 1e3).toFixed(abs >= 1e4 ? 0 : 1)} k`;
  return formatInt(n);
}

export function formatBits(b: number | null): string {
  return b === null ? '–' : b.toFixed(2);
}

/** Seconds → "0:42", "12:05", "1:02:03". */
export function formatDuration(sec: number | null): string {
  if (sec === null || !Number.isFinite(sec) || sec < 0) return '–';
  const s = Math.round(sec);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${r}` : `${m}:${r}`;
}

export function formatPercent(fraction: number): string {
  return `${Math.floor(fraction * 100)}%`;
}

/** A share to the nearest whole percent (0.624 → "62%"). */
export function formatShare(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}

/** What a temperature does, in a few words (the same bands as the "Set Temperature" command's presets). */
export function temperatureHint(t: number): string {
  if (t === 0) return 'Greedy: always the most likely character';
  if (t <= 0.3) return 'Focused: mostly the likely choice';
  if (t <= 0.7) return 'Balanced: varied but plausible';
  if (t <= 1.0) return 'The model\'s own distribution';
  return 'Creative: surprising and often wrong';
}
