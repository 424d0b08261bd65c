/**
 * Kernel worker thread in Node (worker_threads): see threadLoop.ts. Bundled to dist/kernelThread.js.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ThreadInit } from './protocol';
import { kernelThreadLoop } from './threadLoop';

kernelThreadLoop(workerData as ThreadInit, (m) => parentPort?.postMessage(m), (code) => process.exit(code));
