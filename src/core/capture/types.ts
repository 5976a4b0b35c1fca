/** Contracts of the capture readers (pcap, pcapng): bytes in, frames out. */
import type { ProblemSink, RawFrame } from '../types';

/** Receives every frame a capture reader reads, and every problem it meets. */
export interface FrameSink extends ProblemSink {
  /** `f.data` may be a view into a buffer the reader reuses: copy it to keep it. */
  frame(f: RawFrame): void;
  /**
   * Optional fast path, called instead of `frame` when present: the same frame with the
   * RawFrame fields as arguments and its captured bytes at `buf[start, end)` (a buffer the
   * reader reuses). A 1 GB capture holds millions of frames, most of them RTP or bulk TCP: this
   * spares an object, a timestamp and a view per frame that carries nothing of interest.
   */
  frameAt?(buf: Uint8Array, start: number, end: number, frame: number, linkType: number, sec: number, nsec: number, origLen: number, fileOffset: number, interfaceId: number): void;
}

/**
 * A streaming capture reader. `push` takes chunks of any size (one byte to megabytes; records
 * span chunk boundaries); `end` reports whatever was left incomplete. Memory holds at most one
 * record, whatever lengths the file claims.
 */
export interface CaptureReader {
  push(chunk: Uint8Array): void;
  end(): void;
}

export type CaptureFormat = 'pcap' | 'pcapng';

/**
 * The largest packet a reader buffers: Wireshark's WTAP_MAX_PACKET_SIZE_STANDARD (256 KiB).
 * A record claiming more is reported and skipped (or, when the length cannot be trusted,
 * reading stops) instead of being allocated.
 */
export const MAX_PACKET_BYTES = 262144;
