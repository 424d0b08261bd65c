/** The completion server in a Web Worker (dist/web/completionWorker.js). */
import { serveCompletion } from './completion';
import { runInWebWorker } from './webWorker';

runInWebWorker(serveCompletion);
