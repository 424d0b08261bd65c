// The browser bundles' `node:path` (src/web/shims/path.ts) agrees with Node's path.posix on the paths Inkling makes.
import assert from 'node:assert/strict';
import path from 'node:path';
import shim from '../../src/web/shims/path';

describe('the browser bundles\' node:path shim', () => {
  const paths = ['/', '/a', '/a/b/', '/a//b/./c/..', '/.inkling-storage/model', '/ws/src/x.min.js', '/ws/.gitignore', 'a/b', '/a/b/../../..'];
  it('join, resolve, relative, dirname, basename, extname, normalize, isAbsolute', () => {
    for (const p of paths) {
      for (const q of ['x', '../y', 'inkling.json', '.git/info/exclude']) {
        assert.equal(shim.join(p, q), path.posix.join(p, q), `join(${p}, ${q})`);
        if (p.startsWith('/')) assert.equal(shim.resolve(p, q), path.posix.resolve(p, q), `resolve(${p}, ${q})`);
      }
      if (p.startsWith('/')) {
        for (const q of ['/', '/a', '/a/b/c', '/ws/src']) assert.equal(shim.relative(p, q), path.posix.relative(p, q), `relative(${p}, ${q})`);
        assert.equal(shim.resolve(p), path.posix.resolve(p));
      }
      assert.equal(shim.dirname(p), path.posix.dirname(p), `dirname(${p})`);
      assert.equal(shim.basename(p), path.posix.basename(p), `basename(${p})`);
      assert.equal(shim.extname(p), path.posix.extname(p), `extname(${p})`);
      assert.equal(shim.normalize(p), path.posix.normalize(p), `normalize(${p})`);
      assert.equal(shim.isAbsolute(p), path.posix.isAbsolute(p));
    }
    assert.equal(shim.posix, shim);
    assert.equal(shim.sep, '/');
  });
});
