/**
 * Preloaded with `node --require` by bounded-memory.test.ts: prints the process's peak resident
 * memory on exit, so a test can check what a child really held (ArrayBuffers included, which
 * --max-old-space-size does not count).
 */
process.on('exit', () => {
  process.stderr.write(`\nMAXRSS_KB=${process.resourceUsage().maxRSS}\n`);
});
