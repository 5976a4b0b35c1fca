/**
 * Worker-thread entry (bundled to dist/worker.js): analyses a capture or checks a large log off
 * the extension host's main thread, so a large trace never freezes other extensions. One request
 * per worker (workerProtocol.ts): the host posts it, acknowledges the parts of the answer, and
 * terminates us when it has the whole answer.
 */
// First: this thread's priority is lowered before the rest of the bundle is evaluated.
import './workerPriority';
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'fs';
import { parentPort } from 'worker_threads';
import { PackedRecordFile } from '../node/packedRecordFile';
import { serve, serveCaptureSource, type CaptureSource, type WorkerReply, type WorkerRequest } from './workerProtocol';

/** Bytes read from a capture file at a time. */
const FILE_CHUNK_BYTES = 1 << 20;

/** A capture file read a chunk at a time (memory does not grow with the file's size). */
function fileSource(fd: number): CaptureSource {
  const total = fstatSync(fd).size;
  return {
    total,
    next: () => {
      const chunk = new Uint8Array(FILE_CHUNK_BYTES);
      const n = readSync(fd, chunk, 0, FILE_CHUNK_BYTES, null);
      return n === 0 ? undefined : n === FILE_CHUNK_BYTES ? chunk : chunk.subarray(0, n);
    },
  };
}

let request: WorkerRequest | undefined;
let wake: (() => void) | undefined;
let pendingAcks = 0;

function acked(): Promise<void> {
  if (pendingAcks > 0) {
    pendingAcks--;
    return Promise.resolve();
  }
  return new Promise((resolve) => (wake = resolve));
}

parentPort?.on('message', (msg: WorkerRequest) => {
  if (msg.kind === 'ack') {
    if (wake) {
      const w = wake;
      wake = undefined;
      w();
    } else pendingAcks++;
    return;
  }
  if (request) return; // one request per worker
  request = msg;
  const post = (reply: WorkerReply, transfer?: ArrayBuffer[]) => parentPort?.postMessage(reply, transfer ?? []);
  if (msg.kind === 'capture-file') {
    // A capture on disk is read here, a chunk at a time: the host neither reads nor copies it,
    // and this worker holds a chunk, not the file. Quiet AORs' packed state goes to a temporary
    // file (memory does not grow with the number of AORs).
    let fd: number;
    let source: CaptureSource;
    try {
      fd = openSync(msg.path, 'r');
      source = fileSource(fd);
    } catch (e) {
      post({ type: 'error', error: e instanceof Error ? e.message : String(e) });
      return;
    }
    const records = PackedRecordFile.tryOpen();
    const release = () => {
      records?.close();
      closeSync(fd);
    };
    let released = false;
    void serveCaptureSource(source, msg.settings, post, acked, {
      packedRecords: records,
      // The checker is done before the last parts go out: release the files then (the host may
      // terminate this worker as soon as it has the answer).
      checked: () => {
        released = true;
        release();
      },
    }).finally(() => {
      if (!released) release();
    });
    return;
  }
  if (msg.kind === 'log-file') {
    // A log on disk is read here, not on the extension host: the host neither reads nor copies it.
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(msg.path);
    } catch (e) {
      post({ type: 'error', error: e instanceof Error ? e.message : String(e) });
      return;
    }
    // VS Code drops a UTF-8 byte order mark from the text it shows; so do we (same columns).
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    void serve({ kind: 'log', chunks: [bytes], settings: msg.settings }, post, acked);
    return;
  }
  void serve(msg, post, acked);
});
