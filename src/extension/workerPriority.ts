/** Side effect only: lowers the priority of the worker thread that imports it (see below). */
import { readlinkSync } from 'fs';
import { setPriority } from 'os';

/**
 * Background work yields the CPU to the extension host's thread: on Linux a thread has its own
 * nice value, and this thread's id is in /proc/thread-self. Without this, on a busy machine (two
 * cores, a build running) the host's thread waited up to ~150 ms for a CPU while this one read a
 * capture. Elsewhere (or if not permitted) nothing changes. worker.ts imports this module first,
 * so that the rest of the worker's bundle (~380 KB) is already evaluated at the lower priority.
 */
function lowerThisThreadsPriority(): void {
  try {
    const tid = Number(/task\/(\d+)$/.exec(readlinkSync('/proc/thread-self'))?.[1]);
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, 10);
  } catch {
    // not Linux, or not permitted: run at the host's priority
  }
}
lowerThisThreadsPriority();
