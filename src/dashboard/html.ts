/**
 * The dashboard page: a static, accessible skeleton that media/dashboard.js (built from src/webview) fills in, under a
 * strict Content-Security-Policy: nothing by default; the one script only with this load's nonce; styles, fonts
 * and images only from the webview's own resource origin (the extension's media/ folder). No inline style or
 * script. Pure, apart from the nonce generator's use of Web Crypto.
 */
import { MAX_PROMPT_CHARS, TEMPERATURE_MAX, TEMPERATURE_MIN } from '../shared/dashboardProtocol';

export interface DashboardHtmlInput {
  /** `webview.cspSource`. */
  cspSource: string;
  /** A fresh nonce per page load ({@link createNonce}). */
  nonce: string;
  /** Webview URIs (`webview.asWebviewUri`) of media/dashboard.js, media/dashboard.css and media/codicon.css. */
  scriptUri: string;
  styleUri: string;
  codiconsUri: string;
}

/** 128 random bits, base64: a nonce for the page's script tag. */
export function createNonce(): string {
  // Web Crypto: in Node (20+) and in the browser's extension host alike.
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\'': '&#39;' })[c]!);
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `img-src ${cspSource}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

const icon = (name: string): string => `<span class="codicon codicon-${name}" aria-hidden="true"></span>`;

function button(id: string, kind: 'primary' | 'secondary', iconName: string, label: string): string {
  return `<button id="${id}" class="button ${kind}" type="button" disabled>${icon(iconName)}<span>${label}</span></button>`;
}

function kv(rows: [id: string, label: string][]): string {
  return `<dl class="kv">${rows.map(([id, label]) => `<dt>${label}</dt><dd id="${id}">–</dd>`).join('')}</dl>`;
}

export function dashboardHtml(input: DashboardHtmlInput): string {
  if (!/^[A-Za-z0-9+/=]{16,}$/.test(input.nonce)) throw new Error('the nonce must be at least 16 base64 characters');
  const a = (s: string): string => escapeHtml(s);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${a(contentSecurityPolicy(input.cspSource, input.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${a(input.codiconsUri)}">
<link rel="stylesheet" href="${a(input.styleUri)}">
<title>Inkling Training</title>
</head>
<body>
<main class="dashboard" aria-labelledby="title">
  <header class="header">
    <div class="title-row">
      <h1 id="title">${icon('graph-line')}<span>Inkling training</span></h1>
      <p id="status" class="status" role="status" aria-live="polite">Connecting…</p>
    </div>
    <div class="toolbar" role="toolbar" aria-label="Training controls">
      ${button('btn-train', 'primary', 'play', 'Train')}
      ${button('btn-stop', 'secondary', 'debug-stop', 'Stop')}
      ${button('btn-retrain', 'secondary', 'refresh', 'Retrain from scratch')}
      ${button('btn-export', 'secondary', 'export', 'Export model…')}
    </div>
    <p id="controls-hint" class="hint"></p>
    <div class="progress-row">
      <label for="progress" class="visually-hidden">Training progress</label>
      <progress id="progress" max="1" value="0"></progress>
      <dl class="stats">
        <div><dt>Progress</dt><dd id="stat-progress">–</dd></div>
        <div><dt>Time left</dt><dd id="stat-eta">–</dd></div>
        <div><dt>Elapsed</dt><dd id="stat-elapsed">–</dd></div>
        <div><dt>Speed</dt><dd id="stat-speed">–</dd></div>
        <div><dt>Step</dt><dd id="stat-step">–</dd></div>
      </dl>
    </div>
  </header>
  <div class="columns">
   <div class="column main-column">
    <section class="card" aria-labelledby="h-loss">
      <div class="card-head">
        <h2 id="h-loss">${icon('pulse')}<span>Loss</span></h2>
        <div class="segmented" role="group" aria-label="Horizontal axis">
          <button id="axis-step" type="button" aria-pressed="true">Step</button>
          <button id="axis-time" type="button" aria-pressed="false">Time</button>
        </div>
      </div>
      <figure id="chart-figure" class="chart" data-points="0" data-runs="0">
        <div class="chart-box"><canvas id="chart" role="img" aria-label="Loss curves" aria-describedby="chart-summary"></canvas></div>
        <figcaption id="chart-caption" class="hint">Bits per character on the training text and on held-out files (lower is better).</figcaption>
      </figure>
      <p id="chart-summary" class="visually-hidden"></p>
    </section>
    <section class="card" aria-labelledby="h-samples">
      <div class="card-head"><h2 id="h-samples">${icon('sparkle')}<span>Samples</span></h2></div>
      <div class="sample-controls">
        <div class="field grow">
          <label for="prompt">Prompt</label>
          <input id="prompt" type="text" maxlength="${MAX_PROMPT_CHARS}" spellcheck="false" autocomplete="off" placeholder="Empty: start of a new line">
        </div>
        <div class="field">
          <label for="temperature">Temperature <output id="temperature-value" for="temperature">–</output></label>
          <input id="temperature" type="range" min="${TEMPERATURE_MIN}" max="${TEMPERATURE_MAX}" step="0.05" value="0" aria-describedby="temperature-hint">
          <span id="temperature-hint" class="hint"></span>
        </div>
        ${button('btn-sample', 'secondary', 'sync', 'New sample')}
      </div>
      <pre id="sample" class="sample" tabindex="0" aria-label="Sample text written by the model"><span id="sample-prompt" class="sample-prompt"></span><span id="sample-text"></span></pre>
      <p id="sample-meta" class="hint"></p>
    </section>
   </div>
   <div class="column side-column">
    <section class="card" aria-labelledby="h-quality">
      <div class="card-head"><h2 id="h-quality">${icon('verified')}<span>Quality</span></h2></div>
      <div class="metrics">
        <div class="metric"><span id="q-now" class="metric-value">–</span><span class="metric-label">validation bits/char now</span></div>
        <div class="metric"><span id="q-best" class="metric-value">–</span><span class="metric-label">best</span></div>
        <div class="metric"><span id="q-precision" class="metric-value">–</span><span class="metric-label">ghost text precision on held-out files</span></div>
      </div>
      <p id="q-reading" class="reading" data-level="none">${icon('circle-large-outline')}<span id="q-text"></span></p>
      <h3>Ghost text on held-out files</h3>
      ${kv([['g-mixed', 'With the trained model'], ['g-ngram', 'N-gram/match part alone']])}
      <p id="g-note" class="hint">Measured at the end of a training run.</p>
      <h3>Your suggestions here</h3>
      ${kv([['a-shown', 'Shown'], ['a-full', 'Accepted in full'], ['a-partial', 'Accepted in part'], ['a-chars', 'Characters accepted'], ['a-rate', 'Acceptance rate']])}
    </section>
    <section class="card" aria-labelledby="h-model">
      <div class="card-head"><h2 id="h-model">${icon('circuit-board')}<span>Model</span></h2></div>
      ${kv([['m-cell', 'Cell'], ['m-layers', 'Layers'], ['m-units', 'Units per layer'], ['m-params', 'Parameters'], ['m-vocab', 'Vocabulary'], ['m-steps', 'Trained steps'], ['m-kernels', 'Kernels'], ['m-saved', 'Saved'], ['m-unknown', 'Held-out characters outside the vocabulary'], ['m-suggests', 'Suggesting']])}
      <h3>Runs in</h3>
      <p id="m-platform" class="hint"></p>
    </section>
    <section class="card" aria-labelledby="h-corpus">
      <div class="card-head"><h2 id="h-corpus">${icon('files')}<span>Corpus</span></h2></div>
      ${kv([['c-files', 'Files read'], ['c-chars', 'Characters'], ['c-secrets', 'Secrets masked'], ['c-truncated', 'Sampled to the size limit']])}
      <h3>Skipped</h3>
      <ul id="c-skipped" class="skipped"></ul>
      <details id="c-examples-box" class="examples">
        <summary>Examples of skipped files</summary>
        <ul id="c-examples"></ul>
      </details>
    </section>
   </div>
  </div>
</main>
<script nonce="${a(input.nonce)}" src="${a(input.scriptUri)}"></script>
</body>
</html>
`;
}
