/** Inkling's version, written into every saved model. Kept equal to package.json's by a unit test. */
export const VERSION = '0.1.0';
