/**
 * The loss chart: training and validation bits per character against step or elapsed time, drawn with Chart.js in
 * the theme's colours (read from VS Code's CSS variables, and again when the theme changes; charts.yellow rather than
 * charts.orange for validation, as the latter is translucent in the default dark themes). No animation: points
 * arrive up to ten times a second.
 */
import {
  Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip, type ChartDataset, type TooltipItem,
} from 'chart.js';
import type { CurvePoint } from '../shared/dashboardProtocol';
import { formatDuration } from './format';

Chart.register(LineController, LineElement, PointElement, LinearScale, Tooltip, Legend);

export type XAxis = 'step' | 'time';
type XY = { x: number; y: number; p: CurvePoint };

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}

export class LossChart {
  private readonly chart: Chart<'line', XY[]>;
  private points: CurvePoint[] = [];
  private axis: XAxis = 'step';

  constructor(canvas: HTMLCanvasElement) {
    this.chart = new Chart<'line', XY[]>(canvas, {
      type: 'line',
      data: {
        datasets: [
          { label: 'Training', data: [], borderWidth: 2, pointRadius: 0, pointHitRadius: 6, cubicInterpolationMode: 'monotone' },
          { label: 'Validation', data: [], borderWidth: 2, pointRadius: 4, pointHoverRadius: 6, tension: 0, clip: 8 },
        ],
      },
      options: {
        animation: false,
        parsing: false,
        normalized: true,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        scales: {
          x: { type: 'linear', title: { display: true, text: 'step' }, ticks: { maxTicksLimit: 8 } },
          y: { type: 'linear', title: { display: true, text: 'bits per character' }, ticks: { maxTicksLimit: 6 } },
        },
        plugins: {
          legend: { position: 'top', align: 'end', labels: { boxWidth: 12, boxHeight: 2 } },
          tooltip: {
            callbacks: {
              title: (items: TooltipItem<'line'>[]) => {
                const p = (items[0]?.raw as XY | undefined)?.p;
                return p ? `Step ${p.step} · ${formatDuration(p.sec)}` : '';
              },
              label: (item: TooltipItem<'line'>) => `${item.dataset.label}: ${(item.raw as XY).y.toFixed(3)} bits/char`,
            },
          },
        },
      },
    });
    this.applyTheme();
  }

  setAxis(axis: XAxis): void {
    this.axis = axis;
    const x = this.chart.options.scales?.['x'];
    if (x?.title) x.title.text = axis === 'step' ? 'step' : 'elapsed time';
    if (x?.ticks) x.ticks.callback = axis === 'time' ? (v) => formatDuration(Number(v)) : undefined;
    this.redraw();
  }

  setPoints(points: CurvePoint[]): void {
    this.points = points;
    this.redraw();
  }

  /** Reads the theme's colours and font (call again when the theme changes). */
  applyTheme(): void {
    const fg = cssVar('--vscode-descriptionForeground', '#808080');
    const grid = cssVar('--vscode-editorWidget-border', cssVar('--vscode-panel-border', 'rgba(128,128,128,0.35)'));
    const highContrast = document.body.classList.contains('vscode-high-contrast') || document.body.classList.contains('vscode-high-contrast-light');
    Chart.defaults.font.family = cssVar('--vscode-font-family', 'sans-serif');
    Chart.defaults.font.size = 12;
    Chart.defaults.color = fg;
    const [train, val] = this.chart.data.datasets as [ChartDataset<'line', XY[]>, ChartDataset<'line', XY[]>];
    for (const [d, color] of [[train, cssVar('--vscode-charts-blue', '#3794ff')], [val, cssVar('--vscode-charts-yellow', '#cca700')]] as const) {
      d.borderColor = d.backgroundColor = d.pointBackgroundColor = d.pointBorderColor = color;
    }
    train.borderWidth = val.borderWidth = highContrast ? 3 : 2;
    for (const axis of ['x', 'y'] as const) {
      const s = this.chart.options.scales?.[axis];
      if (!s) continue;
      s.grid = { ...s.grid, color: grid };
      s.border = { ...s.border, color: grid };
      if (s.ticks) s.ticks.color = fg;
      if (s.title) s.title.color = fg;
    }
    const tooltip = this.chart.options.plugins?.tooltip;
    if (tooltip) {
      tooltip.backgroundColor = cssVar('--vscode-editorHoverWidget-background', '#252526');
      tooltip.titleColor = tooltip.bodyColor = cssVar('--vscode-editorHoverWidget-foreground', '#cccccc');
      tooltip.borderColor = cssVar('--vscode-editorHoverWidget-border', '#454545');
      tooltip.borderWidth = 1;
    }
    const legend = this.chart.options.plugins?.legend;
    if (legend?.labels) legend.labels.color = cssVar('--vscode-foreground', '#cccccc');
    this.chart.update('none');
  }

  private redraw(): void {
    const x = (p: CurvePoint): number => (this.axis === 'step' ? p.step : p.sec);
    const train: XY[] = [];
    const val: XY[] = [];
    let lastVal: number | null = null;
    for (const p of this.points) {
      if (p.train !== null) train.push({ x: x(p), y: p.train, p });
      // A point carries the latest validation; plot each new one once, where it was measured.
      if (p.val !== null && p.val !== lastVal) val.push({ x: x(p), y: p.val, p });
      lastVal = p.val;
    }
    const [t, v] = this.chart.data.datasets as [ChartDataset<'line', XY[]>, ChartDataset<'line', XY[]>];
    t.data = train;
    v.data = val;
    this.chart.update('none');
  }
}
