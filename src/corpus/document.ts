/**
 * Whether an open document may feed the completion models, by the rules training applies to the workspace's files
 * (`collectCorpus`): the include/exclude globs, `.gitignore` files (and `.git/info/exclude`) from its root down,
 * the built-in exclusions (dependency folders, secret, generated and binary file names), the file size cap, and
 * the content checks (binary, not UTF-8, generated markers, minified). Documents outside every root (and untitled
 * ones) are judged by their name and content only. Secrets inside a kept document are masked by the caller.
 */
import nodePath from 'node:path';
import { nodeCorpusFs, platformCorpusFs, utf8, type CorpusFs } from './fs';
import { readInfoExclude } from './collect';
import { classifyContent } from './classify';
import { DEFAULT_INCLUDE, DEFAULT_MAX_FILE_BYTES } from './defaults';
import { judgeByName, makeNameRules, type Verdict } from './filters';
import { addIgnoreLevel, levelsFor, type IgnoreLevel } from './gitignore';
import type { CorpusOptions } from './types';

const MAX_GITIGNORE_BYTES = 1024 * 1024;

async function readGitignore(fs: CorpusFs, dir: string): Promise<string | undefined> {
  const read = await fs.readBounded(nodePath.join(dir, '.gitignore'), MAX_GITIGNORE_BYTES, Infinity);
  return read.kind === 'ok' ? utf8(read.bytes) : undefined;
}

/**
 * @param file the document's absolute path (undefined for an untitled document)
 * @returns why training would skip it, or undefined when it would read it
 */
export async function judgeDocument(roots: readonly string[], options: CorpusOptions, file: string | undefined, text: string): Promise<Verdict | undefined> {
  const rules = makeNameRules(options.include ?? DEFAULT_INCLUDE, options.exclude ?? [], options.excludeSecrets ?? true);
  const respectGitignore = options.respectGitignore ?? true;
  const fs = options.fs ? platformCorpusFs(options.fs) : nodeCorpusFs;
  if (file !== undefined) {
    const abs = nodePath.resolve(file);
    const root = roots.map((r) => nodePath.resolve(r)).find((r) => {
      const rel = nodePath.relative(r, abs);
      return rel !== '' && !rel.startsWith('..') && !nodePath.isAbsolute(rel);
    });
    if (root === undefined) {
      const name = nodePath.basename(abs);
      const v = judgeByName(rules, [], name, name, 'file');
      // Globs are written for the workspace's paths: outside it only the built-in rules by name apply.
      if (v && !(v.reason === 'excluded' && v.detail !== undefined && !v.detail.startsWith('built-in'))) return v;
    } else {
      const parts = nodePath.relative(root, abs).split(nodePath.sep);
      let chain: IgnoreLevel | undefined = respectGitignore ? await readInfoExclude(root, fs) : undefined;
      let dir = '';
      for (let i = 0; i < parts.length; i++) {
        if (respectGitignore) {
          const ignoreText = await readGitignore(fs, nodePath.join(root, dir));
          if (ignoreText !== undefined) chain = addIgnoreLevel(chain, dir, dir === '' ? '.gitignore' : `${dir}/.gitignore`, ignoreText);
        }
        const levels = respectGitignore ? levelsFor(chain, dir) : [];
        const name = parts[i]!;
        const path = dir === '' ? name : `${dir}/${name}`;
        const v = judgeByName(rules, levels, path, name, i + 1 < parts.length ? 'dir' : 'file');
        if (v) return v;
        dir = path;
      }
    }
  }
  const bytes = new TextEncoder().encode(text);
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  if (bytes.length > maxFileBytes) return { reason: 'too-large', detail: `${bytes.length} bytes > maxFileBytes ${maxFileBytes}` };
  const content = classifyContent(bytes);
  return content.kind === 'skip' ? { reason: content.reason, detail: content.detail } : undefined;
}
