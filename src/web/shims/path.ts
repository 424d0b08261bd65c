/**
 * `node:path` in the browser bundle (scripts/build.mjs aliases it here): the posix functions the shared code uses,
 * over the posix paths the browser's PlatformFs maps onto Uris. No `process.cwd()`: relative paths resolve from `/`.
 */
function normalizeParts(parts: string[]): string[] {
  const out: string[] = [];
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..') out.pop();
    else out.push(p);
  }
  return out;
}

export const sep = '/';
export const delimiter = ':';

export function isAbsolute(p: string): boolean {
  return p.startsWith('/');
}

export function normalize(p: string): string {
  const abs = isAbsolute(p);
  const body = normalizeParts(p.split('/')).join('/');
  const trailing = p.endsWith('/') && body !== '' ? '/' : '';
  return (abs ? '/' : '') + (body || (abs ? '' : '.')) + trailing;
}

export function join(...parts: string[]): string {
  const joined = parts.filter((p) => p !== '').join('/');
  return joined === '' ? '.' : normalize(joined);
}

export function resolve(...parts: string[]): string {
  let path = '';
  for (let i = parts.length - 1; i >= 0 && !isAbsolute(path); i--) path = parts[i]! + (path ? `/${path}` : '');
  return `/${normalizeParts(path.split('/')).join('/')}`;
}

export function relative(from: string, to: string): string {
  const a = normalizeParts(resolve(from).split('/'));
  const b = normalizeParts(resolve(to).split('/'));
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return [...Array<string>(a.length - i).fill('..'), ...b.slice(i)].join('/');
}

export function dirname(p: string): string {
  const s = p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
  const i = s.lastIndexOf('/');
  if (i < 0) return '.';
  if (i === 0) return '/';
  return s.slice(0, i);
}

export function basename(p: string, ext?: string): string {
  const s = p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
  const b = s.slice(s.lastIndexOf('/') + 1);
  return ext && b.endsWith(ext) && b !== ext ? b.slice(0, -ext.length) : b;
}

export function extname(p: string): string {
  const b = basename(p);
  const i = b.lastIndexOf('.');
  return i <= 0 || b === '..' ? '' : b.slice(i);
}

type PathModule = {
  sep: string; delimiter: string; isAbsolute: typeof isAbsolute; normalize: typeof normalize; join: typeof join;
  resolve: typeof resolve; relative: typeof relative; dirname: typeof dirname; basename: typeof basename;
  extname: typeof extname; posix: PathModule;
};
const path = { sep, delimiter, isAbsolute, normalize, join, resolve, relative, dirname, basename, extname } as PathModule;
path.posix = path;
export const posix = path;
export default path;
