/** A tiny untrained LSTM, a workspace sentence and an n-gram builder: what the mixing tests share. */
import { JsKernels } from '../../src/engine/kernels/js';
import { initParams, paramLayout, ParamViews, totalSize } from '../../src/engine/params';
import { Predictor } from '../../src/engine/predictor';
import { Vocabulary } from '../../src/engine/vocab';
import { NGramModel } from '../../src/ngram';

export function mixFixture() {
  const vocab = Vocabulary.fromText('abcdefghijklmnopqrstuvwxyz .\n');
  const config = { cell: 'lstm' as const, layers: 1, units: 16, embeddingSize: 8, dropout: 0, vocabSize: vocab.size };
  const weights = new Float32Array(totalSize(paramLayout(config)));
  initParams(config, new ParamViews(paramLayout(config), weights), 3);
  const lstm = (): Predictor => new Predictor(new JsKernels(), config, weights);
  const workspace = 'the widget factory makes widgets. the widget factory is busy.\n';
  const ngramOf = (text: string): NGramModel => {
    const m = new NGramModel();
    m.add(text);
    return m;
  };
  return { vocab, config, weights, lstm, workspace, ngramOf };
}
