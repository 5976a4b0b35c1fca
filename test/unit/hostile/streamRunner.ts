/**
 * `node out/test/unit/hostile/streamRunner.js [file]`: streams a file (a FIFO in the tests) or
 * stdin through the trace engine (out/src/core) and prints `{ format, messages, problems }` as
 * `sip-inspect messages --json` does. bounded-memory.test.ts uses it when dist/cli.js has not
 * been built.
 */
import * as fs from 'fs';
import { summarizeMessage, type MessageSummary } from '../../../src/core/present';
import { readTrace } from '../../../src/core/trace';
import type { Problem } from '../../../src/core/types';

async function main(): Promise<void> {
  const messages: MessageSummary[] = [];
  const problems: Problem[] = [];
  async function* chunks(): AsyncIterable<Uint8Array> {
    const source = process.argv[2] ? fs.createReadStream(process.argv[2], { highWaterMark: 1 << 20 }) : process.stdin;
    for await (const c of source) yield new Uint8Array((c as Buffer).buffer, (c as Buffer).byteOffset, (c as Buffer).byteLength);
  }
  const r = await readTrace(chunks(), { message: (m) => messages.push(summarizeMessage(m)), problem: (p) => problems.push(p) });
  process.stdout.write(JSON.stringify({ file: process.argv[2] ?? '/dev/stdin', format: r.format ?? 'unknown', messages, problems }) + '\n');
  process.exitCode = r.format === 'unknown' || r.format === undefined ? 2 : 0;
}

void main();
