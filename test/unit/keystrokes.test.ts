import assert from 'node:assert/strict';
import { longestWordPrefix, savings, simulateTyping } from '../../src/eval/keystrokes';

describe('keystroke simulation', () => {
  it('with no suggestions, every character but auto-indentation is a keystroke', () => {
    const text = 'if x:\n    y = 1\n';
    const r = simulateTyping(text, () => () => '');
    assert.equal(r.baseline, text.length - 4);
    assert.equal(r.withFull, r.baseline);
    assert.equal(r.withWord, r.baseline);
    assert.equal(savings(r).full, 0);
  });

  it('accepts a matching suggestion with one keystroke (hand-checked)', () => {
    // "hello world": after "h" the oracle suggests "ello"; after "hello" nothing; then the user types " world".
    const text = 'hello world';
    const suggest = (before: string) => (before === 'h' ? 'ello' : '');
    const r = simulateTyping(text, () => suggest);
    // h (1) + Tab (1) + " world" (6) = 8 keystrokes of 11.
    assert.equal(r.baseline, 11);
    assert.equal(r.withFull, 8);
    assert.equal(r.acceptedFull, 1);
    assert.equal(r.shown, 1);
  });

  it('keeps a suggestion on screen while its first characters are typed', () => {
    // At the start the suggestion is "abX" (wrong at the third char): the user types a, b, c; it never matches.
    const text = 'abc';
    const r = simulateTyping(text, () => (b) => (b === '' ? 'abX' : ''));
    assert.equal(r.withFull, 3);
    // One model call: after typing "a" and "b" the rest ("bX", then "X") stays shown; "c" ends the text.
    assert.equal(r.suggestions, 1);
  });

  it('accept-by-word takes the longest whole-word prefix that matches', () => {
    assert.equal(longestWordPrefix('foo.bar(x)', 'foo.baz(x)'), 4);
    assert.equal(longestWordPrefix('value = 1', 'value = 2'), 8);
    assert.equal(longestWordPrefix('abc', 'abd'), 0);
    // After "c" the suggestion is "onst totl": one word accept takes "onst " (the match ends inside "totl").
    const text = 'const total';
    const r = simulateTyping(text, () => (b) => (b === 'c' ? 'onst totl' : ''));
    // c (1) + word "onst " (1) + "total" typed (5) = 7; full accept never matches: 11.
    assert.equal(r.withWord, 7);
    assert.equal(r.withFull, 11);
  });
});

describe('keystroke simulation with a suggester that learns', () => {
  it('gives each pass a fresh suggester, so the second pass cannot recall the text from the first', () => {
    // A "model" that memorises the longest text it was shown and suggests how that text went on.
    const memoriser = () => {
      let seen = '';
      return (before: string) => {
        if (before.length > seen.length) seen = before;
        return seen.startsWith(before) ? seen.slice(before.length, before.length + 5) : '';
      };
    };
    const text = 'abcdefghij klmnopqrst';
    const r = simulateTyping(text, memoriser);
    // Within one pass it has only seen the text up to the cursor, so it never knows what comes next.
    assert.equal(r.withFull, r.baseline);
    assert.equal(r.withWord, r.baseline);
  });
});
