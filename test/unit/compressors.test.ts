import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { conditionalBitsPerChar, type CompressorTool } from '../../src/eval/compressors';

function pseudoRandom(n: number, seed: number): string {
  let s = seed;
  let out = '';
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out += String.fromCharCode(33 + ((s >>> 16) % 90));
  }
  return out;
}

describe('conditionalBitsPerChar', function () {
  this.timeout(60_000);
  const train = 'It was the best of times, it was the worst of times. '.repeat(200) + pseudoRandom(5_000, 1);

  for (const tool of ['xz', 'bzip2', 'ppmd'] as CompressorTool[]) {
    it(`${tool}: text seen in training is cheap, random text is expensive`, async function () {
      const seen = await conditionalBitsPerChar(train, 'It was the best of times, it was the worst of times. '.repeat(20), tool);
      if (typeof seen !== 'number') {
        assert.match(seen.unavailable, new RegExp(`^${tool} not installed`));
        this.skip();
      }
      const random = await conditionalBitsPerChar(train, pseudoRandom(4_000, 2), tool);
      assert.strictEqual(typeof random, 'number');
      assert.ok(seen < 1, `seen text ${seen} bits/char`);
      assert.ok((random as number) > 5.5, `random text ${String(random)} bits/char`);
    });
  }

  it('reports a missing tool instead of throwing', async () => {
    const saved = process.env.PATH;
    process.env.PATH = path.join(__dirname, 'no-such-directory');
    try {
      for (const tool of ['xz', 'bzip2', 'ppmd'] as CompressorTool[]) {
        assert.deepStrictEqual(await conditionalBitsPerChar('a', 'b', tool), { unavailable: `${tool} not installed` });
      }
    } finally {
      process.env.PATH = saved;
    }
  });

  it('leaves no temporary files behind', async () => {
    const before = fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('inkling-compress-')).length;
    await conditionalBitsPerChar('abc'.repeat(100), 'abc', 'xz');
    const after = fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('inkling-compress-')).length;
    assert.ok(after <= before);
  });
});
