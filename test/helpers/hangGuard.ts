/**
 * A bound on wall time that only a hang or a quadratic blow-up can exceed, even on a loaded
 * 2-core CI machine. It is NOT a speed target: speed and memory targets are measured by the
 * benchmark (`npm run bench`, docs/performance.md), never by unit tests.
 */
export const HANG_GUARD_MS = 60_000;
