/** JSON text helpers shared by the streamed outputs (SARIF, `check --format json`). */

/**
 * `JSON.stringify(value, null, 2)` as it reads nested `depth` levels deep in a document indented
 * by two spaces, so that a document written a piece at a time reads as if stringified whole.
 */
export function nestedJson(value: unknown, depth: number): string {
  return JSON.stringify(value, null, 2).replace(/\n/g, '\n' + '  '.repeat(depth));
}
