/**
 * The host side of the analysis worker protocol when the worker fails before answering: the
 * trace is analysed in place when its bytes are still at hand, and the failure is reported
 * (not an empty result) when they were transferred to the worker.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createWorkerAnalyzers, type WorkerHandle, type WorkerRequest } from '../../../src/extension/workerProtocol';
import { repoRoot } from '../../helpers/paths';

/** A worker that takes the request (transferring its buffers, as postMessage does) and dies. */
function dyingWorker(): WorkerHandle {
  let fail: ((e: Error) => void) | undefined;
  return {
    post(req: WorkerRequest, transfer?: ArrayBuffer[]) {
      structuredClone(req, { transfer: transfer ?? [] });
      setTimeout(() => fail?.(new Error('worker exited')), 0);
    },
    onReply() {},
    onFailure(cb) {
      fail = cb;
    },
    terminate() {},
  };
}

const pcap = new Uint8Array(readFileSync(join(repoRoot, 'samples', 'oma-im-missing-sip-im-tag.pcapng')));

test('worker dies before answering: a transferred capture is reported, not analysed as empty', async () => {
  const { analyzeCapture } = createWorkerAnalyzers(dyingWorker);
  const whole = pcap.slice();
  await assert.rejects(analyzeCapture(whole, {}), /analysis worker stopped before answering/);
});

test('worker dies before answering: a capture sent as a copy is analysed in place', async () => {
  const { analyzeCapture } = createWorkerAnalyzers(dyingWorker);
  const inner = new Uint8Array(pcap.length + 8);
  inner.set(pcap, 4);
  // A view into a larger buffer is copied for the worker, so the host still has it.
  const a = await analyzeCapture(inner.subarray(4, 4 + pcap.length), {});
  assert.ok(a.messages.length > 0);
  assert.ok(a.findings.some((f) => f.ruleId === 'OMA-IM-REG-001'));
});
