/**
 * RegisterChecker: the incremental exchange model (rule catalog §2) and the rule dispatcher.
 *
 * Messages come in capture order through `add`. Each REGISTER-related message is turned into
 * compact facts, matched to its transaction (catalog 2.1), grouped into a flow and a binding
 * lineage (2.2), classified on both axes (2.3), and the rules run on it at once, against the
 * state as it was before the message (2.4). The message itself is not kept: only facts, spans
 * and findings are, so memory grows with the number of bindings and open expectations, not with
 * the size of the capture. Expectations that need later messages (a PUBLISH after an initial
 * 2xx, a resend after a challenge, a final response within Timer F) are "windows", closed by the
 * message that meets them, by capture time passing their deadline, or by `end()`.
 */
import type { Finding, RelatedInfo, Severity, SeverityLevel, SipMessage, Span, TraceMessage } from '../types';
import { configuredSeverity, type ResolvedSettings } from '../settings';
import { firstHeader, headersOf } from '../sip/parser';
import { parseNameAddr, parseUri } from '../sip/values';
import type {
  BaseContext,
  EndContext,
  MessageContext,
  PublishContext,
  PublishResponseContext,
  RegisterContext,
  ReportOptions,
  RequestContext,
  ResponseContext,
  Rule,
  RuleContext,
  RuleEvent,
  WindowContext,
} from '../rules/types';
import { ALL_RULES } from '../rules/registry';
import {
  type ContactFacts,
  type RegisterFacts,
  type PublishFacts,
  type ResponseFacts,
  findSameBinding,
  detach,
  normalizeAor,
  paramText,
  publishFacts,
  registerFacts,
  responseFacts,
} from './facts';
import {
  type AorState,
  type Attempt,
  type AuthState,
  type CheckResult,
  type Exchange,
  type ExchangeSummary,
  type FlowState,
  type LineageState,
  type MessageRef,
  type OpenWindow,
  type Phase,
  type PublishRecord,
  type WindowKind,
  exchangeKind,
  isBound,
} from './model';
import { hasImsSignals, isObservedDownstream } from './detect';
import { DeadlineHeap } from './deadlines';
import { ColdStore, RestoringMap, SharedStrings, TxTable, type PackedRecordStore } from './cold';

export type { CheckResult, ExchangeSummary } from './model';

/** How long a completed transaction's key is kept to recognise late retransmissions (2 x Timer F). */
const TX_KEEP_SECONDS = 64;
/** Longest lineage timeline kept for FLOW-001. */
const MAX_TIMELINE = 40;
/** Branches remembered per flow for RFC3261-REG-009. */
const MAX_BRANCHES = 64;
/**
 * Capture seconds an AOR stays quiet before its state is packed (cold.ts). Exactness does not
 * depend on it (packing waits by itself for open windows and transactions); it only keeps an AOR
 * that is still busy from being packed and unpacked again and again.
 */
const DEFAULT_PACK_AFTER_SECONDS = 8;
/** Registrar default when neither the 2xx nor the request states an expiry (RFC 3261 §10.3 step 7 example). */
const DEFAULT_EXPIRY = 3600;

/** A rule with its per-run scratch store and the severity the user configured for it. */
interface RuleEntry {
  rule: Rule;
  store: Map<string, unknown>;
  configured?: SeverityLevel;
  /** The rule runs in the IMS profile only. */
  ims: boolean;
  /** `rule.check`, read once: rules are objects of many shapes, so the read per call is megamorphic. */
  check: Rule['check'];
}

function timeOf(m: TraceMessage): number | undefined {
  return m.ts ? m.ts.sec + m.ts.nsec / 1e9 : undefined;
}

function txKeyOf(f: { callId?: string; cseq?: { num: number; method: string }; via: { branch?: string; sentBy?: string }; fromTag?: string }): string {
  const base = `${f.callId ?? ''}\n${f.cseq?.num ?? ''}\n${(f.cseq?.method ?? '').toUpperCase()}`;
  // RFC 3261 §17.1.3; RFC 2543 fallback when the branch lacks the magic cookie (catalog 2.1).
  if (f.via.branch && f.via.branch.startsWith('z9hG4bK')) return detach(`${base}\n${f.via.branch}`);
  return detach(`${base}\n2543:${f.fromTag ?? ''}\n${f.via.sentBy ?? ''}`);
}

/** All values of a header, comma-joined (several header lines count as one list), or undefined. */
function joinedValues(sip: SipMessage, key: string): string | undefined {
  const rows = headersOf(sip, key);
  if (rows.length === 0) return undefined;
  return detach(rows.length === 1 ? rows[0].value : rows.map((h) => h.value).join(', '));
}

const CSEQ_OTHER = 0;
const CSEQ_REGISTER = 1;
const CSEQ_PUBLISH = 2;

/**
 * Which method a CSeq value names: its second whitespace-separated word, upper-cased, is REGISTER
 * or PUBLISH. Read in place for ASCII (every response goes through here); anything else takes
 * the general expression, so the answer is the same for every input.
 */
function cseqMethod(cseq: string): number {
  const n = cseq.length;
  for (let i = 0; i < n; i++) {
    if (cseq.charCodeAt(i) > 0x7e) {
      const m = cseq.trim().split(/\s+/)[1]?.toUpperCase();
      return m === 'REGISTER' ? CSEQ_REGISTER : m === 'PUBLISH' ? CSEQ_PUBLISH : CSEQ_OTHER;
    }
  }
  let p = 0;
  while (p < n && ws(cseq.charCodeAt(p))) p++;
  while (p < n && !ws(cseq.charCodeAt(p))) p++;
  while (p < n && ws(cseq.charCodeAt(p))) p++;
  const s = p;
  while (p < n && !ws(cseq.charCodeAt(p))) p++;
  const len = p - s;
  if (len === 8 && upperIs(cseq, s, 'REGISTER')) return CSEQ_REGISTER;
  if (len === 7 && upperIs(cseq, s, 'PUBLISH')) return CSEQ_PUBLISH;
  return CSEQ_OTHER;
}

/** ASCII white space as /\s/ and trim() read it: HT, LF, VT, FF, CR, SP. */
function ws(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** ASCII `s[at, at + word.length)` upper-cased equals `word` (upper-case letters). */
function upperIs(s: string, at: number, word: string): boolean {
  for (let i = 0; i < word.length; i++) {
    let c = s.charCodeAt(at + i);
    if (c >= 0x61 && c <= 0x7a) c -= 0x20;
    if (c !== word.charCodeAt(i)) return false;
  }
  return true;
}

/** Every field of any event's context (RuleContext): the shape of the one shared context object. */
interface SharedContext {
  rule: Rule | undefined;
  store: Map<string, unknown> | undefined;
  settings: ResolvedSettings | undefined;
  profile: 'generic' | 'ims';
  report: BaseContext['report'];
  event: RuleEvent | undefined;
  msg: TraceMessage | undefined;
  sip: SipMessage | undefined;
  role: MessageContext['role'] | undefined;
  req: RegisterFacts | undefined;
  exchange: Exchange | undefined;
  flow: FlowState | undefined;
  lineage: LineageState | undefined;
  previous: Exchange | undefined;
  aor: AorState | undefined;
  observedDownstream: boolean | undefined;
  time: number | undefined;
  lineageOf: RegisterContext['lineageOf'] | undefined;
  res: ResponseFacts | undefined;
  retransmission: boolean | undefined;
  pub: PublishFacts | undefined;
  settingsPublish: boolean | undefined;
  late: boolean | undefined;
  refreshOf: PublishRecord | undefined;
  publish: PublishRecord | undefined;
  method: string | undefined;
  fromAor: string | undefined;
  window: OpenWindow | undefined;
  captureContinued: boolean | undefined;
  atEnd: boolean | undefined;
  lineages: Iterable<LineageState> | undefined;
}

/** The event-specific fields one dispatch is given (any event's; absent ones read undefined). */
type EventFields = Partial<Omit<SharedContext, 'rule' | 'store' | 'settings' | 'profile' | 'report'>>;

/**
 * Copies one event's fields into the shared context and clears the others. Per event, so each
 * read is of one call site's literal (monomorphic); `f` undefined clears them all.
 */
function fillContext(c: SharedContext, f: EventFields | undefined): void {
  c.event = f?.event;
  c.msg = undefined;
  c.sip = undefined;
  c.role = undefined;
  c.req = undefined;
  c.exchange = undefined;
  c.flow = undefined;
  c.lineage = undefined;
  c.previous = undefined;
  c.aor = undefined;
  c.observedDownstream = undefined;
  c.time = undefined;
  c.lineageOf = undefined;
  c.res = undefined;
  c.retransmission = undefined;
  c.pub = undefined;
  c.settingsPublish = undefined;
  c.late = undefined;
  c.refreshOf = undefined;
  c.publish = undefined;
  c.method = undefined;
  c.fromAor = undefined;
  c.window = undefined;
  c.captureContinued = undefined;
  c.atEnd = undefined;
  c.lineages = undefined;
  if (!f) return;
  switch (f.event) {
    case 'message':
      c.msg = f.msg;
      c.sip = f.sip;
      c.role = f.role;
      break;
    case 'register':
      c.msg = f.msg;
      c.sip = f.sip;
      c.req = f.req;
      c.exchange = f.exchange;
      c.flow = f.flow;
      c.lineage = f.lineage;
      c.previous = f.previous;
      c.aor = f.aor;
      c.observedDownstream = f.observedDownstream;
      c.time = f.time;
      c.lineageOf = f.lineageOf;
      break;
    case 'register-response':
      c.msg = f.msg;
      c.sip = f.sip;
      c.res = f.res;
      c.exchange = f.exchange;
      c.req = f.req;
      c.retransmission = f.retransmission;
      c.lineage = f.lineage;
      c.time = f.time;
      break;
    case 'publish':
      c.msg = f.msg;
      c.sip = f.sip;
      c.pub = f.pub;
      c.aor = f.aor;
      c.settingsPublish = f.settingsPublish;
      c.late = f.late;
      c.refreshOf = f.refreshOf;
      c.time = f.time;
      break;
    case 'publish-response':
      c.msg = f.msg;
      c.sip = f.sip;
      c.res = f.res;
      c.publish = f.publish;
      c.retransmission = f.retransmission;
      break;
    case 'request':
      c.msg = f.msg;
      c.sip = f.sip;
      c.method = f.method;
      c.fromAor = f.fromAor;
      c.aor = f.aor;
      break;
    case 'window':
      c.window = f.window;
      c.captureContinued = f.captureContinued;
      c.atEnd = f.atEnd;
      break;
    case 'end':
      c.lineages = f.lineages;
      break;
  }
}

function normalizeUriText(s: string): string {
  const t = s.trim();
  return normalizeAor(parseUri(t, { start: 0, end: t.length }));
}

/**
 * Streaming: findings handed out as soon as no later message can change them, so a long capture
 * is checked in flat memory (the caller writes them out and forgets them).
 */
export interface CheckerStream {
  /**
   * A batch of final findings: those of one `add` (the message's own, plus expectations that
   * closed on it) or of `end`, sorted by message and position. Batches come in capture order
   * except for findings on earlier messages (an expectation closed by time or by the end).
   */
  findings(batch: Finding[]): void;
  /**
   * Whether `end()` lists the exchanges (default true). They are kept as small summaries either
   * way; false keeps none (only their count), for output that does not list them.
   */
  exchanges?: boolean;
  /**
   * Whether the summaries list the message indexes of each exchange's responses and
   * retransmissions (default true; `sip-inspect check` prints neither, and two grown arrays per
   * exchange were a third of a summary's size).
   */
  exchangeIndexes?: boolean;
  /**
   * Seconds of capture time an AOR must stay quiet before its state is packed into a compact
   * string (see cold.ts); unpacked exactly when a message needs it. Default 8 s; Infinity never
   * packs.
   */
  packAfterSeconds?: number;
  /** Where packed AOR records are kept (default: in memory; the CLI uses a temporary file). */
  packedRecords?: PackedRecordStore;
}

/** Lineages an end-of-capture rule walks between two batches of findings (streaming). */
const END_CHUNK = 4096;

export class RegisterChecker {
  private readonly settings: ResolvedSettings;
  private readonly byEvent = new Map<RuleEvent, RuleEntry[]>();
  private readonly levels = new Map<string, SeverityLevel | undefined>();
  private readonly findings: Finding[] = [];
  /** The exchange each finding belongs to (parallel to `findings`). */
  private readonly findingExchanges: (Exchange | undefined)[] = [];
  /** Findings of rules that explain parse problems (parallel to `findings`). */
  private readonly explaining: boolean[] = [];
  private readonly exchanges: Exchange[] = [];
  /** Streaming: exchange summaries (the exchanges themselves are not kept). */
  private readonly summaries: ExchangeSummary[] = [];
  private exchangeCount = 0;
  /** Closed windows still in the deadline heap (see DeadlineHeap.compact). */
  private closedInHeap = 0;
  /**
   * Transactions by key (catalog 2.1). An open one, or the flow's last, is the Exchange itself; a
   * completed one that no later state refers to is replaced by its compact history copy (see
   * `historyOf`), kept only until its retransmissions can no longer come.
   */
  /** Strings with few distinct values, shared by packed state (cold.ts). */
  private readonly sharedStrings = new SharedStrings();
  private readonly registerTx = new TxTable(this.sharedStrings);
  private readonly publishTx = new Map<string, PublishRecord>();
  /** Completed transaction keys with their completion time, oldest first (eviction). */
  private readonly completed: { time: number; map: Map<string, unknown>; key: string }[] = [];
  private completedHead = 0;
  // Lookups that miss unpack the AOR the key belongs to, when it was packed (cold.ts).
  private readonly flows = new RestoringMap<string, FlowState>((k) => this.cold?.missFlow(k) ?? false);
  private readonly flowLineages = new RestoringMap<string, Set<string>>((k) => this.cold?.missFlow(k) ?? false);
  private readonly lineages = new RestoringMap<string, LineageState>((k) => this.cold?.missLineage(k) ?? false);
  private readonly aors = new RestoringMap<string, AorState>((k) => this.cold?.missAor(k) ?? false);
  private readonly identities = new RestoringMap<string, AorState>((k) => this.cold?.missIdentity(k) ?? false);
  /** Streaming: the AORs that went quiet, packed (memory flat in the number of bindings). */
  private readonly cold: ColdStore | undefined;
  private readonly heap = new DeadlineHeap();
  private readonly undated = new Set<OpenWindow>();
  private readonly finalWindows = new Map<number, OpenWindow>();
  private readonly orphanKeys = new Set<string>();
  private windowSeq = 0;
  /** REGISTER responses seen so far (none at all: a one-way trace, such as a registrar's request log). */
  private registerResponses = 0;
  private now: number | undefined;
  private profile: 'generic' | 'ims';
  private ended = false;

  private readonly stream: CheckerStream | undefined;
  /**
   * Whether exchanges' index lists are kept: only summaries read them, and streaming without
   * summaries has none (an array that was pushed to holds a backing store of 17 slots).
   */
  private readonly listsIndexes: boolean;

  /**
   * With `stream`, findings go to it as they become final and `end()` returns none; without it,
   * `end()` returns them all, sorted.
   */
  constructor(settings: ResolvedSettings, rules: readonly Rule[] = ALL_RULES, stream?: CheckerStream) {
    this.settings = settings;
    this.stream = stream;
    this.listsIndexes = !stream || (stream.exchanges !== false && stream.exchangeIndexes !== false);
    this.profile = settings.profile === 'ims' ? 'ims' : 'generic';
    // Without streaming every Exchange is kept for the result anyway: nothing to pack.
    const quiet = stream?.packAfterSeconds ?? DEFAULT_PACK_AFTER_SECONDS;
    if (stream && quiet !== Infinity) {
      this.cold = new ColdStore(
        { aors: this.aors, identities: this.identities, lineages: this.lineages, flows: this.flows, flowLineages: this.flowLineages, registerTx: this.registerTx, publishTx: this.publishTx, finalWindows: this.finalWindows, summaries: this.summaries, historyOf },
        this.sharedStrings,
        quiet,
        Math.min(16, quiet),
        stream.packedRecords,
      );
    }
    const partner = new Map<string, string>();
    for (const r of rules) if (r.aliasOf) { partner.set(r.id, r.aliasOf); partner.set(r.aliasOf, r.id); }
    for (const r of rules) {
      const p = partner.get(r.id);
      this.levels.set(r.id, configuredSeverity(r.id, settings) ?? (p ? configuredSeverity(p, settings) : undefined));
      if (r.noDiagnostic || this.levels.get(r.id) === 'off') continue;
      const entry: RuleEntry = { rule: r, store: new Map(), configured: this.levels.get(r.id), ims: r.profile === 'ims', check: r.check };
      for (const e of r.appliesTo.events) {
        let list = this.byEvent.get(e);
        if (!list) this.byEvent.set(e, (list = []));
        list.push(entry);
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Public API
  // -------------------------------------------------------------------------------------------

  /** Feeds one message, in capture order. Never throws on bad input. */
  add(m: TraceMessage): void {
    if (this.ended) return;
    this.addMessage(m);
    // A message's parse findings and the rules that explain them run in the same add (message
    // and register events), so the batch can be settled on its own.
    if (this.stream && this.findings.length > 0) this.emitSettled();
  }

  private addMessage(m: TraceMessage): void {
    const time = timeOf(m);
    if (time !== undefined) this.advance(time);
    const sip = m.sip;
    const sl = sip.startLine;
    if (!sl) {
      this.unparsed(m);
      return;
    }
    if (sl.kind === 'request') {
      const method = sl.method.toUpperCase();
      if (method === 'REGISTER') this.onRegister(m, time);
      else if (method === 'PUBLISH') this.onPublish(m, time);
      else this.onOtherRequest(m, method);
    } else {
      const method = cseqMethod(firstHeader(sip, 'cseq')?.value ?? '');
      if (method === CSEQ_REGISTER) this.onRegisterResponse(m, time);
      else if (method === CSEQ_PUBLISH) this.onPublishResponse(m);
    }
  }

  /** Closes open expectations, runs end-of-capture rules and returns the result. */
  end(): CheckResult {
    if (!this.ended) {
      this.ended = true;
      const open: OpenWindow[] = [];
      for (let w = this.heap.pop(); w; w = this.heap.pop()) if (!w.done) open.push(w);
      for (const w of this.undated) if (!w.done) open.push(w);
      open.sort((a, b) => a.opened.index - b.opened.index || a.id - b.id);
      for (const w of open) {
        if (w.done) continue;
        const aor = this.aors.get(w.aor);
        const passed = w.deadline !== undefined && this.now !== undefined && this.now > w.deadline;
        const later = aor !== undefined && aor.activity > w.activityAtOpen;
        this.fireWindow(w, passed || later, true, 'end');
      }
      const lineages = this.cold ? this.cold.allLineages() : this.lineages.values();
      this.dispatch<EndContext>({ event: 'end', lineages: this.stream ? this.settlingEvery(END_CHUNK, lineages) : lineages }, undefined);
      if (this.stream) this.emitSettled();
      else this.finish();
    }
    // Streaming: the summaries themselves (nothing changes them once the checker has ended; a
    // copy of tens of thousands doubled the memory at the end of a large capture).
    const exchanges = this.stream ? this.summaries : this.exchanges.map(summary);
    return { exchanges, exchangeCount: this.exchangeCount, findings: this.findings.slice(), profile: this.profile };
  }

  /**
   * Streaming: the lineages an end-of-capture rule walks (one per binding: hundreds of thousands
   * on a probe's capture), with what was reported handed out every `chunk` of them. In one batch
   * at the end, 30 000 bindings' summaries took 45 MB of heap at once; now a chunk's. The batches
   * are each sorted, so with more than `chunk` lineages the end's findings come in the order the
   * lineages are walked, chunk by chunk.
   */
  private *settlingEvery(chunk: number, lineages: Iterable<LineageState>): Generator<LineageState> {
    let n = 0;
    for (const l of lineages) {
      yield l;
      if (++n % chunk === 0) this.emitSettled();
    }
  }

  /** Streaming: settles the findings gathered since the last batch, hands them out, forgets them. */
  private emitSettled(): void {
    this.finish();
    const batch = this.findings.slice();
    this.findings.length = 0;
    this.findingExchanges.length = 0;
    this.explaining.length = 0;
    if (batch.length > 0) this.stream?.findings(batch);
  }

  /** Drops parse findings a specific rule explains, attaches findings to exchanges, sorts. */
  private finish(): void {
    // Runs for every message with findings: plain loops, and the map only when a rule explains.
    const findings = this.findings;
    const n = findings.length;
    let explained: Map<number, Span[]> | undefined;
    for (let i = 0; i < n; i++) {
      if (!this.explaining[i]) continue;
      const f = findings[i];
      explained ??= new Map();
      let list = explained.get(f.messageIndex);
      if (!list) explained.set(f.messageIndex, (list = []));
      list.push(f.span);
    }
    const kept: { f: Finding; ex: Exchange | undefined }[] = [];
    for (let i = 0; i < n; i++) {
      const f = findings[i];
      if (explained !== undefined && f.ruleId.startsWith('SIP-PARSE-')) {
        const spans = explained.get(f.messageIndex);
        if (spans && spans.some((s) => s.start < Math.max(f.span.end, f.span.start + 1) && f.span.start < Math.max(s.end, s.start + 1))) continue;
      }
      kept.push({ f, ex: this.findingExchanges[i] });
    }
    for (const { f, ex } of kept) {
      // Streaming without summaries: nothing reads the rule ids (and a set per exchange costs).
      if (!ex || (this.stream && !ex.summary) || ex.findingRuleIds?.has(f.ruleId)) continue;
      (ex.findingRuleIds ??= new Set()).add(f.ruleId);
      if (ex.summary) {
        // A new array of the exact size, in order: one grown by splice keeps 17 slots, and the
        // summaries of tens of thousands of exchanges are kept to the end of the capture.
        const ids = ex.summary.findingRuleIds;
        let i = ids.length;
        while (i > 0 && ids[i - 1] > f.ruleId) i--;
        const next: string[] = new Array(ids.length + 1);
        for (let k = 0; k < i; k++) next[k] = ids[k];
        next[i] = f.ruleId;
        for (let k = i; k < ids.length; k++) next[k + 1] = ids[k];
        ex.summary.findingRuleIds = next;
      }
    }
    if (kept.length > 1) kept.sort((a, b) => a.f.messageIndex - b.f.messageIndex || a.f.span.start - b.f.span.start || a.f.ruleId.localeCompare(b.f.ruleId));
    findings.length = 0;
    // One push per finding: spreading hundreds of thousands of arguments overflows the stack.
    for (const k of kept) findings.push(k.f);
  }


  // -------------------------------------------------------------------------------------------
  // Rule dispatch
  // -------------------------------------------------------------------------------------------

  /** The rule being run and where its findings go (one dispatch at a time; rules never nest). */
  private readonly current: { rule?: Rule; configured?: SeverityLevel; exchange?: Exchange; defaultIndex?: number } = {};

  /** `ctx.report` of every context: one function, reading `current`, so dispatch allocates nothing per rule. */
  private readonly reportFn = (span: Span, message: string, opts?: ReportOptions | RelatedInfo[]): void => {
    const { rule, configured, defaultIndex } = this.current;
    if (!rule) return;
    const o: ReportOptions = Array.isArray(opts) ? { related: opts } : (opts ?? {});
    const exchange = o.exchange ?? this.current.exchange;
    const index = o.messageIndex ?? defaultIndex;
    if (index === undefined) return;
    const severity: Severity =
      (o.severityLocked ? o.severity : undefined) ?? (configured && configured !== 'off' ? configured : undefined) ?? o.severity ?? rule.defaultSeverity;
    const f: Finding = { ruleId: rule.id, severity, message: detach(message), messageIndex: index, span: { start: span.start, end: span.end } };
    if (o.related && o.related.length) f.related = o.related.map((r) => ({ messageIndex: r.messageIndex, span: { start: r.span.start, end: r.span.end }, message: detach(r.message) }));
    this.findings.push(f);
    this.findingExchanges.push(exchange);
    this.explaining.push(!!rule.explainsParseProblems);
  };

  /**
   * The one context object every dispatch hands to the rules: one shape for all events, so the
   * dispatcher's writes and the rules' reads stay monomorphic and no context is made per event
   * (a literal per event, grown by five fields, made every store megamorphic: the dispatcher was
   * the checker's largest cost). Rules never keep a context, and dispatches never nest.
   */
  private readonly ctx: SharedContext = {
    rule: undefined, store: undefined, settings: undefined, profile: 'generic', report: this.reportFn, event: undefined,
    msg: undefined, sip: undefined, role: undefined, req: undefined, exchange: undefined, flow: undefined, lineage: undefined,
    previous: undefined, aor: undefined, observedDownstream: undefined, time: undefined, lineageOf: undefined, res: undefined,
    retransmission: undefined, pub: undefined, settingsPublish: undefined, late: undefined, refreshOf: undefined, publish: undefined,
    method: undefined, fromAor: undefined, window: undefined, captureContinued: undefined, atEnd: undefined, lineages: undefined,
  };

  /**
   * Runs the rules of one event. `fields` are the event-specific context fields, copied into the
   * shared context (the other events' fields cleared, as if absent), which every rule gets with
   * its own `rule` and `store`; rules must not keep it.
   */
  private dispatch<C extends RuleContext>(
    fields: Omit<C, keyof BaseContext>,
    exchange: Exchange | undefined,
    defaultIndex?: number,
    only?: RuleEntry[],
  ): void {
    const rules = only ?? this.byEvent.get(fields.event as RuleEvent);
    if (!rules) return;
    const ctx = this.ctx;
    fillContext(ctx, fields as unknown as EventFields);
    ctx.settings = this.settings;
    ctx.profile = this.profile;
    const cur = this.current;
    for (let i = 0; i < rules.length; i++) {
      const entry = rules[i];
      if (entry.ims && this.profile !== 'ims') continue;
      const { rule, store, configured } = entry;
      ctx.rule = rule;
      ctx.store = store;
      cur.rule = rule;
      cur.configured = configured;
      cur.exchange = exchange;
      cur.defaultIndex = defaultIndex;
      try {
        entry.check.call(rule, ctx as unknown as RuleContext);
      } catch (e) {
        // A rule bug must not stop the other rules nor the trace: report it where it happened.
        if (defaultIndex !== undefined) {
          this.findings.push({ ruleId: rule.id, severity: 'info', message: `internal error in rule ${rule.id}: ${(e as Error)?.message ?? e}`, messageIndex: defaultIndex, span: { start: 0, end: 0 } });
          this.findingExchanges.push(exchange);
          this.explaining.push(false);
        }
      }
    }
    cur.rule = undefined;
    // Nothing of the event stays reachable from the checker through the context.
    fillContext(ctx, undefined);
    ctx.rule = undefined;
    ctx.store = undefined;
  }

  /** The `register` rules in scope for a phase and attempt, in rule order (made once per pair: 78 rules, 20 pairs). */
  private readonly registerScope = new Map<Phase, Map<Attempt, RuleEntry[]>>();
  private registerRules(phase: Phase, attempt: Attempt): RuleEntry[] {
    // By phase, then attempt: no key string is built per REGISTER.
    let byAttempt = this.registerScope.get(phase);
    if (!byAttempt) this.registerScope.set(phase, (byAttempt = new Map()));
    let list = byAttempt.get(attempt);
    if (!list) {
      list = (this.byEvent.get('register') ?? []).filter(({ rule: { appliesTo: s } }) => (!s.phases || s.phases.includes(phase)) && (!s.attempts || s.attempts.includes(attempt)));
      byAttempt.set(attempt, list);
    }
    return list;
  }

  private messageRules(m: TraceMessage, role: 'register' | 'register-response' | 'publish' | 'publish-response', exchange?: Exchange): void {
    this.dispatch<MessageContext>({ event: 'message', msg: m, sip: m.sip, role }, exchange, m.index);
  }

  private unparsed(m: TraceMessage): void {
    const sip = m.sip;
    const cseq = firstHeader(sip, 'cseq')?.value ?? '';
    const head = sip.text.slice(0, 16).toUpperCase();
    const isResponse = head.startsWith('SIP/');
    let role: 'register' | 'register-response' | 'publish' | 'publish-response' | undefined;
    if (/\bREGISTER\b/i.test(cseq) || head.startsWith('REGISTER')) role = isResponse ? 'register-response' : 'register';
    else if (/\bPUBLISH\b/i.test(cseq) || head.startsWith('PUBLISH')) role = isResponse ? 'publish-response' : 'publish';
    if (role) this.messageRules(m, role);
  }

  // -------------------------------------------------------------------------------------------
  // Time and windows
  // -------------------------------------------------------------------------------------------

  private advance(time: number): void {
    if (this.now !== undefined && time <= this.now) return;
    this.now = time;
    for (let w = this.heap.peek(); w && (w.done || (w.deadline as number) < time); w = this.heap.peek()) {
      this.heap.pop();
      if (!w.done) this.fireWindow(w, true, false, 'deadline');
      else if (this.closedInHeap > 0) this.closedInHeap--;
    }
    // Forget completed transactions once their retransmissions can no longer come.
    while (this.completedHead < this.completed.length && this.completed[this.completedHead].time + TX_KEEP_SECONDS < time) {
      const c = this.completed[this.completedHead++];
      c.map.delete(c.key);
    }
    if (this.completedHead > 1024 && this.completedHead * 2 > this.completed.length) {
      this.completed.splice(0, this.completedHead);
      this.completedHead = 0;
    }
    this.cold?.tick(time);
  }

  /** Streaming: AORs packed and unpacked so far, and packed now (tests, measurements). */
  get packing(): { packed: number; unpacked: number; cold: number } {
    return { packed: this.cold?.stats.packed ?? 0, unpacked: this.cold?.stats.unpacked ?? 0, cold: this.cold?.size ?? 0 };
  }

  private openWindow(kind: WindowKind, opened: MessageRef, time: number | undefined, seconds: number, aor: AorState, flowKey: string, lineageKey: string, exchange?: Exchange): OpenWindow {
    const w: OpenWindow = {
      id: ++this.windowSeq, kind, opened, openedTime: time, deadline: time !== undefined ? time + seconds : undefined,
      aor: aor.aor, flowKey, lineageKey, exchange, activityAtOpen: aor.activity, done: false,
    };
    if (w.deadline !== undefined) this.heap.push(w);
    else this.undated.add(w);
    return w;
  }

  /** `popped`: the window was taken out of the deadline heap already. */
  private closeWindow(w: OpenWindow | undefined, popped = false): void {
    if (!w || w.done) return;
    w.done = true;
    if (w.deadline === undefined) this.undated.delete(w);
    else if (!popped && ++this.closedInHeap > 1024 && this.closedInHeap * 2 > this.heap.size) {
      this.heap.compact((x) => !x.done);
      this.closedInHeap = 0;
    }
  }

  private fireWindow(w: OpenWindow, captureContinued: boolean, atEnd: boolean, closedBy: OpenWindow['closedBy']): void {
    this.closeWindow(w, closedBy === 'deadline' || closedBy === 'end');
    w.closedBy = closedBy;
    const aor = this.aors.get(w.aor);
    if (w.kind === 'publish' && aor) {
      if (aor.publishWindow === w) aor.publishWindow = undefined;
      // A PUBLISH that still comes before the next REGISTER is the (late) settings publication.
      if (closedBy === 'deadline') aor.awaitingLatePublish = w;
    }
    if (w.kind === 'final-response' && w.exchange) this.finalWindows.delete(w.exchange.id);
    this.dispatch<WindowContext>({ event: 'window', window: w, captureContinued, atEnd }, w.exchange, w.opened.index);
  }

  // -------------------------------------------------------------------------------------------
  // State lookups
  // -------------------------------------------------------------------------------------------

  /** The AOR's state; its `aor` is the one stored copy of the name (share it, do not copy it). */
  private aorState(name: string): AorState {
    let a = this.aors.get(name);
    if (!a) {
      const aor = detach(name);
      a = { aor, identities: new Set([aor]), lineageKeys: new Set(), everRegistered: false, activity: 0, serviceRoute: [], publications: new Map(), flow004Reported: false };
      this.aors.set(aor, a);
      if (!this.identities.has(aor)) this.identities.set(aor, a);
    }
    return a;
  }

  /** The flow's state; `key` and `callId` are its stored copies (exchanges share them). */
  private flowState(aor: string, callId: string): FlowState {
    const key = `${aor}\n${callId}`;
    let f = this.flows.get(key);
    if (!f) {
      f = { key: detach(key), aor, callId: detach(callId), branches: new Map() };
      this.flows.set(f.key, f);
      const owner = this.cold ? this.aors.get(aor) : undefined;
      if (owner) (owner.flowKeys ??= []).push(f.key);
    }
    return f;
  }

  private readonly lineageOf = (key: string): LineageState | undefined => this.lineages.get(key);

  private lineageKeyOf(aor: string, c: ContactFacts): string {
    return c.instance ? `${aor}|instance:${c.instance}` : `${aor}|uri:${c.uriKey}`;
  }

  private lineageState(key: string, aor: string, c?: ContactFacts): LineageState {
    let l = this.lineages.get(key);
    if (!l) {
      key = detach(key);
      l = {
        key, aor, contactUri: detach(c?.uriKey ?? ''), instanceId: c?.instance !== undefined ? detach(c.instance) : undefined, history: false, registered: false, imRegistered: false,
        imDeregistered: false, outbound: false, timeline: [], timelineDropped: 0, serviceRoute: [], pAssociatedUri: [],
      };
      this.lineages.set(key, l);
      this.aorState(aor).lineageKeys.add(key);
    }
    return l;
  }

  private complete(map: Map<string, unknown>, key: string, time: number | undefined): void {
    if (time !== undefined) this.completed.push({ time, map, key });
  }

  // -------------------------------------------------------------------------------------------
  // REGISTER
  // -------------------------------------------------------------------------------------------

  private onRegister(m: TraceMessage, time: number | undefined): void {
    const sip = m.sip;
    const req = registerFacts(sip);
    const txKey = txKeyOf(req);
    const existing = this.registerTx.get(txKey);
    // P-12: same Call-ID, CSeq, top branch and start line -> a retransmission, not a new transaction.
    if (existing && existing.startLineText === req.startLine) {
      if (this.listsIndexes) existing.retransmissionIndexes.push(m.index);
      return;
    }
    if (this.settings.profile === 'auto' && this.profile === 'generic' && hasImsSignals(sip)) this.profile = 'ims';

    // Names are looked up as read and copied only when new state is made: exchanges share the
    // stored copies (memory per exchange, and fewer copies per message).
    const aor = this.aorState(req.toAor || req.fromAor || '(no AOR)');
    const aorKey = aor.aor;
    aor.activity++;
    const flow = this.flowState(aorKey, req.callId ?? '');
    const callId = flow.callId;
    const prev = flow.last;

    // Primary contact: the first one that registers (non-zero), else the first one.
    const named = req.contacts.filter((c) => !c.star);
    const primary = named.find((c) => c.effExpiry !== 0) ?? named[0];
    let lineageKey: string;
    if (primary) lineageKey = this.lineageKeyOf(aorKey, primary);
    else lineageKey = flow.lastLineageKey ?? `${aorKey}|${req.star ? '*' : 'query'}`;
    const lineage = this.lineageState(lineageKey, aorKey, primary);
    lineageKey = lineage.key;
    let flowSet = this.flowLineages.get(flow.key);
    if (!flowSet) this.flowLineages.set(flow.key, (flowSet = new Set()));

    // A trace with no REGISTER response at all (e.g. a registrar log that prints requests only):
    // take the previous REGISTER of the flow as accepted, so that this one is classified against
    // it rather than as a new registration, and mark the classification uncertain (CLASS-001).
    let assumed = false;
    if (prev && prev.finalStatus === undefined && this.registerResponses === 0 && prev.req) {
      this.applySuccess(prev, undefined, prev.startLine, prev.time, aor, true);
      assumed = true;
    }

    // Attempt axis (catalog 2.3).
    let attempt: Attempt = 'first';
    if (prev?.finalStatus === 401 || prev?.finalStatus === 407) {
      const creds = prev.finalStatus === 401 ? req.authorization : req.proxyAuthorization;
      const realm = creds?.values.get('realm');
      if (realm !== undefined && (prev.challenges ?? []).some((c) => (c.realm ?? '').toLowerCase() === realm.toLowerCase())) attempt = 'auth-resend';
    } else if (prev?.finalStatus === 423) {
      attempt = 'interval-retry';
    }

    // Phase axis (catalog 2.3).
    const nonZero = named.filter((c) => c.effExpiry !== 0);
    const mixed = nonZero.length > 0 && nonZero.length < named.length;
    let phase: Phase;
    let uncertain = false;
    let uncertainReason: Exchange['uncertainReason'];
    let imReRegistration = false;
    let keptLineageKey: string | undefined;
    if (attempt !== 'first' && prev) {
      // A resend or an interval retry repeats the step it retries.
      phase = prev.phase;
      uncertain = prev.uncertain;
      uncertainReason = prev.uncertainReason;
      imReRegistration = prev.imReRegistration;
      keptLineageKey = prev.keptLineageKey;
    } else if (req.contacts.length === 0) {
      phase = 'query';
    } else if (req.star || nonZero.length === 0) {
      phase = 'full-deregistration';
    } else {
      let ref = lineage;
      if (!lineage.history && primary && primary.imTags.size === 0) {
        // A tag-less REGISTER with a new contact URI in a flow whose other binding is IM-registered:
        // the client tried to leave IM but moved the binding (OMA-IM-REG-017).
        for (const k of flowSet) {
          const other = this.lineages.get(k);
          if (!other || k === lineageKey || !other.imRegistered || !isBound(other, time)) continue;
          const removed = named.some((c) => c.uriKey === other.contactUri && c.effExpiry === 0);
          if (!removed) {
            keptLineageKey = k;
            ref = other;
            break;
          }
        }
      }
      const bound = isBound(ref, time);
      if (primary && primary.imTags.size === 0 && ref.imRegistered && bound) phase = 'im-deregistration';
      else if (bound) {
        phase = 'refresh';
        imReRegistration = !!primary && primary.imTags.size > 0 && !ref.imRegistered;
      } else phase = 'initial';
      if (assumed) {
        uncertain = true;
        uncertainReason = 'no-responses';
      } else if (phase === 'initial' && !lineage.history && !keptLineageKey) {
        // Capture started mid-way? Credentials that answer no challenge seen here mean an earlier
        // exchange is missing (CLASS-001). A CSeq above 1 alone proves nothing: baresip and pjsip
        // start at a random CSeq.
        const creds = req.authorization ?? req.proxyAuthorization;
        const nonce = creds?.values.get('nonce');
        const answersCapturedChallenge = prev?.finalStatus === 401 || prev?.finalStatus === 407;
        if (nonce !== undefined && nonce !== '' && !answersCapturedChallenge) {
          uncertain = true;
          uncertainReason = 'mid-capture';
        }
      }
    }

    const ex: Exchange = {
      id: ++this.exchangeCount,
      callId,
      cseq: req.cseq?.num ?? 0,
      aor: aorKey,
      flowKey: flow.key,
      lineageKey,
      keptLineageKey,
      phase,
      attempt,
      kind: exchangeKind(phase, attempt),
      uncertain,
      uncertainReason,
      imReRegistration,
      mixed,
      requestIndex: m.index,
      startLine: { index: m.index, span: req.startLineSpan },
      startLineText: detach(req.startLine),
      cseqSpan: req.cseq?.span,
      time,
      imTags: primary ? [...primary.imTags] : [],
      req,
      txKey,
      responseIndexes: [],
      retransmissionIndexes: [],
      authorizationRaw: req.authorization ? detach(req.authorization.raw) : undefined,
      proxyAuthorizationRaw: req.proxyAuthorization ? detach(req.proxyAuthorization.raw) : undefined,
      findingRuleIds: undefined,
    };
    // RFC 3329 security agreement (IMS): kept raw, for the IMS rules that compare a resend or a
    // re-registration with what came before.
    const securityClient = joinedValues(sip, 'security-client');
    if (securityClient !== undefined) ex.securityClient = securityClient;
    const securityVerify = joinedValues(sip, 'security-verify');
    if (securityVerify !== undefined) ex.securityVerify = securityVerify;
    if (attempt === 'auth-resend' && prev?.securityServer !== undefined) ex.challengeSecurityServer = prev.securityServer;
    if (!this.stream) this.exchanges.push(ex);
    else if (this.stream.exchanges !== false) {
      // Shares the index arrays with the exchange; finalStatus and rule ids are written through.
      const s: ExchangeSummary = {
        id: ex.id, callId: ex.callId, cseq: ex.cseq, aor: ex.aor, kind: ex.kind, phase: ex.phase, attempt: ex.attempt,
        requestIndex: ex.requestIndex, responseIndexes: ex.responseIndexes, retransmissionIndexes: ex.retransmissionIndexes, findingRuleIds: [],
      };
      if (ex.uncertain) s.uncertain = true;
      ex.summary = s;
      this.summaries.push(s);
    }

    // Expectations met by this REGISTER.
    this.closeWindow(aor.challengeWindow);
    aor.challengeWindow = undefined;
    if (aor.publishWindow && !aor.publishWindow.done && aor.publishWindow.lineageKey === lineageKey) {
      aor.publishWindow.closedByPhase = phase;
      this.fireWindow(aor.publishWindow, true, false, 'next-register');
    }
    if (aor.awaitingLatePublish?.lineageKey === lineageKey) aor.awaitingLatePublish = undefined;

    const observedDownstream = isObservedDownstream(sip, req);
    this.messageRules(m, 'register', ex);
    this.dispatch<RegisterContext>(
      { event: 'register', msg: m, sip, req, exchange: ex, flow, lineage, previous: prev, aor, observedDownstream, time, lineageOf: this.lineageOf },
      ex,
      m.index,
      this.registerRules(phase, attempt),
    );

    // State changes made by the request itself (registration state changes on the 2xx).
    const ref: MessageRef = { index: m.index, span: req.startLineSpan };
    if (prev) {
      // The previous transaction is history now: keep its summary, drop what only its successor
      // needed (a final response that still comes updates no state; its successor's will).
      prev.req = undefined;
      prev.challenges = undefined;
      prev.authorizationRaw = undefined;
      prev.proxyAuthorizationRaw = undefined;
      prev.securityClient = undefined;
      prev.securityVerify = undefined;
      prev.securityServer = undefined;
      prev.challengeSecurityServer = undefined;
      this.keepAsHistory(prev);
    }
    flow.last = ex;
    flow.lastLineageKey = lineageKey;
    flowSet.add(lineageKey);
    if (req.via.branch) {
      if (flow.branches.size >= MAX_BRANCHES) flow.branches.delete(flow.branches.keys().next().value as string);
      flow.branches.set(detach(req.via.branch), { index: m.index, span: req.via.branchSpan ?? req.startLineSpan });
    }
    lineage.history = true;
    lineage.first ??= ref;
    lineage.callId = callId;
    lineage.lastCSeq = req.cseq?.num;
    lineage.lastRegistrar = detach(req.registrar);
    lineage.lastRegister = ref;
    lineage.lastRegisterTime = time;
    lineage.outstanding = ex;
    if (lineage.timeline.length < MAX_TIMELINE) lineage.timeline.push({ kind: ex.kind, index: m.index });
    else lineage.timelineDropped++;
    this.registerTx.set(txKey, ex);
    this.finalWindows.set(ex.id, this.openWindow('final-response', ref, time, this.settings.timerFSeconds, aor, flow.key, lineageKey, ex));
  }

  private onRegisterResponse(m: TraceMessage, time: number | undefined): void {
    const sip = m.sip;
    const res = responseFacts(sip);
    this.registerResponses++;
    if (this.settings.profile === 'auto' && this.profile === 'generic' && hasImsSignals(sip)) this.profile = 'ims';
    const txKey = txKeyOf(res);
    const ex = this.registerTx.get(txKey);
    const final = res.status >= 200;
    if (!ex) {
      // Orphan: report once per transaction key (its retransmissions are the same orphan).
      if (this.orphanKeys.has(txKey)) return;
      this.orphanKeys.add(txKey);
      this.messageRules(m, 'register-response');
      this.dispatch<ResponseContext>({ event: 'register-response', msg: m, sip, res, retransmission: false, time }, undefined, m.index);
      return;
    }
    if (this.listsIndexes) ex.responseIndexes.push(m.index);
    const retransmission = final && ex.finalStatus !== undefined;
    const lineage = this.lineages.get(ex.lineageKey);
    if (!retransmission) this.messageRules(m, 'register-response', ex);
    this.dispatch<ResponseContext>(
      { event: 'register-response', msg: m, sip, res, exchange: ex, req: ex.req, retransmission, lineage, time },
      ex,
      m.index,
    );
    if (!final || retransmission) return;

    ex.finalStatus = res.status;
    if (ex.summary) ex.summary.finalStatus = res.status;
    ex.final = { index: m.index, span: res.startLineSpan, time };
    this.closeWindow(this.finalWindows.get(ex.id));
    this.finalWindows.delete(ex.id);
    this.complete(this.registerTx as Map<string, unknown>, ex.txKey, time);
    const aor = this.aorState(ex.aor);
    const ref: MessageRef = { index: m.index, span: res.startLineSpan };
    if (lineage) {
      if (lineage.outstanding === ex) lineage.outstanding = undefined;
      lineage.lastFinal = { status: res.status, ref, securityServer: !!firstHeader(sip, 'security-server') };
      const timeline = lineage.timeline;
      for (let i = timeline.length - 1; i >= 0; i--) {
        if (timeline[i].index === ex.requestIndex) {
          timeline[i].status = res.status;
          break;
        }
      }
    }
    if (res.status >= 200 && res.status < 300) {
      this.applySuccess(ex, res, ref, time, aor);
      if (lineage && ex.req?.authorization) {
        // RFC 2617 §3.2.3: a nextnonce in Authentication-Info is the nonce of the next request.
        const nextnonce = /(?:^|[\s,])nextnonce\s*=\s*"([^"]*)"/i.exec(firstHeader(sip, 'authentication-info')?.value ?? '')?.[1];
        lineage.lastAuth = authState(ex, ex.req, lineage.lastAuth, nextnonce);
      }
    } else if (res.status === 401 || res.status === 407) {
      const securityServer = joinedValues(sip, 'security-server');
      if (securityServer !== undefined) ex.securityServer = securityServer;
      ex.challenges = res.challenges.map((c) => ({
        scheme: detach(c.scheme), realm: c.realm && detach(c.realm), nonce: c.nonce && detach(c.nonce), algorithm: c.algorithm && detach(c.algorithm),
        opaque: c.opaque && detach(c.opaque), qop: c.qop && detach(c.qop), stale: c.stale && detach(c.stale), span: c.span,
      }));
      this.closeWindow(aor.challengeWindow);
      aor.challengeWindow = this.openWindow('challenge', ref, time, this.settings.timerFSeconds, aor, ex.flowKey, ex.lineageKey, ex);
    } else if (res.status === 423) {
      ex.minExpires = res.minExpires ? { ...res.minExpires, index: m.index } : undefined;
    } else if (res.status === 420) {
      const pref = res.unsupported.find((t) => t.token.toLowerCase() === 'pref');
      if (pref) ex.prefRejected = { index: m.index, span: pref.span };
    }
    // The request facts served the response rules and the state update; they hold slices of the
    // request text, so they go now.
    ex.req = undefined;
    // Answered after its flow moved on (the next REGISTER was sent first): it is history already.
    if (this.flows.get(ex.flowKey)?.last !== ex) this.keepAsHistory(ex);
  }

  /**
   * Issue 7: a completed transaction that is no longer its flow's `last` stays in `registerTx` for
   * TX_KEEP_SECONDS only to recognise late retransmissions of its request (P-12: the start line)
   * and to match late responses (a retransmitted final response, a stray provisional one). Those
   * read its identity and index lists, never what only its successor needed, so it is kept as a
   * compact copy, not the whole Exchange. What the copy leaves out was dropped at supersession
   * already (request facts, credentials, security headers, the challenge) or is read through
   * `previous`, `lineage.outstanding`, a window or a rule's store only, which hold the Exchange
   * itself (time, cseqSpan, final, minExpires, prefRejected): the register-response rules read
   * no field of `exchange` on a retransmitted final or a late provisional response (all of them
   * return first on `retransmission`, a status below 200 or a missing `req`; RFC3261-RSP-003
   * tests only that there is one). The index arrays and the rule-id set are shared
   * with the summary, so what late messages add still reaches the output.
   * Without streaming the checker keeps every Exchange anyway: nothing to gain, nothing changed.
   */
  private keepAsHistory(ex: Exchange): void {
    if (!this.stream || ex.finalStatus === undefined || this.registerTx.get(ex.txKey) !== ex) return;
    this.registerTx.setHistory(ex.txKey, historyOf(ex));
  }

  /**
   * Catalog 2.4: a 2xx updates the bindings the request named. `assumed`: no response is in the
   * trace at all and the request is taken as accepted (no 2xx facts, no expectations opened).
   */
  private applySuccess(ex: Exchange, res: ResponseFacts | undefined, ref: MessageRef, time: number | undefined, aor: AorState, assumed = false): void {
    const req = ex.req as RegisterFacts | undefined;
    if (!req) return;
    const requestRef: MessageRef = { index: ex.requestIndex, span: ex.startLine.span };
    const wasImOn = this.aorImOn(aor, time);
    const outbound = req.supported.some((t) => t.token.toLowerCase() === 'outbound');
    for (const c of req.contacts) {
      if (c.star) {
        for (const k of aor.lineageKeys) {
          const l = this.lineages.get(k);
          if (!l) continue;
          l.registered = false;
          l.imRegistered = false;
          l.imDeregistered = false;
          l.lastDereg = { ...requestRef, phase: 'full-deregistration' };
        }
        continue;
      }
      const key = this.lineageKeyOf(ex.aor, c);
      const l = this.lineageState(key, ex.aor, c);
      l.history = true;
      if (c.effExpiry === 0) {
        l.registered = false;
        l.imRegistered = false;
        l.imDeregistered = false;
        l.lastDereg = { ...requestRef, phase: 'full-deregistration' };
        continue;
      }
      const wasIm = l.imRegistered;
      l.registered = true;
      l.imRegistered = c.imTags.size > 0;
      if (l.imRegistered) {
        l.lastTagged = requestRef;
        l.imDeregistered = false;
        l.lastDereg = undefined;
      } else if (wasIm) {
        l.imDeregistered = true;
        l.lastDereg = { ...requestRef, phase: 'im-deregistration' };
      }
      const granted = res ? findSameBinding(res.contacts, c) : undefined;
      const grantedParam = granted?.expiresParam ? Number(paramText(granted.expiresParam)) : NaN;
      l.grantedExpiry = Number.isFinite(grantedParam)
        ? grantedParam
        : res?.expiresHeader?.value ?? (typeof c.effExpiry === 'number' ? c.effExpiry : DEFAULT_EXPIRY);
      l.grantTime = time;
      l.grant = ref;
      l.contactUri = detach(c.uriKey);
      l.outbound = !!c.regId && outbound;
      l.serviceRoute = (res?.serviceRoute ?? []).map(detach);
      l.pAssociatedUri = (res?.pAssociatedUri ?? []).map(detach);
      aor.everRegistered = true;
    }
    // Identities registered with the AOR, implicitly included (OMA-IM-REG-021).
    for (const u of res?.pAssociatedUri ?? []) {
      const id = detach(normalizeUriText(u));
      if (!id) continue;
      aor.identities.add(id);
      if (!this.identities.has(id)) this.identities.set(id, aor);
    }
    if (res && res.serviceRoute.length) {
      aor.serviceRoute = res.serviceRoute.map(detach);
      aor.serviceRouteAt = ref;
    }
    const imOn = this.aorImOn(aor, time);
    if (wasImOn && !imOn) aor.imOffSince = { ...requestRef, phase: ex.phase };
    if (imOn) aor.imOffSince = undefined;
    // OMA-TS-SIMPLE_IM §5.2.2: each successful initial registration is followed by the IM service
    // settings publication; an IM re-registration counts as initial (decision 11.6).
    if (!assumed && (ex.phase === 'initial' || ex.imReRegistration) && !ex.uncertain && ex.imTags.length > 0) {
      this.closeWindow(aor.publishWindow);
      aor.awaitingLatePublish = undefined;
      aor.publishWindow = this.openWindow('publish', ref, time, this.settings.publishWindowSeconds, aor, ex.flowKey, ex.lineageKey, ex);
    }
  }

  private aorImOn(aor: AorState, time: number | undefined): boolean {
    for (const k of aor.lineageKeys) {
      const l = this.lineages.get(k);
      if (l && l.imRegistered && isBound(l, time)) return true;
    }
    return false;
  }

  // -------------------------------------------------------------------------------------------
  // PUBLISH and other requests
  // -------------------------------------------------------------------------------------------

  private findAor(...ids: string[]): AorState | undefined {
    for (const id of ids) {
      if (!id) continue;
      const a = this.identities.get(id);
      if (a) return a;
    }
    return undefined;
  }

  private onPublish(m: TraceMessage, time: number | undefined): void {
    const sip = m.sip;
    const pub = publishFacts(sip);
    const txKey = txKeyOf(pub);
    const existing = this.publishTx.get(txKey);
    if (existing) return; // retransmission
    const aor = this.findAor(pub.requestAor, pub.fromAor, pub.toAor);
    if (aor) aor.activity++;
    let settingsPublish = false;
    let late = false;
    const w = aor?.publishWindow;
    if (aor && w && !w.done && (w.deadline === undefined || time === undefined || time <= w.deadline)) {
      settingsPublish = true;
      this.closeWindow(w);
      aor.publishWindow = undefined;
    } else if (aor?.awaitingLatePublish) {
      settingsPublish = true;
      late = true;
      aor.awaitingLatePublish = undefined;
    }
    const eventText = pub.events[0]?.value.split(';')[0].trim().toLowerCase();
    const event = eventText ? detach(eventText) : undefined;
    const prior = event && aor ? aor.publications.get(event) : undefined;
    const refreshOf = prior?.etag !== undefined && !pub.hasBody ? prior : undefined;
    const record: PublishRecord = { index: m.index, startLine: pub.startLineSpan, aor: aor?.aor ?? detach(pub.requestAor), event, settings: settingsPublish || !!refreshOf?.settings, txKey };
    this.publishTx.set(txKey, record);
    this.messageRules(m, 'publish');
    this.dispatch<PublishContext>({ event: 'publish', msg: m, sip, pub, aor, settingsPublish, late, refreshOf, time }, undefined, m.index);
  }

  private onPublishResponse(m: TraceMessage): void {
    const sip = m.sip;
    const res = responseFacts(sip);
    const txKey = txKeyOf(res);
    const record = this.publishTx.get(txKey);
    const final = res.status >= 200;
    const retransmission = final && record?.finalStatus !== undefined;
    if (!retransmission) this.messageRules(m, 'publish-response');
    this.dispatch<PublishResponseContext>({ event: 'publish-response', msg: m, sip, res, publish: record, retransmission }, undefined, m.index);
    if (!record || !final || retransmission) return;
    record.finalStatus = res.status;
    this.complete(this.publishTx as Map<string, unknown>, txKey, timeOf(m));
    if (res.status >= 200 && res.status < 300) {
      const etag = firstHeader(sip, 'sip-etag')?.value.trim();
      if (etag) record.etag = detach(etag);
      const aor = this.aors.get(record.aor) ?? this.identities.get(record.aor);
      if (aor && record.event && etag) aor.publications.set(record.event, record);
    }
  }

  private onOtherRequest(m: TraceMessage, method: string): void {
    if (method === 'ACK' || method === 'CANCEL') return;
    const rules = this.byEvent.get('request');
    const sip = m.sip;
    const toH = firstHeader(sip, 'to');
    const fromH = firstHeader(sip, 'from');
    if (!fromH) return;
    // In-dialog requests (To tag) belong to a session, not to registration-level checks.
    if (toH && /;\s*tag\s*=/i.test(toH.value)) return;
    const from = parseNameAddr(sip, fromH).value;
    const fromAor = normalizeAor(from?.uri);
    const aor = this.identities.get(fromAor);
    if (aor) aor.activity++;
    if (!rules) return;
    this.dispatch<RequestContext>({ event: 'request', msg: m, sip: sip as SipMessage, method, fromAor, aor }, undefined, m.index);
  }
}

/**
 * What an accepted REGISTER with credentials leaves for the next re-registration (3GPP TS 24.229
 * §5.1.1.4.1): realm and nonce as last used (or the 2xx's nextnonce), the Security-Client offered, and the Security-Server
 * of the last successful authentication (the challenge a resend answered, else unchanged).
 */
function authState(ex: Exchange, req: RegisterFacts, before: AuthState | undefined, nextnonce?: string): AuthState {
  const v = req.authorization?.values;
  const get = (k: string) => {
    const x = v?.get(k);
    return x === undefined ? undefined : detach(x);
  };
  return {
    ref: { index: ex.requestIndex, span: ex.startLine.span },
    realm: get('realm'),
    nonce: nextnonce !== undefined ? detach(nextnonce) : get('nonce'),
    username: get('username'),
    securityClient: ex.securityClient,
    securityServer: ex.challengeSecurityServer ?? before?.securityServer ?? ex.securityVerify,
  };
}

/** The compact copy of a completed, superseded exchange `registerTx` keeps (see keepAsHistory). */
function historyOf(ex: Exchange): Exchange {
  const s = ex.summary;
  // The rule ids of its findings: one set shared by both objects (the exchange may still get
  // findings through a window or a rule's store, its copy through a late response). Only the
  // summary reads it, so without one there is nothing to share.
  const findingRuleIds = s ? (ex.findingRuleIds ??= new Set()) : undefined;
  const h: Exchange = {
    id: ex.id,
    callId: ex.callId,
    cseq: ex.cseq,
    aor: ex.aor,
    flowKey: ex.flowKey,
    lineageKey: ex.lineageKey,
    phase: ex.phase,
    attempt: ex.attempt,
    kind: ex.kind,
    uncertain: ex.uncertain,
    imReRegistration: ex.imReRegistration,
    mixed: ex.mixed,
    requestIndex: ex.requestIndex,
    startLine: ex.startLine,
    startLineText: ex.startLineText,
    imTags: ex.imTags,
    txKey: ex.txKey,
    // With a summary these are its arrays (late indexes go to the output); without one nothing
    // reads them, and empty arrays cost no backing store.
    responseIndexes: s ? ex.responseIndexes : [],
    retransmissionIndexes: s ? ex.retransmissionIndexes : [],
    finalStatus: ex.finalStatus,
    findingRuleIds,
    summary: s,
  };
  if (ex.keptLineageKey !== undefined) h.keptLineageKey = ex.keptLineageKey;
  if (ex.uncertainReason !== undefined) h.uncertainReason = ex.uncertainReason;
  return h;
}

function summary(ex: Exchange): ExchangeSummary {
  const s: ExchangeSummary = {
    id: ex.id,
    callId: ex.callId,
    cseq: ex.cseq,
    aor: ex.aor,
    kind: ex.kind,
    phase: ex.phase,
    attempt: ex.attempt,
    requestIndex: ex.requestIndex,
    responseIndexes: ex.responseIndexes.slice(),
    retransmissionIndexes: ex.retransmissionIndexes.slice(),
    findingRuleIds: ex.findingRuleIds ? [...ex.findingRuleIds].sort() : [],
  };
  if (ex.uncertain) s.uncertain = true;
  if (ex.finalStatus !== undefined) s.finalStatus = ex.finalStatus;
  return s;
}
