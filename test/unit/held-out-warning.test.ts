/** The end-of-run warning when the trained model alone loses to the n-gram/match model (issue 12), said as it is. */
import assert from 'node:assert/strict';
import { suggestsWith, worseThanNgramWarning } from '../../src/eval/heldOutComparison';
import type { HeldOutComparison } from '../../src/engine/format';

const figures = (lstm: number, ngram: number, mixed: number): HeldOutComparison =>
  ({ chars: 16384, lstmBitsPerChar: lstm, ngramBitsPerChar: ngram, mixedBitsPerChar: mixed, unknownChars: 0 }) as HeldOutComparison;

describe('end-of-run warning: the trained model against the n-gram/match model', () => {
  it('says nothing when the trained model alone is better', () => {
    assert.equal(worseThanNgramWarning(figures(1.5, 1.9, 1.4)), null);
    assert.equal(worseThanNgramWarning(null), null);
  });

  it('worse alone but helping in the mixture: says so, and that it is used', () => {
    const c = figures(0.559, 0.272, 0.233);
    assert.equal(suggestsWith(c).source, 'mixed');
    assert.match(worseThanNgramWarning(c)!, /alone \(0\.559 .* worse than the n-gram and match model alone \(0\.272\), but mixed with them it helps \(0\.233\), so it joins the suggestions/);
  });

  it('worse alone and no help mixed in: says that suggestions come from the n-gram and match model', () => {
    const c = figures(2.7, 2.1, 2.15);
    assert.equal(suggestsWith(c).source, 'ngram');
    assert.match(worseThanNgramWarning(c)!, /does not help mixed with them \(2\.150\), so suggestions come from the n-gram and match model; train longer/);
  });
});
