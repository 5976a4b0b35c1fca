/** Desktop/remote hosts: analyses run in a worker thread (dist/worker.js). */
import * as path from 'path';
import { Worker } from 'worker_threads';
import type { SpawnWorker, WorkerHandle, WorkerReply } from './workerProtocol';

export function nodeWorkerSpawner(extensionPath: string): SpawnWorker {
  const script = path.join(extensionPath, 'dist', 'worker.js');
  return (): WorkerHandle => {
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
