/** Finding SIP messages in text logs. */
export { LogReader } from './reader';
export type { LogMeta, LogReaderOptions, LogSink, LogSipText } from './types';
