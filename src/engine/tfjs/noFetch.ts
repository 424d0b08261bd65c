/**
 * Stands in for the `node-fetch` package in the bundles (see `scripts/build.mjs`). TF.js's Node platform
 * imports it lazily to load models over HTTP when no global `fetch` exists; Inkling never loads anything
 * over the network, and this keeps `http`/`https` out of the bundles.
 */
function noFetch(): never {
  throw new Error('Inkling does not use the network');
}

export = noFetch;
