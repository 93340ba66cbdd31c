import { parentPort } from 'node:worker_threads';
import { runSeed, type FromWorker, type SweepJob, type ToWorker } from './sweep.js';

// One sweep worker thread: it receives the job once, then one seed at a time.
let job: SweepJob | undefined;
parentPort?.on('message', (message: ToWorker) => {
  if (message.kind === 'job') job = message.job;
  else if (message.kind === 'stop') parentPort?.close();
  else if (job) {
    try {
      parentPort?.postMessage({ kind: 'outcome', outcome: runSeed(job, message.seed) } satisfies FromWorker);
    } catch (error) {
      parentPort?.postMessage({ kind: 'error', seed: message.seed, message: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies FromWorker);
    }
  }
});
