/**
 * Runs a documentation example (see ./examples.ts for the format) through the checker: used by
 * the docs test (an example must do what its page says) and handy in rule unit tests.
 */
import type { TraceMessage } from '../types';
import { parseSipMessage } from '../sip/parser';
import { resolveSettings, type Settings } from '../settings';
import { RegisterChecker } from '../register/checker';
import type { CheckResult } from '../register/model';
import { splitExample } from './examples';
import type { Rule } from './types';

/** Capture time of the first example message (2023-11-14T22:13:20Z). */
export const EXAMPLE_EPOCH = 1700000000;

/** Example text -> TraceMessages over UDP between the example client and registrar. */
export function exampleMessages(example: string): TraceMessage[] {
  return splitExample(example).map((m, index) => {
    const sec = EXAMPLE_EPOCH + Math.floor(m.offsetSeconds);
    const nsec = Math.round((m.offsetSeconds - Math.floor(m.offsetSeconds)) * 1e9);
    const isResponse = m.text.startsWith('SIP/');
    const client = { ip: '192.0.2.10', port: 5060 };
    const server = { ip: '198.51.100.1', port: 5060 };
    return {
      index,
      frame: index + 1,
      ts: { sec, nsec },
      transport: 'UDP' as const,
      src: isResponse ? server : client,
      dst: isResponse ? client : server,
      sip: parseSipMessage(m.text),
    };
  });
}

export function checkMessages(messages: readonly TraceMessage[], settings: Settings = {}, rules?: readonly Rule[]): CheckResult {
  const checker = new RegisterChecker(resolveSettings(settings), rules);
  for (const m of messages) checker.add(m);
  return checker.end();
}

export function checkExample(example: string, settings: Settings = {}, rules?: readonly Rule[]): CheckResult & { messages: TraceMessage[] } {
  const messages = exampleMessages(example);
  return { ...checkMessages(messages, settings, rules), messages };
}
