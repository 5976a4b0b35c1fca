/**
 * The rule framework's contract: what a rule declares (metadata that also generates its
 * documentation page) and what it receives when it runs (a context per event of the exchange
 * model). See the guide at the top of ./index.ts.
 */
import type { RelatedInfo, Severity, SipMessage, Span, TraceMessage } from '../types';
import type { ResolvedSettings, Settings } from '../settings';
import type { PublishFacts, RegisterFacts, ResponseFacts } from '../register/facts';
import type { AorState, Exchange, FlowState, LineageState, OpenWindow, Phase, Attempt, PublishRecord } from '../register/model';

/** Why a rule exists (catalog 0.3). */
export type RuleBasis = 'SHALL' | 'MUST' | 'SHOULD' | 'INTEROP' | 'DECISION';

/**
 * The events the exchange model raises, in capture order:
 * - `message`: every REGISTER-related message (REGISTER, its responses, PUBLISH, its responses),
 *   before anything else, retransmissions excluded.
 * - `register`: a new REGISTER transaction, classified (phase, attempt), with the lineage and flow
 *   state as they were before it.
 * - `register-response`: a response whose CSeq method is REGISTER (matched or orphan).
 * - `publish` / `publish-response`: PUBLISH requests and their responses.
 * - `request`: any other out-of-dialog request (MESSAGE, INVITE, SUBSCRIBE, ...).
 * - `window`: an expectation closed without being met (no settings PUBLISH after an initial 2xx,
 *   no resend after a challenge, no final response within Timer F).
 * - `end`: once, at the end of the capture.
 */
export type RuleEvent = 'message' | 'register' | 'register-response' | 'publish' | 'publish-response' | 'request' | 'window' | 'end';

export interface RuleDocs {
  /** What the rule checks, in one or two sentences. */
  what: string;
  /** Why it matters (what breaks in the network). */
  why: string;
  /**
   * A SIP example that triggers the rule: one or more messages separated by a line starting with
   * `---` (optionally `--- +40s` to put the next message 40 s after the previous one; the default
   * gap is 1 s). LF line ends are turned into CRLF before parsing. Empty only for a rule that
   * never reports (`noDiagnostic`).
   */
  failing: string;
  /** The same scenario done right: the rule must stay silent on it. */
  passing: string;
  /** How to fix the failing example (short). */
  fix?: string;
  /** Settings both examples run with (e.g. a rule that only runs when configured). */
  settings?: Settings;
}

export interface RuleScope {
  /** Events the rule runs on. */
  events: readonly RuleEvent[];
  /** For `register`: only these phases (all when absent). */
  phases?: readonly Phase[];
  /** For `register`: only these attempts (all but retransmissions when absent). */
  attempts?: readonly Attempt[];
  /** Human-readable scope for the documentation (catalog "Applies to"). */
  description: string;
}

export interface RuleMeta {
  /** Stable id, e.g. `OMA-IM-REG-001`. */
  id: string;
  title: string;
  /** Severity of the main case; a rule may report other cases with another severity (see `severities`). */
  defaultSeverity: Severity;
  /** Other case severities, for the documentation: e.g. `{ 'IM-only de-registration': 'warning' }`. */
  severities?: Record<string, Severity>;
  /** Where the requirement comes from, e.g. `OMA-TS-SIMPLE_IM §5.2.1 item 2`. */
  clause: string;
  basis: RuleBasis;
  appliesTo: RuleScope;
  docs: RuleDocs;
  /** How a catalog ambiguity (§11) or an unconfirmed fact was decided for this rule. */
  decision?: string;
  /** Settings (other than `rules`) that change what the rule does. */
  settingsKeys?: readonly string[];
  /** Runs only in that profile (catalog 2.6). */
  profile?: 'ims';
  /** The rule reports under another id (OMA-IM-PUB-001 = OMA-IM-REG-015); its severity setting applies there too. */
  aliasOf?: string;
  /** A documented decision that never produces a finding (OMA-IM-REG-020). */
  noDiagnostic?: boolean;
  /**
   * The rule reports, with a narrow span, something the SIP parser also flags (a malformed
   * Expires, a bad qvalue, ...): a SIP-PARSE-001/002 finding whose span meets one of this rule's
   * findings in the same message is dropped, so one mistake gives one finding. If the user turns
   * the rule off, the parse finding stays.
   */
  explainsParseProblems?: boolean;
}

export interface Rule extends RuleMeta {
  check(ctx: RuleContext): void;
}

export interface ReportOptions {
  related?: RelatedInfo[];
  /** Severity of this case when the user did not configure one (default: the rule's defaultSeverity). */
  severity?: Severity;
  /** Message the span belongs to, when it is not the context's message (window/end events). */
  messageIndex?: number;
  /** Keep `severity` even when the user configured the rule (parser tolerances stay `info`). */
  severityLocked?: boolean;
  /** The exchange the finding belongs to, when it is not the event's (findings reported at `end`). */
  exchange?: Exchange;
}

export interface BaseContext {
  readonly rule: Rule;
  readonly settings: ResolvedSettings;
  /** Profile in force when the event was raised (sticky once IMS is detected). */
  readonly profile: 'generic' | 'ims';
  /**
   * Reports a finding at `span` of the context's message (or of `opts.messageIndex`).
   * The third argument is either the related locations or the full options.
   */
  report(span: Span, message: string, opts?: ReportOptions | RelatedInfo[]): void;
  /** Scratch storage of this rule for one checker run (keep it small; delete what is done). */
  readonly store: Map<string, unknown>;
}

export interface MessageContext extends BaseContext {
  readonly event: 'message';
  readonly msg: TraceMessage;
  readonly sip: SipMessage;
  /** What the message is to the model. */
  readonly role: 'register' | 'register-response' | 'publish' | 'publish-response';
}

export interface RegisterContext extends BaseContext {
  readonly event: 'register';
  readonly msg: TraceMessage;
  readonly sip: SipMessage;
  readonly req: RegisterFacts;
  readonly exchange: Exchange;
  /** State of the flow (To-AOR + Call-ID) before this request. */
  readonly flow: FlowState;
  /** State of the binding lineage before this request (catalog 2.4). */
  readonly lineage: LineageState;
  /** The previous transaction of the same flow, if any. */
  readonly previous?: Exchange;
  readonly aor: AorState;
  /** Any lineage by key (e.g. `exchange.keptLineageKey`). */
  lineageOf(key: string): LineageState | undefined;
  /** Captured after a proxy (catalog 2.5): origin-only rules skip it. */
  readonly observedDownstream: boolean;
  /** Seconds since the epoch of the message, when the trace has timestamps. */
  readonly time?: number;
}

export interface ResponseContext extends BaseContext {
  readonly event: 'register-response';
  readonly msg: TraceMessage;
  readonly sip: SipMessage;
  readonly res: ResponseFacts;
  /** The transaction; undefined for an orphan response. */
  readonly exchange?: Exchange;
  /** The request's facts (present while the transaction is open). */
  readonly req?: RegisterFacts;
  /** A retransmitted final response (rules usually return at once). */
  readonly retransmission: boolean;
  readonly lineage?: LineageState;
  readonly time?: number;
}

export interface PublishContext extends BaseContext {
  readonly event: 'publish';
  readonly msg: TraceMessage;
  readonly sip: SipMessage;
  readonly pub: PublishFacts;
  /** The registration state of the AOR the PUBLISH is about, if it registered in the capture. */
  readonly aor?: AorState;
  /** This PUBLISH is the IM service settings publication after an initial registration (OMA-IM-REG-015). */
  readonly settingsPublish: boolean;
  /** It came after the publish window closed. */
  readonly late: boolean;
  /** A refresh of an earlier publication (same AOR and Event, after a 2xx with SIP-ETag). */
  readonly refreshOf?: PublishRecord;
  readonly time?: number;
}

export interface PublishResponseContext extends BaseContext {
  readonly event: 'publish-response';
  readonly msg: TraceMessage;
  readonly sip: SipMessage;
  readonly res: ResponseFacts;
  readonly publish?: PublishRecord;
  readonly retransmission: boolean;
}

export interface RequestContext extends BaseContext {
  readonly event: 'request';
  readonly msg: TraceMessage;
  readonly sip: SipMessage;
  readonly method: string;
  readonly fromAor: string;
  /** Registration state of the sender's AOR, if it registered (or tried to) in the capture. */
  readonly aor?: AorState;
}

export interface WindowContext extends BaseContext {
  readonly event: 'window';
  readonly window: OpenWindow;
  /**
   * The capture went on past the expectation: its deadline passed in capture time, the client did
   * something else afterwards, or (publish windows) the lineage sent its next REGISTER.
   */
  readonly captureContinued: boolean;
  /** Raised by end() rather than by a later message. */
  readonly atEnd: boolean;
}

export interface EndContext extends BaseContext {
  readonly event: 'end';
  readonly lineages: Iterable<LineageState>;
}

export type RuleContext =
  | MessageContext
  | RegisterContext
  | ResponseContext
  | PublishContext
  | PublishResponseContext
  | RequestContext
  | WindowContext
  | EndContext;
