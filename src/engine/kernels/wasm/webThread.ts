/**
 * Kernel worker thread in a browser (a Web Worker started by webThreads.ts; needs a cross-origin isolated page, for
 * the shared memory): the first message is its {@link ThreadInit}; see threadLoop.ts. Bundled as a classic script
 * to dist/web/kernelThread.js.
 */
import type { ThreadInit } from './protocol';
import { kernelThreadLoop } from './threadLoop';

interface KernelThreadScope {
  postMessage(m: unknown): void;
  close(): void;
  addEventListener(type: 'message', f: (e: { data: unknown }) => void, o: { once: boolean }): void;
}

const scope = globalThis as unknown as KernelThreadScope;
scope.addEventListener('message', (e) => {
  kernelThreadLoop(e.data as ThreadInit, (m) => scope.postMessage(m), () => {
    scope.close();
    // close() only stops the next task: throwing leaves the chunk unfinished now, as a thread that dies would.
    throw new Error('kernel thread exits (test hook)');
  });
}, { once: true });
