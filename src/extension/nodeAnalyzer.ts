/** Desktop/remote hosts: analyses run in a worker thread (dist/worker.js). */
import * as path from 'path';
import { Worker } from 'worker_threads';
import type { SpawnWorker, WorkerHandle, WorkerReply } from './workerProtocol';

/** `script`: the worker's code (default: the bundled dist/worker.js; tests pass the tsc output). */
export function nodeWorkerSpawner(extensionPath: string, script = path.join(extensionPath, 'dist', 'worker.js')): SpawnWorker {
  return (): WorkerHandle => {
    // A terminated worker runs no exit handlers, but Node closes the descriptors it opened
    // (a cancelled capture read leaves no file open: workerProtocol.test.ts checks it).
    const worker = new Worker(script);
    let ended = false;
    return {
      post: (req, transfer) => worker.postMessage(req, transfer ?? []),
      onReply: (cb) => worker.on('message', (r: WorkerReply) => cb(r)),
      onFailure: (cb) => {
        worker.once('error', (e) => cb(e));
        worker.once('exit', (code) => {
          if (!ended) cb(new Error(`analysis worker exited with code ${code}`));
        });
      },
      terminate: () => {
        ended = true;
        void worker.terminate();
      },
    };
  };
}
