/**
 * The training dashboard page. Binds the static markup from src/dashboard/html.ts, says `ready`, then renders what
 * the host sends (see src/shared/dashboardProtocol.ts). Keeps the prompt and the chart's axis in the webview state
 * so they survive a reload; keeps at most MAX_CURVE_POINTS curve points, decimated exactly as the host does.
 */
import {
  MAX_CURVE_POINTS, MAX_PROMPT_CHARS, clampTemperature,
  type CurvePoint, type DashboardState, type DashboardWebviewState, type HostMessage, type ProgressView, type SampleView,
  type WebviewMessage, type ControlId, type GhostTextView, type GhostTextFiguresView,
} from '../shared/dashboardProtocol';
import { PointHistory } from '../shared/history';
import { LossChart, type XAxis } from './chart';
import { formatBits, formatCompact, formatDuration, formatInt, formatPercent, formatShare, temperatureHint } from './format';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): DashboardWebviewState | undefined;
  setState(state: DashboardWebviewState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
let saved: DashboardWebviewState = vscode.getState() ?? {};
const save = (patch: Partial<DashboardWebviewState>): void => {
  saved = { ...saved, ...patch };
  vscode.setState(saved);
};

function el<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`dashboard markup lacks #${id}`);
  return e as T;
}
function setText(id: string, text: string): void {
  const e = el(id);
  if (e.textContent !== text) e.textContent = text;
}

const history = new PointHistory<CurvePoint>(MAX_CURVE_POINTS);
const chart = new LossChart(el<HTMLCanvasElement>('chart'));
const buttons: Record<ControlId, HTMLButtonElement> = {
  train: el('btn-train'), stop: el('btn-stop'), retrain: el('btn-retrain'), export: el('btn-export'),
};
const prompt = el<HTMLInputElement>('prompt');
const slider = el<HTMLInputElement>('temperature');
/** Tooltips of the enabled controls (a disabled one says why instead). */
const TITLES: Record<ControlId, string> = {
  train: 'Continue training the current model on this workspace',
  stop: 'Stop training; the best checkpoint is kept',
  retrain: 'Train a new model from scratch, with the current model settings',
  export: 'Copy the model to a folder that TF.js loads as is',
};
let state: DashboardState | null = null;
let axis: XAxis = saved.xAxis === 'time' ? 'time' : 'step';
/** Until then, state updates leave the slider alone (the user is moving it; the setting follows). */
let sliderLockedUntil = 0;

// ---- controls -------------------------------------------------------------------------------------------------

for (const id of Object.keys(buttons) as ControlId[]) {
  buttons[id].addEventListener('click', () => vscode.postMessage({ type: id }));
}
el('btn-sample').addEventListener('click', () => vscode.postMessage({ type: 'newSample' }));

let promptTimer: ReturnType<typeof setTimeout> | undefined;
prompt.addEventListener('input', () => {
  clearTimeout(promptTimer);
  promptTimer = setTimeout(() => {
    const value = prompt.value.slice(0, MAX_PROMPT_CHARS);
    save({ prompt: value });
    vscode.postMessage({ type: 'setPrompt', prompt: value });
  }, 400);
});

let temperatureTimer: ReturnType<typeof setTimeout> | undefined;
slider.addEventListener('input', () => {
  sliderLockedUntil = Date.now() + 2000;
  showTemperature(Number(slider.value));
  clearTimeout(temperatureTimer);
  temperatureTimer = setTimeout(() => vscode.postMessage({ type: 'setTemperature', value: clampTemperature(Number(slider.value)) }), 250);
});

function showTemperature(t: number): void {
  setText('temperature-value', t.toFixed(2));
  setText('temperature-hint', temperatureHint(t));
  slider.setAttribute('aria-valuetext', `${t.toFixed(2)}: ${temperatureHint(t)}`);
}

function setAxis(a: XAxis): void {
  axis = a;
  save({ xAxis: a });
  el('axis-step').setAttribute('aria-pressed', String(a === 'step'));
  el('axis-time').setAttribute('aria-pressed', String(a === 'time'));
  chart.setAxis(a);
}
el('axis-step').addEventListener('click', () => setAxis('step'));
el('axis-time').addEventListener('click', () => setAxis('time'));

// Theme changes switch the body's vscode-light / vscode-dark / vscode-high-contrast classes.
new MutationObserver(() => chart.applyTheme()).observe(document.body, { attributes: true, attributeFilter: ['class'] });

// ---- rendering ------------------------------------------------------------------------------------------------

function renderState(s: DashboardState): void {
  state = s;
  setText('status', s.status);
  document.body.dataset['run'] = s.run;
  for (const id of Object.keys(buttons) as ControlId[]) {
    const c = s.controls[id];
    buttons[id].disabled = !c.enabled;
    buttons[id].title = c.reason ?? (id === 'train' && !s.model ? 'Train a model on this workspace' : TITLES[id]);
  }
  setText('controls-hint', !s.busy && s.controls.train.reason ? s.controls.train.reason : '');
  const sampleButton = el<HTMLButtonElement>('btn-sample');
  sampleButton.disabled = s.model === null;
  sampleButton.title = s.model === null ? 'There is no model to sample from yet.' : '';

  const q = s.quality;
  setText('q-now', formatBits(q.now));
  setText('q-best', formatBits(q.best));
  setText('q-text', q.reading);
  const reading = el('q-reading');
  reading.dataset['level'] = q.level;
  const icon = reading.querySelector('.codicon');
  if (icon) {
    const name = q.level === 'excellent' || q.level === 'good' ? 'pass-filled' : q.level === 'fair' ? 'info' : q.level === 'none' ? 'circle-large-outline' : 'warning';
    icon.className = `codicon codicon-${name}`;
  }

  renderGhostText(s.model?.ghostText ?? null);

  const a = s.acceptance;
  setText('a-shown', formatInt(a.shown));
  setText('a-full', formatInt(a.acceptedFull));
  setText('a-partial', formatInt(a.acceptedPartial));
  setText('a-chars', formatInt(a.charsAccepted));
  setText('a-rate', a.shown > 0 ? `${Math.round((100 * (a.acceptedFull + a.acceptedPartial)) / a.shown)}%` : '–');

  const m = s.model;
  setText('m-cell', m ? m.cell.toUpperCase() : '–');
  setText('m-layers', m ? String(m.layers) : '–');
  setText('m-units', m ? formatInt(m.units) : '–');
  setText('m-params', m ? `${formatCompact(m.parameters)} (${formatInt(m.parameters)})` : '–');
  setText('m-vocab', m ? `${formatInt(m.vocabSize)} characters` : '–');
  setText('m-steps', m ? `${formatInt(m.trainedSteps)} (${formatDuration(m.trainedSec)} of training, all runs)` : '–');
  setText('m-kernels', s.kernels || m?.kernels || '–');
  setText('m-platform', s.platform || 'The Node extension host (desktop or remote): training and completions in worker threads');
  setText('m-saved', m && m.createdAt ? new Date(m.createdAt).toLocaleString() : '–');
  setText('m-unknown', m && m.unknownChars !== null ? `${formatInt(m.unknownChars)} (not part of bits/char)` : '–');
  setText('m-suggests', m?.suggests ?? '–');

  const c = s.corpus;
  setText('c-files', c ? formatInt(c.files) : '–');
  setText('c-chars', c ? `${formatCompact(c.chars)} (${formatInt(c.chars)})` : '–');
  setText('c-secrets', c ? formatInt(c.maskedSecrets) : '–');
  setText('c-truncated', c ? (c.truncated ? 'yes' : 'no') : '–');
  const skipped = el('c-skipped');
  skipped.replaceChildren(...(c && c.skipped.length > 0
    ? c.skipped.map((r) => item(`${formatInt(r.count)} ${r.label}`))
    : [item(c ? 'nothing' : 'the corpus is read when training starts', 'hint')]));
  const examples = el('c-examples');
  examples.replaceChildren(...(c?.examples ?? []).map((e) => {
    const li = item('', '');
    const code = document.createElement('code');
    code.textContent = e.path;
    li.append(code, ` ${e.reason}`);
    return li;
  }));
  el('c-examples-box').hidden = !c || c.examples.length === 0;

  if (Date.now() > sliderLockedUntil && document.activeElement !== slider) slider.value = String(s.temperature);
  if (Date.now() > sliderLockedUntil) showTemperature(Number(slider.value));
}

/**
 * Ghost text typed in the held-out files at the end of the last run, as `inkling eval` measures it: precision
 * (characters right ÷ shown) and recall (right ÷ typed), for the model that suggests and for the other one.
 */
function renderGhostText(g: GhostTextView | null): void {
  const line = (f: GhostTextFiguresView, suggesting: boolean): string =>
    `precision ${formatShare(f.precision)} (${formatInt(f.charsRight)} of ${formatInt(f.charsShown)} characters shown) · recall ${formatShare(f.recall)} · ` +
    `${formatShare(f.fullAcceptRate)} of ${formatInt(f.suggestions)} suggestions right in full${suggesting ? ' · suggesting now' : ''}`;
  const shown = g ? (g.source === 'mixed' ? g.inkling : g.ngramPart) : null;
  setText('q-precision', shown && shown.suggestions > 0 ? formatShare(shown.precision) : '–');
  setText('g-mixed', g ? line(g.inkling, g.source === 'mixed') : '–');
  setText('g-ngram', g ? line(g.ngramPart, g.source === 'ngram') : '–');
  setText('g-note', g
    ? `Typing ${formatInt(g.typedChars)} characters of ${formatInt(g.files)} held-out file${g.files === 1 ? '' : 's'} at confidence ${g.confidence}, as inkling eval measures it: precision is the characters right ÷ the characters shown, recall the characters right ÷ the characters typed.`
    : 'Measured at the end of a training run.');
}

function item(text: string, cls = ''): HTMLLIElement {
  const li = document.createElement('li');
  li.textContent = text;
  if (cls) li.className = cls;
  return li;
}

function renderProgress(p: ProgressView | null): void {
  const progress = el<HTMLProgressElement>('progress');
  progress.value = p?.fraction ?? 0;
  setText('stat-progress', p ? formatPercent(p.fraction) : '–');
  const training = state?.busy ?? false;
  setText('stat-eta', p && training ? formatDuration(p.etaSec) : '–');
  setText('stat-elapsed', p ? formatDuration(p.elapsedSec) : '–');
  setText('stat-speed', p ? `${formatCompact(p.charsPerSec)} chars/s` : '–');
  setText('stat-step', p ? formatInt(p.step) : '–');
  // While training, the run's own validation figures are the freshest.
  if (p && p.valBits !== null) setText('q-now', formatBits(p.valBits));
  if (p && p.bestValBits !== null) setText('q-best', formatBits(p.bestValBits));
}

function renderCurve(): void {
  const points = history.points();
  chart.setPoints(points);
  const figure = el('chart-figure');
  figure.dataset['points'] = String(points.length);
  figure.classList.toggle('empty', points.length === 0);
  const last = points[points.length - 1];
  setText('chart-summary', last
    ? `Loss chart, ${points.length} points. Latest: step ${last.step}, training ${formatBits(last.train)}, validation ${formatBits(last.val)} bits per character.`
    : 'Loss chart: no training run yet.');
}

function renderSample(s: SampleView | null): void {
  const box = el('sample');
  box.dataset['status'] = s?.status ?? 'none';
  setText('sample-prompt', s?.status === 'ok' ? s.prompt : '');
  setText('sample-text', s?.status === 'ok' ? s.text : '');
  setText('sample-meta', !s ? 'Waiting for the model…'
    : s.status === 'no-model' ? 'No model yet: samples appear after the first checkpoint of a training run.'
    : s.status === 'error' ? `Could not write a sample: ${s.text}`
    : `Temperature ${s.temperature.toFixed(2)} · seed ${s.seed}${s.modelSteps !== null ? ` · model after ${formatInt(s.modelSteps)} steps` : ''}`);
}

/** Saves the curve in the webview state, at most every 2 s while points arrive. */
let lastProgress: ProgressView | null = null;
let curveSavedAt = 0;
function saveCurve(force = false): void {
  if (!force && Date.now() - curveSavedAt < 2000) return;
  curveSavedAt = Date.now();
  save({ curve: history.snapshot(), progress: lastProgress });
}

window.addEventListener('message', (event: MessageEvent<HostMessage>) => {
  const m = event.data;
  switch (m.type) {
    case 'init':
      renderState(m.state);
      // After a window reload the host has recorded nothing yet: keep showing the last run this page saw.
      if (m.curve.points.length === 0 && m.state.run === 'idle' && saved.curve && history.restore(saved.curve)) {
        lastProgress = saved.progress ?? null;
      } else {
        history.restore(m.curve);
        lastProgress = m.progress;
        saveCurve(true);
      }
      renderCurve();
      renderProgress(lastProgress);
      renderSample(m.sample);
      // The page's own prompt wins after a reload; otherwise show the host's.
      if (saved.prompt !== undefined && saved.prompt !== m.prompt) vscode.postMessage({ type: 'setPrompt', prompt: saved.prompt });
      else prompt.value = m.prompt;
      break;
    case 'state':
      renderState(m.state);
      if (!m.state.busy) saveCurve(true); // the end of a run
      break;
    case 'progress':
      for (const p of m.points) history.push(p);
      lastProgress = m.progress;
      renderCurve();
      renderProgress(m.progress);
      saveCurve();
      break;
    case 'reset':
      // A new run's curve starts here; the count of runs this page has seen lets a reader (and the e2e tests)
      // tell the new curve from the last run's.
      {
        const figure = el('chart-figure');
        figure.dataset['runs'] = String(Number(figure.dataset['runs'] ?? '0') + 1);
      }
      history.clear();
      lastProgress = null;
      renderCurve();
      renderProgress(null);
      saveCurve(true);
      break;
    case 'sample':
      renderSample(m.sample);
      break;
  }
});

prompt.value = saved.prompt ?? '';
setAxis(axis);
vscode.postMessage({ type: 'ready' });
