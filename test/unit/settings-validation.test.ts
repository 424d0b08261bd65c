// Settings of the wrong type or out of range are clamped or replaced by the default, with one message each; the
// parser never throws. A table of bad values per kind of setting, then random values for every setting.
import assert from 'node:assert/strict';
import { defaultSettings, languageEnabled, parseSettings, SETTINGS, type Settings } from '../../src/shared/settings';
import { Rng } from '../../src/engine/rng';

type Case = [name: string, setting: string, raw: unknown, expected: unknown, message: RegExp | null];

const D = defaultSettings();
const CASES: Case[] = [
  // numbers
  ['string for a number', 'completion.maxChars', '100', D.maxSuggestionChars, /completion.maxChars must be a number from 1 to 400; using 48/],
  ['numeric string is not guessed at', 'completion.temperature', '0.5', D.temperature, /must be a number/],
  ['object for a number', 'training.minutes', { minutes: 5 }, D.trainingMinutes, /must be a number/],
  ['array for a number', 'model.units', [64], D.units, /must be a number/],
  ['boolean for a number', 'completion.debounceMs', true, D.debounceMs, /must be a number/],
  ['NaN', 'completion.temperature', Number.NaN, D.temperature, /must be a number/],
  ['Infinity', 'training.maxCorpusMB', Number.POSITIVE_INFINITY, D.maxCorpusMB, /must be a number/],
  ['-Infinity', 'training.minutes', Number.NEGATIVE_INFINITY, D.trainingMinutes, /must be a number/],
  ['negative', 'completion.maxChars', -5, 1, /using 1$/],
  ['negative budget', 'training.minutes', -1, 0.1, /using 0.1$/],
  ['zero below the minimum', 'completion.contextChars', 0, 16, /using 16$/],
  ['huge', 'model.units', 1e12, 1024, /using 1024$/],
  ['huge corpus', 'training.maxCorpusMB', 1e300, 1024, /using 1024$/],
  ['fraction for a whole number', 'model.layers', 2.6, 3, /whole number from 1 to 4; using 3/],
  ['above the maximum', 'completion.temperature', 9, 2, /from 0 to 2; using 2/],
  ['in range: no message', 'completion.temperature', 0.7, 0.7, null],
  ['negative zero is zero', 'completion.temperature', -0, 0, null],
  // booleans
  ['string for a boolean', 'enable', 'true', D.enable, /inkling.enable must be true or false; using true/],
  ['number for a boolean', 'completion.multiline', 1, D.multiline, /must be true or false/],
  ['object for a boolean', 'training.pauseWhileTyping', {}, true, /must be true or false/],
  ['null means unset: the default, no message', 'enable', null, D.enable, null],
  // enums
  ['unknown enum value', 'model.cell', 'transformer', 'lstm', /must be one of lstm, gru, rnn; using lstm/],
  ['enum values are exact', 'kernels', 'WASM', 'auto', /must be one of auto, wasm, tfjs-node, js/],
  ['number for an enum', 'kernels', 3, 'auto', /must be one of/],
  ['a valid enum value', 'model.cell', 'gru', 'gru', null],
  // lists
  ['object for a list', 'training.include', { '**/*.ts': true }, ['**/*'], /training.include must be a list of glob patterns; using the default/],
  ['string for a list', 'training.exclude', '**/*.min.js', [], /must be a list/],
  ['list with a number', 'training.include', ['src/**', 42], ['**/*'], /must be a list/],
  ['a valid list', 'training.exclude', ['dist/**'], ['dist/**'], null],
  // language map
  ['array for the language map', 'languages', ['markdown'], { '*': true }, /languages must map language ids to true or false/],
  ['string for the language map', 'languages', 'markdown', { '*': true }, /must map/],
  ['non-boolean in the language map', 'languages', { markdown: 'no' }, { '*': true }, /must map/],
];

describe('settings validation', () => {
  for (const [name, setting, raw, expected, message] of CASES) {
    const shown = typeof raw === 'number' ? String(raw) : JSON.stringify(raw);
    it(`${name}: inkling.${setting} = ${shown}`, () => {
      const spec = SETTINGS[setting];
      assert.ok(spec, setting);
      const { settings, problems } = parseSettings((n) => (n === setting ? raw : undefined));
      assert.deepEqual(settings[spec.key], expected);
      if (message) {
        assert.equal(problems.length, 1, problems.join('\n'));
        assert.match(problems[0]!, message);
        assert.match(problems[0]!, new RegExp(`^inkling\\.${setting.replace('.', '\\.')} `), 'the message names the setting');
      } else {
        assert.deepEqual(problems, []);
      }
      // Every other setting keeps its default.
      for (const other of Object.values(SETTINGS)) if (other.key !== spec.key) assert.deepEqual(settings[other.key], D[other.key]);
    });
  }

  it('a language id never finds Object.prototype members (e.g. "constructor")', () => {
    const { settings } = parseSettings((n) => (n === 'languages' ? { '*': false, markdown: true } : undefined));
    assert.equal(languageEnabled(settings, 'markdown'), true);
    assert.equal(languageEnabled(settings, 'constructor'), false, 'falls back to "*"');
    assert.equal(languageEnabled(settings, 'toString'), false);
    assert.equal(languageEnabled(defaultSettings(), 'hasOwnProperty'), true);
  });

  it('never throws and always yields valid settings, for 5,000 random values of every setting', () => {
    const rng = new Rng(7);
    const pick = <T>(xs: T[]): T => xs[rng.int(xs.length)]!;
    const randomValue = (depth = 0): unknown => {
      switch (rng.int(depth > 1 ? 8 : 11)) {
        case 0: return pick([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0, -1, 1e308, -1e308, Number.MIN_VALUE]);
        case 1: return (rng.next() - 0.5) * 10 ** rng.int(12);
        case 2: return pick(['', 'lstm', 'wasm', 'true', '5', 'NaN', '**/*', '\u0000', 'x'.repeat(1000)]);
        case 3: return rng.next() < 0.5;
        case 4: return null;
        case 5: return undefined;
        case 6: return 10n ** BigInt(rng.int(30));
        case 7: return Symbol('s');
        case 8: return Array.from({ length: rng.int(4) }, () => randomValue(depth + 1));
        case 9: return Object.fromEntries(Array.from({ length: rng.int(4) }, (_, i) => [pick(['*', 'markdown', '__proto__', 'constructor', `k${i}`]), randomValue(depth + 1)]));
        default: return Object.create(null) as object;
      }
    };
    const valid = (s: Settings): void => {
      for (const [name, spec] of Object.entries(SETTINGS)) {
        const v = s[spec.key] as unknown;
        switch (spec.type) {
          case 'boolean': assert.equal(typeof v, 'boolean', name); break;
          case 'number':
            assert.ok(typeof v === 'number' && Number.isFinite(v) && v >= spec.min && v <= spec.max, `${name} = ${String(v)}`);
            if (spec.integer) assert.ok(Number.isInteger(v), name);
            break;
          case 'enum': assert.ok(spec.values.includes(v as string), name); break;
          case 'strings': assert.ok(Array.isArray(v) && v.every((x) => typeof x === 'string'), name); break;
          case 'languages': assert.ok(v && typeof v === 'object' && Object.values(v).every((b) => typeof b === 'boolean'), name); break;
        }
      }
    };
    let problems = 0;
    for (let i = 0; i < 5000; i++) {
      const values = new Map(Object.keys(SETTINGS).map((k) => [k, randomValue()]));
      const r = parseSettings((n) => values.get(n));
      valid(r.settings);
      problems += r.problems.length;
    }
    assert.ok(problems > 5000, `${problems} problems reported`);
  });
});
