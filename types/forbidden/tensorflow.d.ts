// The extension host, the webview and src/shared may not import TF.js (`@tensorflow/*`): training and inference
// run in the workers (docs/architecture.md). Their tsconfig maps those modules here; this file has no import or
// export, so it "is not a module" and the import fails to compile.
