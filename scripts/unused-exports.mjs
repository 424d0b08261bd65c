// Dead exports: a top-level declaration of src/ that is exported but referenced nowhere, neither in its own file
// nor in any other file of src/, test/ (ESLint sees one file at a time and cannot tell). Part of the lint suite.
// Usage: node scripts/unused-exports.mjs [--json]. Prints each dead export as file:line name; exits 1 if any.
import path from 'node:path';
import ts from 'typescript';
import { root } from './setup.mjs';

/** What the runtime calls by name: the extension's entry points. */
const ENTRY_EXPORTS = new Set(['src/extension.ts:activate', 'src/extension.ts:deactivate', 'src/web/extension.ts:activate', 'src/web/extension.ts:deactivate']);
/** Modules that stand in for another's whole API (the browser bundle's `node:path`, scripts/build.mjs). */
const API_FILES = new Set(['src/web/shims/path.ts']);

function sources(dir) {
  return ts.sys.readDirectory(path.join(root, dir), ['.ts'], ['**/node_modules/**', '**/fixtures/workspace/**'], ['**/*']);
}

/** Counts, for every symbol, the identifiers that refer to it other than its own declaration names. */
export function deadExports() {
  const files = [...sources('src'), ...sources('test')].filter((f) => !f.endsWith('.d.ts'));
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'], types: ['node', 'mocha', 'vscode'], strict: true, noEmit: true, skipLibCheck: true,
    esModuleInterop: true,
  });
  const checker = program.getTypeChecker();
  const refs = new Map();
  const resolve = (sym) => (sym && sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym);
  for (const sf of program.getSourceFiles()) {
    if (sf.isDeclarationFile || !files.includes(path.normalize(sf.fileName))) continue;
    const visit = (node) => {
      if (ts.isIdentifier(node)) {
        const parent = node.parent;
        const isOwnName = parent && parent.name === node && (ts.isFunctionDeclaration(parent) || ts.isClassDeclaration(parent)
          || ts.isVariableDeclaration(parent) || ts.isInterfaceDeclaration(parent) || ts.isTypeAliasDeclaration(parent)
          || ts.isEnumDeclaration(parent));
        // An export specifier (`export { x } from`, an index re-export) passes a name on; it is not a use.
        const isReExport = parent && ts.isExportSpecifier(parent);
        if (!isOwnName && !isReExport) {
          const sym = resolve(checker.getSymbolAtLocation(node));
          if (sym) refs.set(sym, (refs.get(sym) ?? 0) + 1);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  const dead = [];
  for (const sf of program.getSourceFiles()) {
    const rel = path.relative(root, sf.fileName).split(path.sep).join('/');
    if (sf.isDeclarationFile || !rel.startsWith('src/')) continue;
    const mod = checker.getSymbolAtLocation(sf);
    if (!mod) continue;
    for (const exp of checker.getExportsOfModule(mod)) {
      const sym = resolve(exp);
      const decl = sym.declarations?.[0];
      // Declared elsewhere (a re-export): judged in its own file.
      if (!decl || decl.getSourceFile() !== sf) continue;
      if (ENTRY_EXPORTS.has(`${rel}:${exp.name}`) || API_FILES.has(rel) || (refs.get(sym) ?? 0) > 0) continue;
      dead.push({ file: rel, line: sf.getLineAndCharacterOfPosition(decl.getStart()).line + 1, name: exp.name });
    }
  }
  return dead;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.join(root, 'scripts', 'unused-exports.mjs')) {
  const dead = deadExports();
  for (const d of dead) console.log(`${d.file}:${d.line}  ${d.name} is exported but used nowhere`);
  console.log(`unused exports: ${dead.length}`);
  process.exitCode = dead.length ? 1 : 0;
}
