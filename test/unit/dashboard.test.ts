// The dashboard's pure parts: the webview message validator, the HTML builder and its Content-Security-Policy, the
// progress throttle and the curve-point downsampler.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import {
  MAX_CURVE_POINTS, MAX_PROMPT_CHARS, TEMPERATURE_MAX, parseWebviewMessage, promptFromState,
} from '../../src/shared/dashboardProtocol';
import { contentSecurityPolicy, createNonce, dashboardHtml, escapeHtml } from '../../src/dashboard/html';
import { Throttle, type ThrottleClock } from '../../src/dashboard/throttle';
import { PointHistory } from '../../src/shared/history';
import { repoRoot } from '../helpers/paths';

describe('dashboard: webview message validator', () => {
  it('accepts each message type and returns a fresh object without unknown fields', () => {
    for (const type of ['ready', 'train', 'stop', 'retrain', 'export', 'newSample'] as const) {
      assert.deepEqual(parseWebviewMessage({ type, extra: 'dropped' }), { type });
    }
    assert.deepEqual(parseWebviewMessage({ type: 'setPrompt', prompt: 'def ', x: 1 }), { type: 'setPrompt', prompt: 'def ' });
    assert.deepEqual(parseWebviewMessage({ type: 'setPrompt', prompt: '' }), { type: 'setPrompt', prompt: '' });
    assert.deepEqual(parseWebviewMessage({ type: 'setTemperature', value: 0.7 }), { type: 'setTemperature', value: 0.7 });
  });

  it('clamps the temperature to [0, 2] and rounds it to hundredths', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'setTemperature', value: 99 }), { type: 'setTemperature', value: TEMPERATURE_MAX });
    assert.deepEqual(parseWebviewMessage({ type: 'setTemperature', value: -1 }), { type: 'setTemperature', value: 0 });
    assert.deepEqual(parseWebviewMessage({ type: 'setTemperature', value: 0.123456 }), { type: 'setTemperature', value: 0.12 });
    assert.deepEqual(parseWebviewMessage({ type: 'setTemperature', value: -0 }), { type: 'setTemperature', value: 0 });
  });

  it('rejects anything else', () => {
    const bad: unknown[] = [
      undefined, null, 0, 'ready', [], ['ready'], {}, { type: 1 }, { type: 'READY' }, { type: 'unknown' },
      { type: 'toString' }, { type: '__proto__' }, { command: 'train' },
      { type: 'setTemperature' }, { type: 'setTemperature', value: '1' }, { type: 'setTemperature', value: Number.NaN },
      { type: 'setTemperature', value: Number.POSITIVE_INFINITY }, { type: 'setTemperature', value: null },
      { type: 'setPrompt' }, { type: 'setPrompt', prompt: 42 }, { type: 'setPrompt', prompt: 'x'.repeat(MAX_PROMPT_CHARS + 1) },
    ];
    for (const m of bad) assert.equal(parseWebviewMessage(m), undefined, JSON.stringify(m) ?? String(m));
  });

  it('reads the prompt from a restored panel state only when well-formed', () => {
    assert.equal(promptFromState({ prompt: 'hello', xAxis: 'time' }), 'hello');
    assert.equal(promptFromState({ prompt: 3 }), undefined);
    assert.equal(promptFromState({ prompt: 'x'.repeat(MAX_PROMPT_CHARS + 1) }), undefined);
    assert.equal(promptFromState(undefined), undefined);
    assert.equal(promptFromState('prompt'), undefined);
  });
});

describe('dashboard: HTML builder', () => {
  const cspSource = 'https://webview.example.invalid';
  const input = {
    cspSource, nonce: 'abcdEFGH0123+/==',
    scriptUri: `${cspSource}/media/dashboard.js`, styleUri: `${cspSource}/media/dashboard.css`, codiconsUri: `${cspSource}/media/codicon.css`,
  };

  function csp(html: string): Map<string, string[]> {
    const m = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
    assert.ok(m, 'a CSP meta tag');
    const directives = new Map<string, string[]>();
    for (const part of m[1]!.replace(/&#39;/g, '\'').split(';')) {
      const [name, ...values] = part.trim().split(/\s+/);
      if (name) directives.set(name, values);
    }
    return directives;
  }

  it('sets a strict Content-Security-Policy', () => {
    const d = csp(dashboardHtml(input));
    assert.deepEqual(d.get('default-src'), ['\'none\'']);
    assert.deepEqual(d.get('script-src'), [`'nonce-${input.nonce}'`], 'scripts only with the nonce');
    assert.deepEqual(d.get('style-src'), [cspSource], 'styles only from the webview resource origin');
    assert.deepEqual(d.get('font-src'), [cspSource]);
    assert.deepEqual(d.get('img-src'), [cspSource]);
    for (const values of d.values()) {
      for (const v of values) assert.ok(!/unsafe-|\*|data:|blob:|https?:$/.test(v), `no loose source: ${v}`);
    }
    assert.ok(!d.has('connect-src') && !d.has('frame-src'), 'no network, no frames');
  });

  it('has exactly one script, carrying the nonce and loading from media/; no inline script, style or handler', () => {
    const html = dashboardHtml(input);
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 1);
    assert.match(scripts[0]![1]!, new RegExp(`nonce="${input.nonce.replace(/[+/]/g, '\\$&')}"`));
    assert.match(scripts[0]![1]!, /src="https:\/\/webview\.example\.invalid\/media\/dashboard\.js"/);
    assert.equal(scripts[0]![2]!.trim(), '');
    assert.ok(!/<style\b/.test(html), 'no <style> element');
    assert.ok(!/\sstyle=/.test(html), 'no style attributes');
    assert.ok(!/\son[a-z]+=/.test(html), 'no inline event handlers');
    const links = [...html.matchAll(/<link\b[^>]*href="([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(links, [input.codiconsUri, input.styleUri]);
  });

  it('labels its controls: real buttons, a labelled prompt and slider, a live status', () => {
    const html = dashboardHtml(input);
    for (const id of ['btn-train', 'btn-stop', 'btn-retrain', 'btn-export', 'btn-sample']) {
      assert.match(html, new RegExp(`<button id="${id}" class="button [a-z]+" type="button"`));
    }
    assert.match(html, /<label for="prompt">/);
    assert.match(html, /<label for="temperature">/);
    assert.match(html, /<input id="temperature" type="range" min="0" max="2"/);
    assert.match(html, /id="status" class="status" role="status" aria-live="polite"/);
    assert.match(html, /<html lang="en">/);
  });

  it('escapes what it puts in attributes and refuses a malformed nonce', () => {
    const html = dashboardHtml({ ...input, scriptUri: 'x"><script>alert(1)</script>' });
    assert.ok(!html.includes('"><script>alert'));
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    assert.throws(() => dashboardHtml({ ...input, nonce: 'short' }));
    assert.throws(() => dashboardHtml({ ...input, nonce: `${'a'.repeat(20)}' 'unsafe-inline` }));
    assert.equal(contentSecurityPolicy('S', 'N').split('; ')[0], 'default-src \'none\'');
  });

  it('makes a fresh 128-bit base64 nonce each time', () => {
    const nonces = new Set(Array.from({ length: 100 }, () => createNonce()));
    assert.equal(nonces.size, 100);
    for (const n of nonces) {
      assert.match(n, /^[A-Za-z0-9+/]{22}==$/);
      assert.equal(Buffer.from(n, 'base64').length, 16);
    }
  });
});

/** A manual clock: timers run when time is advanced past them. */
class FakeClock implements ThrottleClock {
  t = 1000;
  private timers = new Map<number, { at: number; fn: () => void }>();
  private next = 1;
  now(): number { return this.t; }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.timers.set(id, { at: this.t + ms, fn });
    return id;
  }
  clearTimeout(h: unknown): void { this.timers.delete(h as number); }
  get pending(): number { return this.timers.size; }
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, v]) => v.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.t = due[1].at;
      due[1].fn();
    }
    this.t = end;
  }
}

describe('dashboard: throttle', () => {
  it('delivers the first value at once, then at most one per interval, always ending with the last value', () => {
    const clock = new FakeClock();
    const got: { v: number; t: number }[] = [];
    const th = new Throttle<number>(100, (v) => got.push({ v, t: clock.now() }), clock);
    th.push(1);
    assert.deepEqual(got, [{ v: 1, t: 1000 }]);
    th.push(2);
    th.push(3);
    assert.equal(got.length, 1, 'held back within the interval');
    clock.advance(99);
    assert.equal(got.length, 1);
    clock.advance(1);
    assert.deepEqual(got[1], { v: 3, t: 1100 }, 'the trailing value is the latest');
    clock.advance(500);
    assert.equal(got.length, 2, 'nothing more without pushes');
    th.push(4);
    assert.deepEqual(got[2], { v: 4, t: 1600 }, 'after a quiet interval the next value goes at once');
  });

  it('keeps to <= 10 deliveries a second under a flood of pushes', () => {
    const clock = new FakeClock();
    let n = 0;
    let last = -1;
    const th = new Throttle<number>(100, (v) => { n++; last = v; }, clock);
    for (let i = 0; i < 10_000; i++) {
      th.push(i);
      clock.advance(1); // 1000 pushes a second for 10 s
    }
    clock.advance(100);
    assert.ok(n <= 101 && n >= 95, `${n} deliveries in 10 s`);
    assert.equal(last, 9999);
  });

  it('flushes and cancels on request; dispose drops the pending value and its timer', () => {
    const clock = new FakeClock();
    const got: string[] = [];
    const th = new Throttle<string>(100, (v) => got.push(v), clock);
    th.push('a');
    th.push('b');
    th.flush();
    assert.deepEqual(got, ['a', 'b']);
    assert.equal(clock.pending, 0);
    th.push('c');
    th.cancel();
    clock.advance(1000);
    assert.deepEqual(got, ['a', 'b']);
    th.push('d');
    th.push('e');
    th.dispose();
    assert.equal(clock.pending, 0);
    clock.advance(1000);
    assert.deepEqual(got, ['a', 'b', 'd']);
  });
});

describe('dashboard: curve-point downsampler', () => {
  it('keeps everything until the capacity', () => {
    const h = new PointHistory<number>(10);
    for (let i = 0; i < 9; i++) h.push(i);
    assert.deepEqual(h.points(), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
    assert.equal(h.spacing, 1);
  });

  it('never exceeds the capacity, keeps the first and the latest point, in order, evenly spread', () => {
    for (const capacity of [4, 5, 10, 64, MAX_CURVE_POINTS]) {
      const h = new PointHistory<number>(capacity);
      for (let i = 0; i < 20_000; i++) {
        h.push(i);
        const pts = h.points();
        assert.ok(pts.length <= capacity, `capacity ${capacity}: ${pts.length} points after ${i + 1}`);
        assert.equal(pts[0], 0);
        assert.equal(pts[pts.length - 1], i);
        if (i % 997 === 0) {
          for (let k = 1; k < pts.length; k++) assert.ok(pts[k]! > pts[k - 1]!);
          // Kept points (all but the provisional tail) sit on the stride grid.
          for (const p of pts.slice(0, -1)) assert.equal(p % h.spacing, 0, `capacity ${capacity}, stride ${h.spacing}: ${p}`);
        }
      }
      assert.ok(h.length >= capacity / 2 - 1, `capacity ${capacity}: still dense (${h.length} points)`);
    }
  });

  it('bounds a long run to the cap with a roughly even density over the whole span', () => {
    const h = new PointHistory<number>(MAX_CURVE_POINTS);
    for (let i = 0; i < 100_000; i++) h.push(i);
    const pts = h.points();
    assert.ok(pts.length <= MAX_CURVE_POINTS && pts.length > MAX_CURVE_POINTS / 2);
    const firstHalf = pts.filter((p) => p < 50_000).length;
    const secondHalf = pts.length - firstHalf;
    assert.ok(Math.abs(firstHalf - secondHalf) <= 2, `${firstHalf} vs ${secondHalf}`);
  });

  it('continues identically from a snapshot (what the webview does with the host\'s history)', () => {
    const host = new PointHistory<number>(50);
    for (let i = 0; i < 1234; i++) host.push(i);
    const page = new PointHistory<number>(50);
    assert.ok(page.restore(JSON.parse(JSON.stringify(host.snapshot()))));
    for (let i = 1234; i < 5000; i++) {
      host.push(i);
      page.push(i);
      assert.deepEqual(page.points(), host.points());
    }
    assert.equal(page.restore({ points: Array.from({ length: 60 }, (_, i) => i), tail: false, stride: 1, sinceKept: 0 }), false, 'too many points');
    assert.equal(page.restore({ points: [1, 2], tail: false, stride: 3, sinceKept: 0 }), false, 'stride not a power of two');
    assert.equal(page.length, 0, 'a rejected snapshot leaves it empty');
    assert.ok(page.restore({ points: [], tail: false, stride: 1, sinceKept: 0 }));
  });

  it('clears, and rejects a silly capacity', () => {
    const h = new PointHistory<number>(8);
    for (let i = 0; i < 100; i++) h.push(i);
    h.clear();
    assert.deepEqual(h.points(), []);
    h.push(7);
    assert.deepEqual(h.points(), [7]);
    assert.throws(() => new PointHistory(2));
    assert.throws(() => new PointHistory(10.5));
  });
});

describe('dashboard: layering', () => {
  const imports = (file: string): string[] =>
    [...readFileSync(file, 'utf8').matchAll(/^\s*import\b[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
  const dir = (d: string): string[] => readdirSync(path.join(repoRoot, d)).filter((f) => f.endsWith('.ts')).map((f) => path.join(repoRoot, d, f));

  it('pure dashboard parts and the protocol never import vscode', () => {
    const hostOnly = new Set(['panel.ts', 'dashboard.ts']);
    for (const f of [...dir('src/dashboard').filter((f) => !hostOnly.has(path.basename(f))), path.join(repoRoot, 'src/shared/dashboardProtocol.ts')]) {
      assert.ok(!imports(f).includes('vscode'), `${path.relative(repoRoot, f)} imports vscode`);
    }
  });

  it('the webview imports neither vscode nor Node', () => {
    for (const f of dir('src/webview')) {
      for (const i of imports(f)) assert.ok(i !== 'vscode' && !i.startsWith('node:') && !/dashboard\/(panel|dashboard|html)$/.test(i), `${path.relative(repoRoot, f)} imports ${i}`);
    }
  });
});
