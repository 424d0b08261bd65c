/**
 * Secrets: which files are never read, and how secret-looking tokens inside kept text are masked.
 *
 * Masking rules, applied in this order; each match becomes {@link SECRET_PLACEHOLDER} and counts once:
 *
 * 1. Private-key blocks: `-----BEGIN … PRIVATE KEY-----` (RSA, EC, OPENSSH, ENCRYPTED, PGP … BLOCK) through the
 *    matching `-----END … PRIVATE KEY-----` when one follows within 16,000 characters; otherwise the header and
 *    the base64 lines right after it. Works on real line breaks and on `\n` escapes inside string literals.
 * 2. Known token shapes, as whole words: AWS access key ids (`AKIA`/`ASIA`/… + 16 upper-case alphanumerics),
 *    GitHub tokens (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_` + 36 or more, `github_pat_` + 22 or more), GitLab
 *    `glpat-`, Slack `xox[abposr]-`, Google API keys (`AIza` + 35), Stripe `sk_live_`/`rk_test_`/…, npm `npm_`,
 *    JWTs (`eyJ…` `.` `eyJ…` `.` signature).
 * 3. Assignments whose name *ends* in password, passwd, pwd, secret, token, api_key/apikey/api-key, access_key,
 *    secret_key, private_key or client_secret (any case, any prefix: `DB_PASSWORD`, `githubToken`, `"api_key"`),
 *    followed by `=`, `:`, `:=` or `==`, then a value of 6–256 characters without whitespace, quoted or (on a
 *    line of its own: `.env`, YAML, INI style) bare. The value is masked, keeping the name and the quotes, only
 *    when it holds a digit or a symbol other than `_ . -`: word-like values are names, not secrets
 *    (`ID_TOKEN: "id_token"`, `password: string`, `token = settings.TOKEN`). Also left alone: templates and
 *    placeholders (starting with `$`, `{`, `<`, `%`; runs of `*`, `x` or `.`), paths (starting with `/`) and
 *    version ranges (`"jsonwebtoken": "^9.0.0"`). Names such as `tokenType` or `secretName` do not end in a
 *    keyword and never match.
 * 4. High-entropy tokens: maximal runs of `[A-Za-z0-9+/=_-]` at least 24 long that contain an upper-case
 *    letter, a lower-case letter and a digit, whose Shannon entropy is at least 4.0 bits per character, and
 *    whose letters and digits split into short pieces: the run is cut into words (`[A-Z][a-z]+`, `[a-z]+`,
 *    `[A-Z]+`, `[0-9]+`) and the mean word length must be under 3.0. Random base62/base64 averages about 2.2
 *    (over 99% of random 24-character tokens are caught); camelCase identifiers and paths average 4 to 6.
 *    Hex (colour codes, git hashes, UUIDs) never matches: it lacks upper- or lower-case letters (and carries
 *    at most 4.0 bits per character); colour codes and short hashes are also under 24 characters. Measured on 72 MB of JavaScript, TypeScript and Markdown, the false positives were URLs that
 *    embed a commit hash or document id (masked whole) and a handful of generated names.
 */
import picomatch from 'picomatch';

/** What masked tokens are replaced with. Contains no character a masking rule matches, so masking is idempotent. */
export const SECRET_PLACEHOLDER = '«secret»';

/** Basename globs (case-insensitive) of files that commonly hold secrets → `'secret'`, never read. */
export const SECRET_FILE_GLOBS: readonly string[] = [
  '.env', '.env.*', '*.env',
  '*.pem', '*.key', '*.p12', '*.pfx', '*.keystore', '*.jks',
  'id_rsa*', 'id_dsa*', 'id_ecdsa*', 'id_ed25519*',
  '.npmrc', '.pypirc', '.netrc', '_netrc', '.htpasswd',
  'credentials*', 'secrets.*',
  '*.sqlite', '*.sqlite3', '*.db',
];

const isSecretName = picomatch(SECRET_FILE_GLOBS as string[], { dot: true, nocase: true });

/**
 * Source code named like a secrets file (`secrets.ts`, `credentials.py`) is code about secrets, not a secret
 * store: it is read (and its text still goes through {@link maskSecrets}).
 */
const SOURCE_NAMED_LIKE_SECRETS = /^(?:credentials|secrets)[^/]*\.(?:[cm]?[jt]sx?|py|go|rs|java|kt|cs|c|cc|cpp|h|hpp|rb|php|swift|scala|md)$/i;

/** True when a file with this basename must not be read while `excludeSecrets` is on. */
export function isSecretFileName(basename: string): boolean {
  return isSecretName(basename) && !SOURCE_NAMED_LIKE_SECRETS.test(basename);
}

const NL = String.raw`(?:\r?\n|\\n)`;
const PRIVATE_KEY_BLOCK = new RegExp(
  String.raw`-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----` +
    String.raw`(?:[\s\S]{0,16000}?-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----` +
    String.raw`|(?:(?:${NL}[ \t]*)+(?:[A-Za-z0-9+/=]{16,}|[A-Za-z-]+: [^\r\n\\]*))*)`,
  'g',
);

const W = String.raw`[A-Za-z0-9_]`;
const TOKEN_SHAPES = new RegExp(
  String.raw`(?<!${W})(?:` +
    [
      String.raw`(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|APKA|AROA|ASCA)[A-Z0-9]{16}`,
      String.raw`gh[pousr]_[A-Za-z0-9]{36,251}`,
      String.raw`github_pat_[A-Za-z0-9_]{22,255}`,
      String.raw`glpat-[A-Za-z0-9_-]{20,}`,
      String.raw`xox[abposr]-[A-Za-z0-9-]{10,}`,
      String.raw`AIza[0-9A-Za-z_-]{35}`,
      String.raw`(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}`,
      String.raw`npm_[A-Za-z0-9]{36}`,
      String.raw`eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*`,
    ].join('|') +
    String.raw`)(?![A-Za-z0-9_-])`,
  'g',
);

const KEYWORD = String.raw`(?:passw(?:or)?d|pwd|secret|token|api[_-]?key|access[_-]?key|secret[_-]?key|private[_-]?key)`;
const NAME = String.raw`(?<![A-Za-z0-9_.-])[A-Za-z0-9_.-]{0,60}?${KEYWORD}`;
/** `name = "value"`: groups 1 = everything up to the opening quote, 2 = quote, 3 = value. */
const QUOTED_ASSIGNMENT = new RegExp(
  String.raw`(${NAME}["']?\s*(?::=|={1,3}|:)\s*)(["'\x60])([^\s"'\x60\\\u00ab]{6,256})\2`,
  'gi',
);
/** `NAME=value` alone on its line: groups 1 = prefix, 2 = value. */
const BARE_ASSIGNMENT = new RegExp(
  String.raw`^([ \t]*(?:export[ \t]+|-[ \t]+)?${NAME}[ \t]*[=:][ \t]*)([^\s"'\x60#;,(){}\[\]<>\u00ab]{6,256})[ \t]*$`,
  'gim',
);

const TOKEN_RUN = /[A-Za-z0-9+/=_-]{24,}/g;

/** Rule 3's filter: values that are word-like, templates or placeholders are not secrets. */
function isMaskableValue(value: string): boolean {
  return (
    /[^A-Za-z_.-]/.test(value) &&
    !/^[${<%/^~]/.test(value) &&
    !/^(?:\*+|x+|X+|\.+)$/.test(value) &&
    !/^[v=]?\d+(?:\.\d+){1,3}(?:[-+][\w.-]*)?$/.test(value)
  );
}

/** Shannon entropy in bits per character of `s` (counting UTF-16 code units). */
export function shannonEntropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<number, number>();
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

const WORD_PIECE = /[A-Z][a-z]+|[a-z]+|[A-Z]+|[0-9]+/g;

/** Rule 4 of the module doc: is this run of token characters a random-looking secret? */
export function isHighEntropyToken(token: string): boolean {
  if (token.length < 24) return false;
  if (!/[A-Z]/.test(token) || !/[a-z]/.test(token) || !/[0-9]/.test(token)) return false;
  const pieces = token.match(WORD_PIECE);
  if (!pieces) return false;
  let alnum = 0;
  for (const piece of pieces) alnum += piece.length;
  if (alnum / pieces.length >= 3.0) return false;
  return shannonEntropy(token) >= 4.0;
}

/**
 * Replaces secret-looking tokens in `text` with {@link SECRET_PLACEHOLDER} (rules in the module doc).
 * @returns the masked text and the number of replacements. Idempotent: masking masked text changes nothing.
 */
export function maskSecrets(text: string): { text: string; count: number } {
  let count = 0;
  let out = text.replace(PRIVATE_KEY_BLOCK, () => {
    count++;
    return SECRET_PLACEHOLDER;
  });
  out = out.replace(TOKEN_SHAPES, () => {
    count++;
    return SECRET_PLACEHOLDER;
  });
  out = out.replace(QUOTED_ASSIGNMENT, (whole: string, prefix: string, quote: string, value: string) => {
    if (!isMaskableValue(value)) return whole;
    count++;
    return `${prefix}${quote}${SECRET_PLACEHOLDER}${quote}`;
  });
  out = out.replace(BARE_ASSIGNMENT, (whole: string, prefix: string, value: string) => {
    if (!isMaskableValue(value)) return whole;
    count++;
    return `${prefix}${SECRET_PLACEHOLDER}`;
  });
  out = out.replace(TOKEN_RUN, (token: string) => {
    if (!isHighEntropyToken(token)) return token;
    count++;
    return SECRET_PLACEHOLDER;
  });
  return { text: out, count };
}
