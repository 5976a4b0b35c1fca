/**
 * Packed AOR records (src/core/register/cold.ts) in a temporary file instead of memory.
 *
 * Why: the checker packs the state of every AOR that went quiet (~1.2 KB each on the benchmark
 * captures), so without this its memory grows with the number of AORs a capture registers:
 * 25 MB for the 20 000 of the 1 GB benchmark capture, 250 MB for 200 000. Here a record costs
 * an index slot (a few dozen bytes) and its bytes sit in the page cache, which the kernel can
 * drop, not in the process's resident set.
 *
 * The file is append-only: a record set again, or deleted (unpacked), leaves dead bytes; when
 * they pass both the live bytes and COMPACT_MIN_DEAD, the live records are copied to a new
 * file. On POSIX systems the file is unlinked as soon as it is open (nothing is left behind,
 * even when the process is killed); elsewhere it is removed on `close` or at exit.
 *
 * Node only (fs): used by the CLI and by the extension's Node worker; the core stays free of it
 * and takes any PackedRecordStore (the web worker keeps records in memory).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { PackedRecordStore } from '../core/register';

/** Dead bytes that trigger a compaction, when they also outnumber the live ones. */
const COMPACT_MIN_DEAD = 64 * 1024 * 1024;

export interface SpillFile {
  fd: number;
  /** Set while the file still has a name to remove (not unlinked at open). */
  path?: string;
  dir: string;
}

/** A new temporary file, unlinked at once where the system allows (POSIX). */
export function openSpillFile(name = 'packed-aors.bin'): SpillFile {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sip-inspect-'));
  const file = path.join(dir, name);
  const fd = fs.openSync(file, 'w+', 0o600);
  if (process.platform === 'win32') return { fd, path: file, dir };
  // POSIX: the open descriptor keeps the data; the name and folder can go now.
  fs.unlinkSync(file);
  fs.rmdirSync(dir);
  return { fd, dir };
}

/** `length` bytes at `position` of `fd`; a short read (the file was cut) is an error. */
export function readAt(fd: number, length: number, position: number): Uint8Array {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, out, done, length - done, position + done);
    if (n <= 0) throw new Error(`temporary file: short read at ${position + done}`);
    done += n;
  }
  return out;
}

/** Writes all of `bytes` at `position` of `fd`. */
export function writeAt(fd: number, bytes: Uint8Array, position: number): void {
  let done = 0;
  while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done, position + done);
}

export function removeSpillFile(f: SpillFile): void {
  try {
    fs.closeSync(f.fd);
  } catch {
    // already closed
  }
  if (f.path !== undefined) {
    fs.rmSync(f.dir, { recursive: true, force: true });
    f.path = undefined;
  }
}

export class PackedRecordFile implements PackedRecordStore {
  private file: SpillFile;
  /** Name -> slot; slots hold offset and length in typed arrays (no object per record). */
  private readonly index = new Map<string, number>();
  private offsets = new Float64Array(1024);
  private lengths = new Int32Array(1024);
  private readonly freeSlots: number[] = [];
  private nextSlot = 0;
  private end = 0;
  private liveBytes = 0;
  private deadBytes = 0;
  private closed = false;
  /**
   * Set when a write failed (a full disk): the records from then on are kept in memory (by slot,
   * so the order stays the index's), the ones already in the file are still read from it.
   */
  private writeError: Error | undefined;
  private readonly inMemory = new Map<number, Uint8Array>();
  private readonly onExit = (): void => this.close();
  /** For measurements and tests. */
  readonly stats = { writes: 0, reads: 0, compactions: 0 };

  constructor(private readonly compactMinDead = COMPACT_MIN_DEAD) {
    this.file = openSpillFile();
    // Where the file has a name (Windows), it is removed at exit if nobody closed it.
    process.once('exit', this.onExit);
  }

  /** Opens one, or returns undefined when no temporary file can be made (the caller keeps records in memory). */
  static tryOpen(): PackedRecordFile | undefined {
    try {
      return new PackedRecordFile();
    } catch {
      return undefined;
    }
  }

  get size(): number {
    return this.index.size;
  }

  /** The temporary folder the file was made in (gone at once on POSIX systems; for tests). */
  get folder(): string {
    return this.file.dir;
  }

  /** Bytes in the file: live records and dead ones not compacted yet. */
  get fileBytes(): number {
    return this.end;
  }

  has(name: string): boolean {
    return this.index.has(name);
  }

  get(name: string): Uint8Array | undefined {
    const slot = this.index.get(name);
    return slot === undefined ? undefined : this.read(slot);
  }

  /** Why records are kept in memory now (a write to the file failed), or undefined. */
  get fallback(): string | undefined {
    return this.writeError?.message;
  }

  /** As `Map.set`: a name set again keeps its place in the order. */
  set(name: string, record: Uint8Array): void {
    let slot = this.index.get(name);
    if (slot !== undefined) this.release(slot);
    else slot = this.freeSlots.length > 0 ? (this.freeSlots.pop() as number) : this.newSlot();
    this.lengths[slot] = record.length;
    this.index.set(name, slot);
    if (this.writeError === undefined) {
      try {
        this.write(record, this.end);
        this.offsets[slot] = this.end;
        this.end += record.length;
        this.liveBytes += record.length;
        this.compactIfWorth();
        return;
      } catch (e) {
        // A full or failing disk must not stop the check: keep this and later records in memory.
        this.writeError = e instanceof Error ? e : new Error(String(e));
      }
    }
    this.inMemory.set(slot, record);
  }

  delete(name: string): boolean {
    const slot = this.index.get(name);
    if (slot === undefined) return false;
    this.index.delete(name);
    this.release(slot);
    this.freeSlots.push(slot);
    this.compactIfWorth();
    return true;
  }

  /** The slot's record is no longer live (its bytes in the file become dead). */
  private release(slot: number): void {
    if (this.inMemory.delete(slot)) return;
    this.liveBytes -= this.lengths[slot];
    this.deadBytes += this.lengths[slot];
  }

  private compactIfWorth(): void {
    if (this.writeError === undefined && this.deadBytes >= this.compactMinDead && this.deadBytes > this.liveBytes) this.compact();
  }

  /** In insertion order (the index is a Map), each record read as it is reached. */
  *entries(): Generator<[string, Uint8Array]> {
    for (const [name, slot] of this.index) yield [name, this.read(slot)];
  }

  /** Closes and removes the file; the store is empty afterwards. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    process.removeListener('exit', this.onExit);
    removeSpillFile(this.file);
    this.index.clear();
  }

  private newSlot(): number {
    const slot = this.nextSlot++;
    if (slot >= this.offsets.length) {
      const offsets = new Float64Array(this.offsets.length * 2);
      offsets.set(this.offsets);
      this.offsets = offsets;
      const lengths = new Int32Array(this.lengths.length * 2);
      lengths.set(this.lengths);
      this.lengths = lengths;
    }
    return slot;
  }

  private read(slot: number): Uint8Array {
    const kept = this.inMemory.get(slot);
    if (kept !== undefined) return kept;
    const out = readAt(this.file.fd, this.lengths[slot], this.offsets[slot]);
    this.stats.reads++;
    return out;
  }

  private write(bytes: Uint8Array, position: number): void {
    writeAt(this.file.fd, bytes, position);
    this.stats.writes++;
  }

  /**
   * Copies the live records, one at a time and in index order, to a new file and drops the old
   * one. If that fails (a full disk), the old file stays as it was and later records go to memory.
   */
  private compact(): void {
    const old = this.file;
    let next: SpillFile | undefined;
    const offsets = this.offsets.slice();
    let end = 0;
    try {
      next = openSpillFile();
      for (const slot of this.index.values()) {
        if (this.inMemory.has(slot)) continue;
        const bytes = this.read(slot);
        this.file = next;
        try {
          this.write(bytes, end);
        } finally {
          this.file = old;
        }
        offsets[slot] = end;
        end += bytes.length;
      }
    } catch (e) {
      if (next) removeSpillFile(next);
      this.writeError = e instanceof Error ? e : new Error(String(e));
      return;
    }
    this.file = next;
    this.offsets = offsets;
    this.end = end;
    this.deadBytes = 0;
    removeSpillFile(old);
    this.stats.compactions++;
  }
}
