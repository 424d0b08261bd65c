import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  collectCorpus,
  formatReport,
  maskSecrets,
  SECRET_PLACEHOLDER,
  splitByFile,
  type CorpusFile,
  type CorpusReport,
  type SkipReason,
} from '../../src/corpus';
import { readFileBounded } from '../../src/corpus/read';

/** A fixture tree: relative path → content. Directories are created as needed. */
type Tree = Record<string, string | Buffer>;

async function writeTree(root: string, tree: Tree): Promise<void> {
  for (const [rel, content] of Object.entries(tree)) {
    const file = path.join(root, ...rel.split('/'));
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, content);
  }
}

const paths = (r: CorpusReport): string[] => r.files.map((f) => f.path);
const reasonOf = (r: CorpusReport, p: string): SkipReason | undefined => r.skipped.find((s) => s.path === p)?.reason;
const isWindows = process.platform === 'win32';
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/**
 * Fixed random base62/base64 strings, as real secrets look (fake ones; fixed so the tests cannot flake on the
 * rare random string that rule 4 would let through).
 */
const RANDOM = {
  24: 'DjpDCndGWoXykw3TMJeWYZzN',
  32: '3RT2z5jlEJ6yRBuNAhAOyeHrb1JNbIbp',
  35: 'mYzvW4IcnpK2A10iLfkpvtJZUM72crSdzrC',
  36: 'pd4wBCUAH5uVbzpC67w05cFMS6OA8uoeRSna',
  40: 'SZkmldNony3VEHHVQx9y2ZqcBxVJaL5MkngH8pxN',
  43: 'oqoGbejdOxfqyMAQ59GkgCv0gE4Cy6npDfToB8V1JlU',
  48: 'svtlTJSevxfVQTVZxsHhoPKc13JCNHbiA5ER5oCkxclQ9dCf',
  base64: 'IZ4H0/WKz3DV55TLth0SPIEniJw3cr6ouC7oNg67',
} as const;

describe('corpus', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'inkling-corpus-'));
  });
  afterEach(async () => {
    await fs.chmod(dir, 0o700).catch(() => undefined);
    await fs.rm(dir, { recursive: true, force: true });
  });

  describe('collectCorpus', () => {
    it('collects text files with posix paths in a stable order, and counts them', async () => {
      await writeTree(dir, { 'b.ts': 'let b = 2;\n', 'a.md': '# A\n', 'src/deep/c.py': 'print(1)\n' });
      const report = await collectCorpus(dir);
      assert.deepEqual(report.roots, [dir]);
      assert.deepEqual(paths(report), ['a.md', 'b.ts', 'src/deep/c.py']);
      assert.equal(report.totalChars, 4 + 11 + 9);
      assert.equal(report.totalBytes, 24);
      assert.equal(report.truncated, false);
      assert.equal(report.files[2]?.root, dir);
      assert.deepEqual(await collectCorpus(dir), report, 'same tree, same report');
    });

    it('applies include and exclude globs and the built-in excludes', async () => {
      await writeTree(dir, {
        'src/a.ts': 'a', 'src/b.js': 'b', 'docs/guide.ts': 'g', 'README.md': 'r',
        'node_modules/x/index.ts': 'x', 'pkg/node_modules/y.ts': 'y', 'dist/out.ts': 'o', '.git/config.ts': 'c',
        'package-lock.json': '{}', 'yarn.lock': '', 'src/a.js.map': '{}', 'src/lib.min.js': 'x', 'src/s.min.css': 'x',
      });
      const report = await collectCorpus(dir, { include: ['**/*.ts', '**/*.js'], exclude: ['docs'] });
      assert.deepEqual(paths(report), ['src/a.ts', 'src/b.js']);
      assert.equal(reasonOf(report, 'docs/'), 'excluded');
      assert.equal(reasonOf(report, 'README.md'), 'excluded', 'matches no include glob');
      assert.equal(reasonOf(report, 'src/lib.min.js'), 'generated');
      for (const d of ['node_modules/', 'pkg/node_modules/', 'dist/', '.git/']) assert.equal(reasonOf(report, d), 'excluded', d);
      // A directory excluded by name is reported once, never entered.
      assert.equal(report.skipped.some((s) => s.path.startsWith('node_modules/x')), false);

      const defaults = await collectCorpus(dir);
      assert.deepEqual(paths(defaults), ['README.md', 'docs/guide.ts', 'src/a.ts', 'src/b.js']);
      for (const f of ['package-lock.json', 'yarn.lock', 'src/a.js.map', 'src/lib.min.js', 'src/s.min.css']) {
        assert.equal(reasonOf(defaults, f), 'generated', f);
      }
    });

    it('applies nested .gitignore files relative to their directory, and .git/info/exclude', async () => {
      await writeTree(dir, {
        '.gitignore': '*.log\n/top-only.txt\nbuild-out/\n',
        '.git/info/exclude': 'private-notes.md\n',
        'a.log': 'x', 'top-only.txt': 'x', 'private-notes.md': 'x', 'keep.txt': 'k',
        'build-out/gen.txt': 'x',
        'sub/.gitignore': '!keep.log\nlocal.txt\n/anchored.txt\n',
        'sub/keep.log': 'kept by negation', 'sub/other.log': 'x', 'sub/local.txt': 'x', 'sub/top-only.txt': 'kept',
        'sub/anchored.txt': 'x', 'sub/deeper/anchored.txt': 'kept: anchored to sub/', 'local.txt': 'kept: rule is in sub/',
      });
      const report = await collectCorpus(dir);
      assert.deepEqual(paths(report), [
        '.gitignore', 'keep.txt', 'local.txt', 'sub/.gitignore', 'sub/deeper/anchored.txt', 'sub/keep.log', 'sub/top-only.txt',
      ]);
      for (const p of ['a.log', 'top-only.txt', 'private-notes.md', 'build-out/', 'sub/other.log', 'sub/local.txt', 'sub/anchored.txt']) {
        assert.equal(reasonOf(report, p), 'ignored', p);
      }
      assert.match(report.skipped.find((s) => s.path === 'sub/local.txt')?.detail ?? '', /sub\/\.gitignore: local\.txt/);
      const all = await collectCorpus(dir, { respectGitignore: false });
      assert.ok(paths(all).includes('a.log') && paths(all).includes('build-out/gen.txt'));
    });

    it('skips binary files (NUL byte, binary extension, UTF-16) and invalid UTF-8', async () => {
      await writeTree(dir, {
        'nul.txt': Buffer.from('hello\0world'),
        'image.png': 'looks like text but is named .png',
        'utf16.txt': Buffer.from('\ufeffhi', 'utf16le'),
        'latin1.txt': Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]),
        'broken.txt': Buffer.from([0xc3, 0x28]),
        'ok.txt': 'café ☕\n',
      });
      const report = await collectCorpus(dir);
      assert.deepEqual(paths(report), ['ok.txt']);
      assert.equal(report.files[0]?.text, 'café ☕\n');
      assert.equal(reasonOf(report, 'nul.txt'), 'binary');
      assert.equal(reasonOf(report, 'image.png'), 'binary');
      assert.equal(reasonOf(report, 'utf16.txt'), 'not-utf8');
      assert.equal(reasonOf(report, 'latin1.txt'), 'not-utf8');
      assert.equal(reasonOf(report, 'broken.txt'), 'not-utf8');
    });

    it('skips minified files but keeps prose with one paragraph per line', async () => {
      const minified = Array.from({ length: 800 }, (_, i) => `function f${i}(a,b){return a+b*${i}}`).join(';');
      const paragraph = 'The quick brown fox jumps over the lazy dog, and then it rests a while. '.repeat(90);
      await writeTree(dir, {
        'app.js': minified,
        'bundle.css': '.a{color:red}'.repeat(2000),
        'essay.md': `# Essay\n\n${paragraph}\n\n${paragraph}\n`,
        'normal.js': 'function add(a, b) {\n  return a + b;\n}\n'.repeat(200),
      });
      const report = await collectCorpus(dir);
      assert.deepEqual(paths(report), ['essay.md', 'normal.js']);
      assert.equal(reasonOf(report, 'app.js'), 'minified');
      assert.equal(reasonOf(report, 'bundle.css'), 'minified');
    });

    it('skips files over maxFileBytes without reading them, and reports Go-generated files', async () => {
      await writeTree(dir, {
        'big.txt': 'x'.repeat(2000),
        'small.txt': 'y'.repeat(1000),
        'gen.go': '// Code generated by protoc-gen-go. DO NOT EDIT.\npackage x\n',
      });
      const report = await collectCorpus(dir, { maxFileBytes: 1000 });
      assert.deepEqual(paths(report), ['small.txt']);
      assert.equal(reasonOf(report, 'big.txt'), 'too-large');
      assert.equal(reasonOf(report, 'gen.go'), 'generated');
    });

    it('keeps a deterministic, seed-dependent sample when the byte cap is hit', async () => {
      const tree: Tree = {};
      for (let i = 0; i < 60; i++) tree[`f${String(i).padStart(2, '0')}.txt`] = `${i}`.padEnd(1000, '.');
      await writeTree(dir, tree);
      const a = await collectCorpus(dir, { maxTotalBytes: 10_000 });
      const b = await collectCorpus(dir, { maxTotalBytes: 10_000 });
      assert.equal(a.files.length, 10);
      assert.equal(a.totalBytes, 10_000);
      assert.equal(a.skippedCounts['over-cap'], 50);
      assert.equal(a.truncated, true);
      assert.deepEqual(paths(a), paths(b), 'same tree + options, same sample');
      assert.notDeepEqual(paths(a), Object.keys(tree).slice(0, 10), 'a hash sample, not the first files by path');
      assert.deepEqual(paths(a), [...paths(a)].sort(), 'kept files are reported in path order');
      const other = await collectCorpus(dir, { maxTotalBytes: 10_000, seed: 7 });
      assert.notDeepEqual(paths(other), paths(a), 'another seed, another sample');
      assert.match(formatReport(a), /Truncated/);
    });

    it('bounds the walk with maxFiles', async () => {
      const tree: Tree = {};
      for (let i = 0; i < 30; i++) tree[`d${i % 3}/f${i}.txt`] = 'x';
      await writeTree(dir, tree);
      const report = await collectCorpus(dir, { maxFiles: 12 });
      assert.equal(report.truncated, true);
      assert.ok(report.files.length <= 12 && report.files.length > 0);
      assert.deepEqual(paths(await collectCorpus(dir, { maxFiles: 12 })), paths(report));
    });

    it('never reads files that commonly hold secrets', async () => {
      const secretFiles = [
        '.env', '.env.local', 'config/.env.production', 'id_rsa', 'id_ed25519.pub', 'server.pem', 'tls.key', 'cert.p12',
        'credentials.json', 'secrets.yaml', '.npmrc', '.netrc', '.pypirc', 'app.keystore', 'data.sqlite', 'app.db', '.htpasswd',
      ];
      const tree: Tree = { 'main.ts': 'export {};\n' };
      for (const f of secretFiles) tree[f] = `SECRET_IN_${f}`;
      await writeTree(dir, tree);
      const report = await collectCorpus(dir);
      assert.deepEqual(paths(report), ['main.ts']);
      for (const f of secretFiles) assert.equal(reasonOf(report, f), 'secret', f);
      assert.equal(report.skippedCounts.secret, secretFiles.length);
      assert.ok(!JSON.stringify(report).includes('SECRET_IN_'));
      const unsafe = await collectCorpus(dir, { excludeSecrets: false });
      assert.ok(paths(unsafe).includes('.env'));
    });

    it('reads source code named like a secrets file (code about secrets), still masking tokens in it', async () => {
      await writeTree(dir, { 'src/secrets.ts': 'export const mask = (s: string) => s;\n', 'credentials.py': 'def load(): pass\n', 'secrets.yaml': 'SECRET' });
      const report = await collectCorpus(dir);
      assert.deepEqual(paths(report), ['credentials.py', 'src/secrets.ts']);
      assert.equal(reasonOf(report, 'secrets.yaml'), 'secret');
    });

    it('masks planted keys so that none appears anywhere in the collected text', async () => {
      const planted = {
        aws: 'AKIA' + 'QWERTYUIOPASDFGH',
        github: 'ghp_' + RANDOM[36],
        slack: 'xoxb-' + '123456789012-abcdefABCDEF',
        google: 'AIza' + RANDOM[35],
        jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.' + RANDOM[43],
        password: 'pa55-w0rd!x',
        apiKey: RANDOM[32],
        entropy: RANDOM[40],
        keyBody: 'MIIEpAIBAAKCAQEA' + RANDOM[48],
      };
      const source = [
        `const aws = "${planted.aws}";`,
        `export const GITHUB = '${planted.github}';`,
        `slack(${JSON.stringify(planted.slack)});`,
        `const maps = { key: "${planted.google}" };`,
        `// Authorization: Bearer ${planted.jwt}`,
        `db.password = "${planted.password}";`,
        `API_KEY=${planted.apiKey}`,
        `const blob = '${planted.entropy}';`,
        '-----BEGIN RSA PRIVATE KEY-----',
        planted.keyBody,
        'abcdefghABCDEFGH0123456789+/abcdefghABCDEFGH0123456789+/==',
        '-----END RSA PRIVATE KEY-----',
        'const ordinary = getElementsByTagName("src/components/Widget2.tsx", "#ff00aa", "3f0e0d4");',
      ].join('\n');
      await writeTree(dir, { 'config.ts': source, 'notes/readme.md': `deploy with ${planted.github}\n` });
      const report = await collectCorpus(dir);
      assert.deepEqual(paths(report), ['config.ts', 'notes/readme.md']);
      const everything = JSON.stringify(report);
      for (const [name, value] of Object.entries(planted)) assert.ok(!everything.includes(value), `${name} leaked`);
      assert.equal(report.maskedSecrets, 10);
      const config = report.files[0]?.text ?? '';
      assert.ok(config.includes(`db.password = "${SECRET_PLACEHOLDER}";`));
      assert.ok(config.includes('getElementsByTagName("src/components/Widget2.tsx", "#ff00aa", "3f0e0d4")'));
    });

    it('reports symbolic links without following them (no loop)', async function () {
      if (isWindows) this.skip();
      await writeTree(dir, { 'a/file.txt': 'real' });
      await fs.symlink('..', path.join(dir, 'a', 'loop'));
      await fs.symlink('file.txt', path.join(dir, 'a', 'alias.txt'));
      await fs.symlink('missing', path.join(dir, 'dangling'));
      const report = await collectCorpus(dir);
      assert.deepEqual(paths(report), ['a/file.txt']);
      for (const p of ['a/loop', 'a/alias.txt', 'dangling']) assert.equal(reasonOf(report, p), 'symlink', p);
    });

    it('follows a root that is itself a link to a directory', async function () {
      if (isWindows) this.skip();
      await writeTree(dir, { 'real/x.txt': 'x' });
      await fs.symlink(path.join(dir, 'real'), path.join(dir, 'link'));
      const report = await collectCorpus(path.join(dir, 'link'));
      assert.deepEqual(paths(report), ['x.txt']);
    });

    it('reports unreadable directories and files, and never blocks on a FIFO', async function () {
      if (isWindows) this.skip();
      await writeTree(dir, { 'ok.txt': 'ok', 'locked/x.txt': 'x', 'locked-file.txt': 'x' });
      execFileSync('mkfifo', [path.join(dir, 'pipe')]);
      if (!isRoot) {
        await fs.chmod(path.join(dir, 'locked'), 0o000);
        await fs.chmod(path.join(dir, 'locked-file.txt'), 0o000);
      }
      try {
        const report = await collectCorpus(dir);
        assert.equal(reasonOf(report, 'pipe'), 'unreadable');
        if (!isRoot) {
          assert.deepEqual(paths(report), ['ok.txt']);
          assert.equal(reasonOf(report, 'locked/'), 'unreadable');
          assert.equal(reasonOf(report, 'locked-file.txt'), 'unreadable');
          assert.match(report.skipped.find((s) => s.path === 'locked-file.txt')?.detail ?? '', /EACCES|EPERM/);
        }
      } finally {
        await fs.chmod(path.join(dir, 'locked'), 0o700);
      }
    });

    it('reads files whole within limits and classifies failures: vanished, link, FIFO', async function () {
      assert.deepEqual(await readFileBounded(path.join(dir, 'gone.txt'), 100, Infinity), {
        kind: 'failed', reason: 'vanished', detail: 'ENOENT',
      });
      await writeTree(dir, { 'f.txt': '0123456789' });
      assert.deepEqual(await readFileBounded(path.join(dir, 'f.txt'), 5, Infinity), { kind: 'too-large', size: 10 });
      assert.deepEqual(await readFileBounded(path.join(dir, 'f.txt'), 100, 5), { kind: 'over-budget', size: 10 });
      const ok = await readFileBounded(path.join(dir, 'f.txt'), 10, Infinity);
      assert.equal(ok.kind === 'ok' && ok.bytes.toString(), '0123456789');
      const big = Buffer.alloc(40_000, 'a');
      await writeTree(dir, { 'big.txt': big });
      const whole = await readFileBounded(path.join(dir, 'big.txt'), 40_000, Infinity);
      assert.ok(whole.kind === 'ok' && whole.bytes.equals(big));
      assert.deepEqual(await readFileBounded(path.join(dir, 'big.txt'), 39_999, Infinity), { kind: 'too-large', size: 40_000 });
      assert.deepEqual(await readFileBounded(path.join(dir, 'big.txt'), 50_000, 100), { kind: 'over-budget', size: 40_000 });
      if (isWindows) return;
      await fs.symlink('f.txt', path.join(dir, 'link.txt'));
      const link = await readFileBounded(path.join(dir, 'link.txt'), 100, Infinity);
      assert.equal(link.kind === 'failed' && link.reason, 'symlink');
      execFileSync('mkfifo', [path.join(dir, 'fifo')]);
      // A FIFO can only appear here by replacing a listed file; opening it must not block, and yields nothing.
      const fifo = await readFileBounded(path.join(dir, 'fifo'), 100, Infinity);
      assert.ok(fifo.kind === 'failed' || (fifo.kind === 'ok' && fifo.bytes.length === 0), JSON.stringify(fifo));
    });

    it('gives an empty report for an empty folder', async () => {
      const report = await collectCorpus(dir);
      assert.deepEqual(report.files, []);
      assert.equal(report.totalChars, 0);
      assert.equal(report.truncated, false);
      assert.ok(Object.values(report.skippedCounts).every((n) => n === 0));
      assert.match(formatReport(report), /0 files/);
    });

    it('rejects a missing root, or a file given as root, with an error naming it', async () => {
      const missing = path.join(dir, 'nope');
      await assert.rejects(collectCorpus(missing), (e: Error) => e.message.includes(missing) && /does not exist/.test(e.message));
      await writeTree(dir, { 'file.txt': 'x' });
      await assert.rejects(collectCorpus(path.join(dir, 'file.txt')), /not a directory/);
      await assert.rejects(collectCorpus([dir, missing]), (e: Error) => e.message.includes(missing));
    });

    it('validates options', async () => {
      await assert.rejects(collectCorpus(dir, { maxFileBytes: -1 }), RangeError);
      await assert.rejects(collectCorpus(dir, { include: [''] }), TypeError);
    });

    it('rejects with an AbortError when aborted, before or during the scan', async () => {
      const before = new AbortController();
      before.abort();
      await assert.rejects(collectCorpus(dir, { signal: before.signal }), { name: 'AbortError' });

      const tree: Tree = {};
      for (let i = 0; i < 3000; i++) tree[`d${i % 30}/f${i}.txt`] = `file ${i}\n`;
      await writeTree(dir, tree);
      const during = new AbortController();
      const started = performance.now();
      const promise = collectCorpus(dir, { signal: during.signal });
      setTimeout(() => during.abort(), 5);
      await assert.rejects(promise, (e: Error) => e.name === 'AbortError' && (e as { code?: string }).code === 'ABORT_ERR');
      assert.ok(performance.now() - started < 2000, 'promptly');
    });

    it('collects several roots, keeping same-named files apart, and a nested root once', async () => {
      const one = path.join(dir, 'one');
      const two = path.join(dir, 'two');
      await writeTree(dir, { 'one/a.txt': 'one', 'one/inner/b.txt': 'b', 'two/a.txt': 'two', 'two/.env': 'S=1' });
      const report = await collectCorpus([one, two, one, path.join(one, 'inner')]);
      assert.deepEqual(report.roots, [one, two, path.join(one, 'inner')]);
      assert.deepEqual(
        report.files.map((f) => [f.root, f.path, f.text]),
        [[one, 'a.txt', 'one'], [two, 'a.txt', 'two'], [path.join(one, 'inner'), 'b.txt', 'b']],
      );
      assert.deepEqual(report.skipped.map((s) => [s.root, s.path, s.reason]), [[two, '.env', 'secret']]);
      assert.match(formatReport(report), /3 roots/);
    });

    it('normalises CRLF and lone CR to LF and strips a BOM', async () => {
      await writeTree(dir, { 'win.txt': Buffer.from('\ufeffline1\r\nline2\r\nold\rmac\n', 'utf8') });
      const report = await collectCorpus(dir);
      assert.equal(report.files[0]?.text, 'line1\nline2\nold\nmac\n');
      assert.equal(report.files[0]?.bytes, 25);
    });

    it('scans 100,000 tiny files in bounded time', async function () {
      this.timeout(300_000);
      const dirs = 100;
      const perDir = 1000;
      const t0 = performance.now();
      for (let d = 0; d < dirs; d++) {
        const sub = path.join(dir, `pkg${d}`);
        await fs.mkdir(sub);
        const writes: Promise<void>[] = [];
        for (let f = 0; f < perDir; f++) writes.push(fs.writeFile(path.join(sub, `m${f}.ts`), `export const v${f} = ${d};\n`));
        await Promise.all(writes);
      }
      const t1 = performance.now();
      const report = await collectCorpus(dir);
      const t2 = performance.now();
      const mem = process.memoryUsage();
      console.log(
        `      100,000 files: fixture ${((t1 - t0) / 1000).toFixed(1)} s, collectCorpus ${((t2 - t1) / 1000).toFixed(2)} s, ` +
          `${report.totalChars.toLocaleString('en-US')} chars, heap ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB`,
      );
      assert.equal(report.files.length, dirs * perDir);
      assert.equal(report.truncated, false);
      assert.ok(t2 - t1 < 60_000, `took ${((t2 - t1) / 1000).toFixed(1)} s`);
    });
  });

  describe('maskSecrets', () => {
    it('leaves ordinary code, paths, colours, hashes and UUIDs alone', () => {
      const text = [
        'const ThisIsAVeryLongIdentifierName2 = createElementNamespaceResolver();',
        'import x from "../../src/components/widgets/SomeWidget2.tsx";',
        'color: #ff00aa; background: #FFF;',
        'commit 3f0e0d4e92e235796ccb17f6e85c72094a651f49 and 3f0e0d4',
        'id 123e4567-e89b-12d3-a456-426614174000',
        'password: string; tokenType = "identifier"; ID_TOKEN = "id_token"; secretName = "db-pass-1"',
        'const token = process.env.TOKEN; password = "${PASSWORD}"; api_key: "<your key here>"',
        '"jsonwebtoken": "^9.0.0", path ../lib/node_modules/typescript/lib/tsserver.js',
        'conv3dBackpropFilterV2Config DepthwiseConv2dNativeBackpropInput',
      ].join('\n');
      assert.deepEqual(maskSecrets(text), { text, count: 0 });
    });

    it('masks each documented shape and is idempotent', () => {
      const cases = [
        'AKIA' + 'ABCDEFGHIJKLMNOP',
        'ghp_' + 'a1'.repeat(18),
        'github_pat_' + '11ABCDEFG0123456789_abcdefghijklmnop',
        'xoxp-' + '1234-5678-abcdef',
        'AIza' + 'SyA-1234567890abcdefghijklmnopqrstu',
        'sk_live_' + '4eC39HqLyjWDarjtT1zdp7dc',
        'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcDEF123_-x',
        RANDOM[24],
        RANDOM.base64,
      ];
      for (const c of cases) {
        const masked = maskSecrets(`value ${c} end`);
        assert.equal(masked.text, `value ${SECRET_PLACEHOLDER} end`, c);
        assert.equal(masked.count, 1, c);
        assert.deepEqual(maskSecrets(masked.text), { text: masked.text, count: 0 });
      }
      assert.equal(maskSecrets('client_secret: "abc123XYZ"').text, `client_secret: "${SECRET_PLACEHOLDER}"`);
      assert.equal(maskSecrets('export DB_PASSWORD=hunter22').text, `export DB_PASSWORD=${SECRET_PLACEHOLDER}`);
      const pem = '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg\n-----END EC PRIVATE KEY-----\nnext';
      assert.deepEqual(maskSecrets(pem), { text: `${SECRET_PLACEHOLDER}\nnext`, count: 1 });
      const unterminated = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n\nconst after = 1;';
      assert.equal(maskSecrets(unterminated).text, `${SECRET_PLACEHOLDER}\n\nconst after = 1;`);
    });
  });

  describe('splitByFile', () => {
    const file = (p: string, text = `text of ${p}\n`): CorpusFile => ({ root: 'workspace', path: p, text, bytes: text.length });
    const files = Array.from({ length: 200 }, (_, i) => file(`src/f${i}.ts`));

    it('is deterministic, disjoint, complete, and close to the fraction', () => {
      const a = splitByFile(files, 0.1, 3);
      assert.deepEqual(splitByFile(files, 0.1, 3), a);
      const trainPaths = new Set(a.train.map((f) => f.path));
      assert.ok(a.validation.every((f) => !trainPaths.has(f.path)));
      assert.equal(a.train.length + a.validation.length, files.length);
      assert.ok(a.validation.length >= 8 && a.validation.length <= 35, `${a.validation.length} validation files`);
      assert.notDeepEqual(splitByFile(files, 0.1, 4).validation, a.validation, 'seed matters');
    });

    it('keeps each file on its side when other files come and go', () => {
      const a = splitByFile(files, 0.2);
      const b = splitByFile(files.slice(50), 0.2);
      const inA = new Set(a.validation.map((f) => f.path));
      for (const f of b.validation) assert.ok(inA.has(f.path));
      for (const f of b.train) assert.ok(!inA.has(f.path));
    });

    it('always holds out something: two files, the tail of a small single file, blocks spread over a large one', () => {
      const two = splitByFile([file('a'), file('b')], 0.01);
      assert.equal(two.train.length, 1);
      assert.equal(two.validation.length, 1);
      const text = 'abcdefghij'.repeat(10);
      const single = splitByFile([file('only.txt', text)], 0.1);
      assert.deepEqual(single.train.map((f) => [f.path, f.text]), [['only.txt', text.slice(0, 90)]]);
      assert.deepEqual(single.validation.map((f) => [f.path, f.text]), [['only.txt#tail', text.slice(90)]]);
      assert.deepEqual(splitByFile([], 0.1), { train: [], validation: [] });
      // A large single file: held-out blocks spread over it, at line ends, the rest trained on, nothing lost.
      const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i}: ${'xyz'.repeat(i % 7)}`).join('\n');
      const big = splitByFile([file('play.txt', lines)], 0.1);
      const pieces = [...big.train, ...big.validation].sort((x, y) => lines.indexOf(x.text) - lines.indexOf(y.text));
      assert.equal(pieces.map((f) => f.text).join(''), lines, 'the pieces are the file, in order, without overlap');
      const held = big.validation.reduce((n, f) => n + f.text.length, 0) / lines.length;
      assert.ok(held > 0.09 && held < 0.11, `held out ${held}`);
      assert.ok(big.validation.length >= 10 && big.validation.every((f, i) => f.path === `play.txt#heldout-${i + 1}`));
      assert.ok(lines.indexOf(big.validation[0]!.text) < lines.length * 0.15, 'validation starts early in the file');
      assert.ok(big.train.some((f) => lines.indexOf(f.text) > lines.length * 0.85), 'and training covers its end region');
      assert.ok(big.train.every((f) => f.path === 'play.txt'));
      for (const f of [...big.train, ...big.validation]) assert.ok(lines.indexOf(f.text) === 0 || lines[lines.indexOf(f.text) - 1] === '\n');
      assert.deepEqual(splitByFile(files, 0).validation, []);
      assert.throws(() => splitByFile(files, 1), RangeError);
    });
  });
});
