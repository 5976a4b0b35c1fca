/** Capture readers: pick one from the format `detectFormat` found in the first bytes. */
import { PcapReader } from './pcap';
import { PcapngReader } from './pcapng';
import type { CaptureFormat, CaptureReader, FrameSink } from './types';

export type { CaptureFormat, CaptureReader, FrameSink } from './types';
export { MAX_PACKET_BYTES } from './types';
export { detectFormat, type DetectedFormat } from './detect';
export { PcapReader } from './pcap';
export { PcapngReader } from './pcapng';

/** A streaming reader for `format`, delivering frames and problems to `sink`. */
export function createCaptureReader(format: CaptureFormat, sink: FrameSink): CaptureReader {
  return format === 'pcapng' ? new PcapngReader(sink) : new PcapReader(sink);
}
