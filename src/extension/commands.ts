/** Command ids (declared in package.json `contributes.commands`). */
export const COMMANDS = {
  /** "SIP: Check registrations in capture": analyse a capture, open its decoded view. */
  checkCapture: 'sipTraceInspector.checkCapture',
  /** "SIP: Show decoded messages of capture": open the decoded view of a capture. */
  showDecoded: 'sipTraceInspector.showDecoded',
  /** "SIP: Check SIP Log Now": check the active log now, also when it is above maxFileSizeMB. */
  checkLog: 'sipTraceInspector.checkLog',
  /** "SIP: Show Rule Documentation" (argument: rule id; else a pick). */
  showRuleDocumentation: 'sipTraceInspector.showRuleDocumentation',
  /** "SIP: Disable Rule in Workspace" (argument: rule id; else a pick). */
  disableRule: 'sipTraceInspector.disableRule',
  /** "SIP: Fix All Auto-Fixable Problems" in the active log. */
  fixAll: 'sipTraceInspector.fixAll',
  /** Reveals a place of a trace (registrations view items): arguments uri, range. Not in the palette. */
  reveal: 'sipTraceInspector.reveal',
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
  /** Whether the decoded view was opened (not when `show: false`, nor above VS Code's 50 MB limit). */
  shown: boolean;
}

/** What `sipTraceInspector.checkLog` returns. */
export interface CheckLogResult {
  uri: string;
  /** Document version the result belongs to. */
  version: number;
  messages: number;
  exchanges: number;
  findings: number;
  problems: number;
  /** Checked in place (small log), or in the analysis worker from the saved file or from the editor's text. */
  via: 'in-place' | 'worker-file' | 'worker-text';
  elapsedMs: number;
}
