/** The training server in a Web Worker (dist/web/trainingWorker.js). */
import { serveTraining } from './training';
import { runInWebWorker } from './webWorker';

runInWebWorker(serveTraining);
