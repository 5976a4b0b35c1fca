/**
 * State of the REGISTER exchange model (rule catalog §2): transactions (exchanges), flows
 * (To-AOR + Call-ID), binding lineages (To-AOR + instance-id or contact URI), per-AOR state, and
 * the open expectations ("windows"). Everything here is compact: numbers, short strings and
 * spans, never message text, so state stays small however long the capture is.
 */
import type { Finding, Span } from '../types';
import type { ChallengeFacts, ImTag, RegisterFacts } from './facts';

/** Phase axis (catalog 2.3): what the REGISTER asks the registrar to do. */
export type Phase = 'initial' | 'refresh' | 'im-deregistration' | 'full-deregistration' | 'query';
/** Attempt axis (catalog 2.3): what triggered it. */
export type Attempt = 'first' | 'auth-resend' | 'interval-retry' | 'retransmission';
/**
 * One word per exchange for the JSON output: the attempt when it is not `first`, else the phase.
 * `retransmission` never names an exchange (retransmissions are listed in their original's
 * `retransmissionIndexes`); it is part of the vocabulary for per-message classification.
 */
export type ExchangeKind = Phase | Exclude<Attempt, 'first'>;

export interface MessageRef {
  index: number;
  span: Span;
}

/** One REGISTER client transaction (catalog 2.1). */
export interface Exchange {
  id: number;
  callId: string;
  cseq: number;
  aor: string;
  flowKey: string;
  lineageKey: string;
  /** IM_DEREG that moved to a new contact URI: the lineage whose binding was supposed to be kept. */
  keptLineageKey?: string;
  phase: Phase;
  attempt: Attempt;
  kind: ExchangeKind;
  /** Classification made without enough history (capture started mid-way, CLASS-001). */
  uncertain: boolean;
  /** Why: credentials from an exchange before the capture, or a trace with no REGISTER responses. */
  uncertainReason?: 'mid-capture' | 'no-responses';
  /** REFRESH that switches IM back on (catalog 2.3, decision 11.6). */
  imReRegistration: boolean;
  /** Some contacts are removed and others added (CLASS-002). */
  mixed: boolean;
  requestIndex: number;
  startLine: MessageRef;
  /** The start line as written (P-12 retransmission test). */
  startLineText: string;
  cseqSpan?: Span;
  time?: number;
  /** IM tags the request carried on its primary contact. */
  imTags: ImTag[];
  /** Full request facts while the transaction is open; dropped once it completes. */
  req?: RegisterFacts;
  txKey: string;
  responseIndexes: number[];
  retransmissionIndexes: number[];
  finalStatus?: number;
  final?: MessageRef & { time?: number };
  /** The challenge of a 401/407 final response. */
  challenges?: ChallengeFacts[];
  /** Credentials the request carried (raw header values), for the resend-loop check. */
  authorizationRaw?: string;
  proxyAuthorizationRaw?: string;
  minExpires?: { value?: number; span: Span; index: number };
  /** 420 naming `pref` in Unsupported. */
  prefRejected?: MessageRef;
  /**
   * Security agreement (RFC 3329; IMS rules), raw, kept until the next REGISTER of the flow (like
   * `req` and `authorizationRaw`). Security-Client of the request:
   */
  securityClient?: string;
  /** Security-Verify of the request, raw. */
  securityVerify?: string;
  /** Security-Server of its 401/407 final response, raw. */
  securityServer?: string;
  /** A credentials resend: the Security-Server of the challenge it answers (IMS-REG-010 bookkeeping). */
  challengeSecurityServer?: string;
  /**
   * Rule ids of the findings that belong to this exchange (filled as findings settle); made on
   * the first one: most exchanges have none, and a Set per exchange was a tenth of the state.
   */
  findingRuleIds?: Set<string>;
  /**
   * Streaming: the exchange's summary, kept up to date from creation on (it outlives the
   * exchange, which goes once no state refers to it).
   */
  summary?: ExchangeSummary;
}

/** Flow: To-AOR + Call-ID (catalog 2.2). */
export interface FlowState {
  key: string;
  aor: string;
  callId: string;
  /** Last (non-retransmitted) REGISTER transaction. */
  last?: Exchange;
  lastLineageKey?: string;
  /** Branches used by the flow's REGISTERs (bounded), for RFC3261-REG-009. */
  branches: Map<string, MessageRef>;
}

export interface TimelineEntry {
  kind: ExchangeKind;
  status?: number;
  index: number;
}

/** Lineage: one binding over time (catalog 2.2, 2.4). */
export interface LineageState {
  key: string;
  aor: string;
  contactUri: string;
  instanceId?: string;
  /** A REGISTER of this lineage was seen before. */
  history: boolean;
  registered: boolean;
  imRegistered: boolean;
  /** The last change of IM state was an IM-only de-registration (for the "IM re-registration" notice). */
  imDeregistered: boolean;
  grantedExpiry?: number;
  grantTime?: number;
  grant?: MessageRef;
  callId?: string;
  lastCSeq?: number;
  lastRegistrar?: string;
  lastRegister?: MessageRef;
  lastRegisterTime?: number;
  /** The REGISTER that last carried the IM tags and was accepted. */
  lastTagged?: MessageRef;
  /** The REGISTER that removed the binding or the IM tags, when that is the current state. */
  lastDereg?: MessageRef & { phase: Phase };
  outstanding?: Exchange;
  /** Last final status seen on this lineage, with the response's ref. */
  lastFinal?: { status: number; ref: MessageRef; securityServer: boolean };
  /** An accepted REGISTER of this lineage carried reg-id + outbound (RFC 5626 replaces bindings). */
  outbound: boolean;
  first?: MessageRef;
  timeline: TimelineEntry[];
  timelineDropped: number;
  serviceRoute: string[];
  pAssociatedUri: string[];
  /**
   * The last accepted REGISTER of the binding that carried credentials: what an IMS
   * re-registration repeats (3GPP TS 24.229 §5.1.1.4.1, IMS-REG-010).
   */
  lastAuth?: AuthState;
}

/** Credentials and security agreement of the last successful authenticated REGISTER of a lineage. */
export interface AuthState {
  ref: MessageRef;
  realm?: string;
  /** The nonce the next request uses: the accepted REGISTER's, or the 2xx's nextnonce (RFC 2617 §3.2.3). */
  nonce?: string;
  username?: string;
  /** Security-Client the accepted REGISTER offered, raw. */
  securityClient?: string;
  /** Security-Server of the last successful authentication (the 401 answered), raw. */
  securityServer?: string;
}

/** Published state of an AOR (IM service settings and later refreshes). */
export interface PublishRecord {
  index: number;
  startLine: Span;
  aor: string;
  event?: string;
  /** The IM service settings publication, or a refresh of it. */
  settings: boolean;
  etag?: string;
  finalStatus?: number;
  txKey: string;
}

/** Per-AOR view: registration state for PUBLISH and other requests (FLOW-002/004, OMA-IM-PUB-*). */
export interface AorState {
  aor: string;
  identities: Set<string>;
  lineageKeys: Set<string>;
  everRegistered: boolean;
  /** Requests seen from this AOR (to tell whether the capture went on after an expectation). */
  activity: number;
  serviceRoute: string[];
  serviceRouteAt?: MessageRef;
  /** The challenge (401/407) waiting for a resend. */
  challengeWindow?: OpenWindow;
  /** The publish window currently open for this AOR. */
  publishWindow?: OpenWindow;
  /** The window closed without a PUBLISH; a PUBLISH before the next REGISTER is still the settings one (late). */
  awaitingLatePublish?: OpenWindow;
  /** Last publication per Event package (lower-cased), for refresh checks. */
  publications: Map<string, PublishRecord>;
  flow004Reported: boolean;
  /** The IM de-registration / full de-registration that ended IM, while IM is off. */
  imOffSince?: MessageRef & { phase: Phase };
  /** Keys of this AOR's flows (streaming: what packing a quiet AOR takes along, see cold.ts). */
  flowKeys?: string[];
}

export type WindowKind = 'publish' | 'challenge' | 'final-response';

/** An expectation opened by one message and met (or not) by a later one. */
export interface OpenWindow {
  id: number;
  kind: WindowKind;
  /** The message that opened it (2xx, 401/407, REGISTER). */
  opened: MessageRef;
  openedTime?: number;
  /** Seconds since epoch; undefined when the trace has no timestamps. */
  deadline?: number;
  aor: string;
  flowKey: string;
  lineageKey: string;
  exchange?: Exchange;
  /** AorState.activity when opened. */
  activityAtOpen: number;
  done: boolean;
  /** Why it closed unmet (set when the window event is raised). */
  closedBy?: 'deadline' | 'next-register' | 'end';
  /** Phase of the REGISTER that closed it, when closedBy is 'next-register'. */
  closedByPhase?: Phase;
}

export interface ExchangeSummary {
  id: number;
  callId: string;
  cseq: number;
  aor: string;
  kind: ExchangeKind;
  phase: Phase;
  attempt: Attempt;
  uncertain?: boolean;
  requestIndex: number;
  responseIndexes: number[];
  finalStatus?: number;
  retransmissionIndexes: number[];
  findingRuleIds: string[];
}

export interface CheckResult {
  /** Empty when streaming without exchanges (CheckerStream.exchanges false): see exchangeCount. */
  exchanges: ExchangeSummary[];
  exchangeCount: number;
  findings: Finding[];
  profile: 'generic' | 'ims';
}

export function exchangeKind(phase: Phase, attempt: Attempt): ExchangeKind {
  return attempt === 'first' ? phase : attempt;
}

/** Whether the lineage's binding is still in force at `time` (catalog 2.4: expiry passes -> not registered). */
export function isBound(l: LineageState, time: number | undefined): boolean {
  if (!l.registered) return false;
  if (time === undefined || l.grantTime === undefined || l.grantedExpiry === undefined) return true;
  return time <= l.grantTime + l.grantedExpiry;
}
