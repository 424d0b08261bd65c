/**
 * Built-in limits and name lists. Names are matched against a single path component (the basename).
 */

export const DEFAULT_INCLUDE: readonly string[] = ['**/*'];
export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;
export const DEFAULT_MAX_TOTAL_BYTES = 16 * 1024 * 1024;
export const DEFAULT_MAX_FILES = 200_000;
/** File-system operations in flight at once (directory reads, file reads). */
export const IO_CONCURRENCY = 32;

/** Directories never descended, matched by exact name at any depth → `'excluded'`. */
export const EXCLUDED_DIRS: ReadonlySet<string> = new Set([
  // version control
  '.git', '.hg', '.svn',
  // dependencies
  'node_modules', 'bower_components', 'vendor',
  // build output and tool caches
  'dist', 'build', 'out', 'target', 'coverage', '.next', '.nuxt', '__pycache__',
  '.venv', 'venv', '.tox', '.mypy_cache', '.idea', '.vscode-test',
]);

/** Machine-written files, matched by exact name at any depth → `'generated'`. */
export const GENERATED_FILE_NAMES: ReadonlySet<string> = new Set([
  'package-lock.json', '.package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lockb',
  'Cargo.lock', 'poetry.lock', 'Pipfile.lock', 'uv.lock', 'composer.lock', 'Gemfile.lock', 'go.sum',
]);

/** Machine-written files by basename glob (case-insensitive) → `'generated'`: source maps and minified bundles. */
export const GENERATED_FILE_GLOBS: readonly string[] = ['*.map', '*.min.js', '*.min.mjs', '*.min.cjs', '*.min.css'];

/**
 * Extensions (lower case, without the dot) of formats that are binary → `'binary'` without reading.
 * Anything else is still sniffed for NUL bytes.
 */
export const BINARY_EXTENSIONS: ReadonlySet<string> = new Set([
  // images
  'png', 'jpg', 'jpeg', 'gif', 'bmp', 'ico', 'icns', 'webp', 'tif', 'tiff', 'psd', 'heic', 'heif', 'avif', 'xcf',
  // archives and packages
  'zip', 'gz', 'tgz', 'bz2', 'xz', 'lz', 'lz4', 'lzma', 'zst', '7z', 'rar', 'tar', 'jar', 'war', 'ear', 'apk',
  'aab', 'ipa', 'dmg', 'iso', 'deb', 'rpm', 'msi', 'cab', 'vsix', 'nupkg', 'whl', 'egg', 'crx', 'xpi',
  // fonts
  'woff', 'woff2', 'ttf', 'otf', 'eot', 'ttc',
  // audio and video
  'mp3', 'wav', 'ogg', 'oga', 'flac', 'aac', 'm4a', 'opus', 'wma', 'mid', 'midi',
  'mp4', 'm4v', 'mkv', 'mov', 'avi', 'webm', 'wmv', 'flv', 'mpg', 'mpeg', '3gp',
  // executables, objects, bytecode
  'exe', 'dll', 'so', 'dylib', 'o', 'obj', 'a', 'lib', 'bin', 'elf', 'class', 'pyc', 'pyo', 'pyd', 'node',
  'wasm', 'dex', 'pdb', 'ilk',
  // documents
  'pdf', 'doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx', 'odt', 'ods', 'odp', 'epub', 'mobi',
  // data and model weights
  'npy', 'npz', 'pt', 'pth', 'onnx', 'pb', 'h5', 'hdf5', 'tflite', 'safetensors', 'ckpt', 'parquet', 'arrow',
  'feather', 'avro', 'orc', 'pkl', 'pickle', 'mdb', 'accdb',
]);
