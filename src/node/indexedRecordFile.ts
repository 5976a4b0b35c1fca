/**
 * Byte records by message index, appended to a temporary file instead of kept in memory.
 *
 * Why: `check` must be able to place a finding on any earlier message (a related location, an
 * expectation that closes late), and on a log that takes the message's line map. Kept in memory,
 * the line maps grew with the log: 100 MB of heap and 75 MB of array buffers on the 200 MB
 * benchmark log. Here a record costs 12 bytes of index; its bytes sit in the page cache.
 *
 * Records are written through a 256 KiB buffer (recent records, the ones read most, come from
 * it). When no temporary file can be made, or a write fails (a full disk), the records from then
 * on are kept in memory: the check goes on, as with PackedRecordFile.
 */
import { openSpillFile, readAt, removeSpillFile, writeAt, type SpillFile } from './packedRecordFile';

const BUFFER_BYTES = 256 * 1024;

export class IndexedRecordFile {
  private file: SpillFile | undefined;
  /** Per index: where the record starts in the file (-1: none) and its length. */
  private offsets = new Float64Array(4096).fill(-1);
  private lengths = new Int32Array(4096);
  /** Bytes not yet written: they start at `flushed` in the file. */
  private readonly pending = new Uint8Array(BUFFER_BYTES);
  private pendingBytes = 0;
  private flushed = 0;
  private failure: string | undefined;
  private readonly inMemory = new Map<number, Uint8Array>();
  private readonly onExit = (): void => this.close();
  /** For tests. */
  readonly stats = { fileReads: 0, bufferReads: 0 };

  constructor(name = 'records.bin') {
    try {
      this.file = openSpillFile(name);
      process.once('exit', this.onExit);
    } catch (e) {
      this.failure = (e as Error).message;
    }
  }

  /** Why records are kept in memory (no file, or a write failed), or undefined. */
  get fallback(): string | undefined {
    return this.failure;
  }

  /** Stores `record` (copied) under `index`; a later set of the same index replaces it. */
  set(index: number, record: Uint8Array): void {
    this.ensure(index);
    this.inMemory.delete(index);
    this.offsets[index] = -1;
    if (this.writable() && this.pendingBytes + record.length > BUFFER_BYTES) this.flush();
    if (this.writable()) {
      if (record.length <= BUFFER_BYTES) {
        this.pending.set(record, this.pendingBytes);
        this.offsets[index] = this.flushed + this.pendingBytes;
        this.lengths[index] = record.length;
        this.pendingBytes += record.length;
        return;
      }
      // Larger than the buffer (empty now): written directly.
      if (this.writeAt(record, this.flushed)) {
        this.offsets[index] = this.flushed;
        this.lengths[index] = record.length;
        this.flushed += record.length;
        return;
      }
    }
    this.inMemory.set(index, record.slice());
  }

  get(index: number): Uint8Array | undefined {
    if (index < 0 || index >= this.offsets.length) return undefined;
    const offset = this.offsets[index];
    if (offset < 0) return this.inMemory.get(index);
    const length = this.lengths[index];
    if (offset >= this.flushed) {
      this.stats.bufferReads++;
      const at = offset - this.flushed;
      return this.pending.slice(at, at + length);
    }
    this.stats.fileReads++;
    return readAt(this.file!.fd, length, offset);
  }

  /** Closes and removes the file; nothing can be read afterwards. */
  close(): void {
    if (this.file === undefined) return;
    process.removeListener('exit', this.onExit);
    removeSpillFile(this.file);
    this.file = undefined;
    this.offsets.fill(-1);
    this.inMemory.clear();
  }

  private ensure(index: number): void {
    if (index < this.offsets.length) return;
    const size = Math.max(this.offsets.length * 2, index + 1);
    const offsets = new Float64Array(size).fill(-1);
    offsets.set(this.offsets);
    this.offsets = offsets;
    const lengths = new Int32Array(size);
    lengths.set(this.lengths);
    this.lengths = lengths;
  }

  /** Writes the buffer; on failure its records move to memory and later ones stay there. */
  private flush(): void {
    if (this.pendingBytes === 0 || !this.writable()) return;
    if (this.writeAt(this.pending.subarray(0, this.pendingBytes), this.flushed)) {
      this.flushed += this.pendingBytes;
      this.pendingBytes = 0;
      return;
    }
    // The buffered records: into memory, by index.
    for (let i = 0; i < this.offsets.length; i++) {
      const o = this.offsets[i];
      if (o >= this.flushed) {
        this.inMemory.set(i, this.pending.slice(o - this.flushed, o - this.flushed + this.lengths[i]));
        this.offsets[i] = -1;
      }
    }
    this.pendingBytes = 0;
  }

  private writable(): boolean {
    return this.file !== undefined && this.failure === undefined;
  }

  /** false (and the failure kept) when the write fails. */
  private writeAt(bytes: Uint8Array, position: number): boolean {
    try {
      writeAt(this.file!.fd, bytes, position);
      return true;
    } catch (e) {
      this.failure = (e as Error).message;
      return false;
    }
  }
}
