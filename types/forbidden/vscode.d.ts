// Only the extension host (src/extension.ts, src/host, src/dashboard) and the integration tests may import
// `vscode` (docs/architecture.md). tsconfig.base.json maps the module here for every other project; this file
// has no import or export, so it "is not a module" and the import fails to compile.
