/** Command ids (declared in package.json `contributes.commands`). */
export const COMMANDS = {
  /** "SIP: Check registrations in capture": analyse a capture, open its decoded view. */
  checkCapture: 'sipTraceInspector.checkCapture',
  /** "SIP: Show decoded messages of capture": open the decoded view of a capture. */
  showDecoded: 'sipTraceInspector.showDecoded',
} as const;

/** What `sipTraceInspector.checkCapture` returns (for tests and other extensions). */
export interface CheckCaptureResult {
  capture: string;
  decoded: string;
  format: string | undefined;
  messages: number;
  exchanges: number;
  findings: number;
  problems: number;
}
