/**
 * Cold bindings: the state of an AOR that has been quiet for a while (its lineages, flows, the
 * exchanges they hold, its done windows and publications) packed into one string, and unpacked
 * exactly when any message or the end of the capture needs it again.
 *
 * Why: a long capture registers tens of thousands of AORs and most of them de-register long
 * before it ends, but their state (FLOW-001 needs every lineage's timeline at the end; a later
 * REGISTER of the same AOR reads nearly all of it) was kept as an object graph of ~7.5 KB per
 * binding, and V8 sizes its heap at ~3x the live data. Packed, an AOR takes a few hundred bytes.
 *
 * Exactness: packing is only done when nothing outside the AOR's own graph can still reach one of
 * its objects in a way that matters (identity or later mutation): no open window of its own, no
 * exchange of it still in the transaction table (a late retransmission or response would hold
 * the original object), no exchange with request facts, no publication still in the PUBLISH
 * transaction table. Every lookup that misses (AOR, identity, lineage, flow) first unpacks the
 * AOR the key belongs to, so the checker sees the same state it would have without packing; the
 * only differences are object identity (never compared across the packed boundary, see above)
 * and Map insertion order of `lineages` (read only at the end, by FLOW-001, whose findings are
 * sorted by message).
 */
import type { ChallengeFacts, ImTag } from './facts';
import type {
  AorState,
  AuthState,
  Exchange,
  ExchangeKind,
  ExchangeSummary,
  FlowState,
  LineageState,
  MessageRef,
  OpenWindow,
  Phase,
  PublishRecord,
  TimelineEntry,
} from './model';

/**
 * A Map that, on a miss, asks `miss(key)` to bring the entry back (unpack its AOR) and looks
 * again. `peek` is the plain lookup (for the packing code itself).
 */
export class RestoringMap<K, V> extends Map<K, V> {
  private readonly miss: (key: K) => boolean;
  constructor(miss: (key: K) => boolean) {
    super();
    this.miss = miss;
  }
  override get(key: K): V | undefined {
    const v = super.get(key);
    if (v !== undefined || !this.miss(key)) return v;
    return super.get(key);
  }
  override has(key: K): boolean {
    return super.has(key) || (this.miss(key) && super.has(key));
  }
  peek(key: K): V | undefined {
    return super.get(key);
  }
}

/** What the packer reads and writes of the checker's state. */
export interface ColdHost {
  readonly aors: RestoringMap<string, AorState>;
  readonly identities: RestoringMap<string, AorState>;
  readonly lineages: RestoringMap<string, LineageState>;
  readonly flows: RestoringMap<string, FlowState>;
  readonly flowLineages: RestoringMap<string, Set<string>>;
  readonly registerTx: TxTable;
  readonly publishTx: Map<string, PublishRecord>;
  readonly finalWindows: Map<number, OpenWindow>;
  /** Streaming summaries, by exchange id - 1 (when the output lists exchanges). */
  readonly summaries: readonly ExchangeSummary[];
  /** The compact copy the transaction table keeps of a completed exchange (checker.ts historyOf). */
  historyOf(ex: Exchange): Exchange;
}

type J = null | number | string | J[];

/**
 * What `pack` does with every field of the state it packs. Adding a field to one of these
 * model.ts types does not compile until this table (and `pack`/`decode`) says what becomes of it:
 * a field `pack` does not write would come back undefined after unpacking, and the checker would
 * see a different state with nothing to tell (the round-trip test only covers what the fixtures
 * set).
 */
type Packing = 'packed' | 'the AOR (the record key)' | 'must be unset: not packed until it is' | 'from the streaming summaries' | 'packed when the exchange was challenged (only the resend checks read it)';
export const PACKED_FIELDS = {
  aor: {
    aor: 'the AOR (the record key)', identities: 'packed', lineageKeys: 'packed', everRegistered: 'packed', activity: 'packed', serviceRoute: 'packed',
    serviceRouteAt: 'packed', challengeWindow: 'packed', publishWindow: 'packed', awaitingLatePublish: 'packed', publications: 'packed', imOffSince: 'packed',
    flowKeys: 'packed', flow004Reported: 'packed',
  } satisfies Record<keyof AorState, Packing>,
  lineage: {
    key: 'packed', aor: 'the AOR (the record key)', contactUri: 'packed', instanceId: 'packed', history: 'packed', registered: 'packed', imRegistered: 'packed',
    imDeregistered: 'packed', grantedExpiry: 'packed', grantTime: 'packed', grant: 'packed', callId: 'packed', lastCSeq: 'packed', lastRegistrar: 'packed',
    lastRegister: 'packed', lastRegisterTime: 'packed', lastTagged: 'packed', lastDereg: 'packed', outstanding: 'packed', lastFinal: 'packed', outbound: 'packed',
    first: 'packed', timeline: 'packed', timelineDropped: 'packed', serviceRoute: 'packed', pAssociatedUri: 'packed', lastAuth: 'packed',
  } satisfies Record<keyof LineageState, Packing>,
  auth: { ref: 'packed', realm: 'packed', nonce: 'packed', username: 'packed', securityClient: 'packed', securityServer: 'packed' } satisfies Record<keyof AuthState, Packing>,
  timeline: { kind: 'packed', status: 'packed', index: 'packed' } satisfies Record<keyof TimelineEntry, Packing>,
  flow: { key: 'packed', aor: 'the AOR (the record key)', callId: 'packed', last: 'packed', lastLineageKey: 'packed', branches: 'packed' } satisfies Record<keyof FlowState, Packing>,
  publication: {
    index: 'packed', startLine: 'packed', aor: 'packed', event: 'packed', settings: 'packed', etag: 'packed', finalStatus: 'packed', txKey: 'packed',
  } satisfies Record<keyof PublishRecord, Packing>,
  window: {
    id: 'packed', kind: 'packed', opened: 'packed', openedTime: 'packed', deadline: 'packed', aor: 'the AOR (the record key)', flowKey: 'packed', lineageKey: 'packed',
    exchange: 'packed', activityAtOpen: 'packed', done: 'must be unset: not packed until it is', closedBy: 'packed', closedByPhase: 'packed',
  } satisfies Record<keyof OpenWindow, Packing>,
  exchange: {
    id: 'packed', callId: 'packed', cseq: 'packed', aor: 'the AOR (the record key)', flowKey: 'packed', lineageKey: 'packed', keptLineageKey: 'packed', phase: 'packed',
    attempt: 'packed', kind: 'packed', uncertain: 'packed', uncertainReason: 'packed', imReRegistration: 'packed', mixed: 'packed', requestIndex: 'packed',
    startLine: 'packed', startLineText: 'packed', cseqSpan: 'packed', time: 'packed', imTags: 'packed', req: 'must be unset: not packed until it is', txKey: 'packed',
    responseIndexes: 'packed', retransmissionIndexes: 'packed', finalStatus: 'packed', final: 'packed', challenges: 'packed',
    authorizationRaw: 'packed when the exchange was challenged (only the resend checks read it)',
    proxyAuthorizationRaw: 'packed when the exchange was challenged (only the resend checks read it)', minExpires: 'packed', prefRejected: 'packed',
    securityClient: 'packed', securityVerify: 'packed', securityServer: 'packed', challengeSecurityServer: 'packed', findingRuleIds: 'packed',
    summary: 'from the streaming summaries',
  } satisfies Record<keyof Exchange, Packing>,
};

const KINDS: readonly string[] = ['initial', 'refresh', 'im-deregistration', 'full-deregistration', 'query', 'auth-resend', 'interval-retry', 'retransmission'];

/** Numbers that JSON would not keep (NaN, ±Infinity, -0) go as strings. */
function num(x: number | undefined): J {
  if (x === undefined) return null;
  return Number.isFinite(x) && !Object.is(x, -0) ? x : String(x);
}
function unnum(x: J): number | undefined {
  return x === null ? undefined : typeof x === 'string' ? Number(x) : (x as number);
}
function ref(r: MessageRef | undefined): J {
  return r ? [r.index, r.span.start, r.span.end] : null;
}
function unref(x: J): MessageRef | undefined {
  if (x === null) return undefined;
  const a = x as number[];
  return { index: a[0], span: { start: a[1], end: a[2] } };
}

/**
 * Where packed AOR records are kept. Bytes, not strings: V8 keeps its heap at up to twice the
 * live data (the CLI's heap-growing setting), so a packed string costs about twice its size in
 * resident memory, a byte array once (and one byte per character, where a string with one
 * non-Latin-1 character takes two). A host with a file system may keep them out of memory
 * altogether (the CLI and the extension's Node worker: src/node/packedRecordFile.ts), so that
 * memory does not grow with the number of AORs a capture registers.
 *
 * Semantics of a `Map`: `entries()` in insertion order (a name set again keeps its place).
 */
export interface PackedRecordStore {
  readonly size: number;
  has(name: string): boolean;
  get(name: string): Uint8Array | undefined;
  set(name: string, record: Uint8Array): void;
  delete(name: string): boolean;
  entries(): Iterable<[string, Uint8Array]>;
}

/** The default store: a `Map` of byte arrays (outside V8's heap, but in the process's memory). */
export class MemoryRecords extends Map<string, Uint8Array> implements PackedRecordStore {}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

/**
 * A packed AOR as bytes: the flag, then the packed text in UTF-8. The text is JSON
 * (`JSON.stringify` escapes lone surrogates), so UTF-8 gives it back exactly.
 */
export function encodeRecord(ownName: boolean, packed: string): Uint8Array {
  // Nearly every record is ASCII: one byte per character, encoded in place.
  let out = new Uint8Array(packed.length + 1);
  const r = utf8Encoder.encodeInto(packed, out.subarray(1));
  if (r.read !== packed.length) {
    const body = utf8Encoder.encode(packed);
    out = new Uint8Array(body.length + 1);
    out.set(body, 1);
  }
  out[0] = ownName ? 49 : 48;
  return out;
}

export function recordText(record: Uint8Array): string {
  return utf8Decoder.decode(record.subarray(1));
}

/** Packs and unpacks the AORs that went quiet. */
export class ColdStore {
  /**
   * Packed AORs by name, as UTF-8 bytes outside V8's heap (see PackedRecordStore): the first
   * byte says whether its own name maps to it in `identities` ('1') or not ('0').
   */
  private readonly cold: PackedRecordStore;
  /** Other identities (P-Associated-URI) of packed AORs: identity -> AOR name. */
  private readonly coldIdentities = new Map<string, string>();
  private nextScan: number | undefined;
  private unpacking = false;
  /** Counters, for tests and measurements. */
  readonly stats = { packed: 0, unpacked: 0 };

  constructor(
    private readonly host: ColdHost,
    private readonly shared: SharedStrings,
    /** Seconds an AOR must have been quiet (no REGISTER, no response) before it is packed. */
    private readonly quietSeconds: number,
    /** Capture seconds between two scans of the live AORs. */
    private readonly scanSeconds: number,
    /** Where the packed records live (default: in memory). */
    records?: PackedRecordStore,
  ) {
    this.cold = records ?? new MemoryRecords();
  }

  get size(): number {
    return this.cold.size;
  }

  // -------------------------------------------------------------------------------------------
  // Lookups that missed: unpack the AOR the key belongs to
  // -------------------------------------------------------------------------------------------

  readonly missAor = (name: string): boolean => this.cold.size > 0 && this.unpack(name);

  readonly missIdentity = (id: string): boolean => {
    if (this.cold.size === 0) return false;
    const owner = this.coldIdentities.get(id);
    if (owner !== undefined) return this.unpack(owner);
    const own = this.cold.get(id);
    return own !== undefined && own[0] === 49 /* '1' */ && this.unpack(id);
  };

  /** Lineage keys are `${aor}|…`: the AOR is one of the prefixes ending before a '|'. */
  readonly missLineage = (key: string): boolean => {
    if (this.cold.size === 0) return false;
    for (let i = key.indexOf('|'); i >= 0; i = key.indexOf('|', i + 1)) {
      const name = key.slice(0, i);
      if (this.cold.has(name) && this.unpack(name)) return true;
    }
    return false;
  };

  /** Flow keys are `${aor}\n${callId}` (an AOR name never holds a line break). */
  readonly missFlow = (key: string): boolean => {
    if (this.cold.size === 0) return false;
    const i = key.indexOf('\n');
    return i >= 0 && this.unpack(key.slice(0, i));
  };

  // -------------------------------------------------------------------------------------------
  // Packing
  // -------------------------------------------------------------------------------------------

  /** Called as capture time advances: every `scanSeconds`, packs the AORs quiet for `quietSeconds`. */
  tick(now: number): void {
    if (this.nextScan === undefined) this.nextScan = now + this.scanSeconds;
    if (now < this.nextScan) return;
    this.nextScan = now + this.scanSeconds;
    const before = now - this.quietSeconds;
    for (const aor of this.host.aors.values()) {
      const last = this.lastActive(aor);
      if (last === undefined || last >= before) continue;
      const packed = this.pack(aor);
      if (packed !== undefined) this.store(aor, packed);
    }
  }

  /** The latest capture time the AOR's state records; undefined when it records none. */
  private lastActive(aor: AorState): number | undefined {
    const h = this.host;
    let last: number | undefined;
    const see = (t: number | undefined) => {
      if (t !== undefined && (last === undefined || t > last)) last = t;
    };
    for (const k of aor.lineageKeys) {
      const l = h.lineages.peek(k);
      if (!l) continue;
      see(l.lastRegisterTime);
      see(l.grantTime);
    }
    for (const fk of aor.flowKeys ?? []) {
      const f = h.flows.peek(fk);
      if (!f?.last) continue;
      see(f.last.time);
      see(f.last.final?.time);
    }
    for (const w of [aor.challengeWindow, aor.publishWindow, aor.awaitingLatePublish]) see(w?.openedTime);
    return last;
  }

  private store(aor: AorState, packed: string): void {
    const h = this.host;
    const name = aor.aor;
    // A completed exchange the transaction table still holds (late retransmissions, 64 s) stays
    // there as its compact history copy, as a superseded one does: the table never needs more
    // of a completed exchange (see checker.ts keepAsHistory); the packed record has the rest.
    for (const ex of this.graphExchanges(aor)) {
      if (ex.finalStatus !== undefined && h.registerTx.peek(ex.txKey) === ex) h.registerTx.setHistory(ex.txKey, h.historyOf(ex));
    }
    let ownName = false;
    for (const id of aor.identities) {
      if (h.identities.peek(id) !== aor) continue;
      h.identities.delete(id);
      if (id === name) ownName = true;
      else this.coldIdentities.set(id, name);
    }
    for (const k of aor.lineageKeys) h.lineages.delete(k);
    for (const fk of aor.flowKeys ?? []) {
      h.flows.delete(fk);
      h.flowLineages.delete(fk);
    }
    h.aors.delete(name);
    this.cold.set(name, encodeRecord(ownName, packed));
    this.stats.packed++;
  }

  /**
   * The AOR's state as one string, or undefined when it cannot be packed exactly now (see the
   * file comment) or holds something this packer does not know.
   */
  pack(aor: AorState): string | undefined {
    const h = this.host;
    const name = aor.aor;
    if (this.unpacking || name.includes('\n') || this.cold.has(name)) return undefined;
    if (aor.challengeWindow && !aor.challengeWindow.done) return undefined;
    if (aor.publishWindow && !aor.publishWindow.done) return undefined;
    if (aor.awaitingLatePublish && !aor.awaitingLatePublish.done) return undefined;
    // Cheap checks first (most AORs that cannot be packed yet fail here).
    for (const k of aor.lineageKeys) if (!this.packableExchange(h.lineages.peek(k)?.outstanding)) return undefined;
    for (const fk of aor.flowKeys ?? []) if (!this.packableExchange(h.flows.peek(fk)?.last)) return undefined;

    const e = new Encoder(name, this.shared);
    const { s, n, r } = e;
    const exchanges: Exchange[] = [];
    const windows: OpenWindow[] = [];
    const exIdx = (ex: Exchange | undefined): J => {
      if (!ex) return null;
      let i = exchanges.indexOf(ex);
      if (i < 0) i = exchanges.push(ex) - 1;
      return i;
    };
    const winIdx = (w: OpenWindow | undefined): J => {
      if (!w) return null;
      let i = windows.indexOf(w);
      if (i < 0) i = windows.push(w) - 1;
      return i;
    };

    const lineages: J[] = [];
    for (const k of aor.lineageKeys) {
      const l = h.lineages.peek(k);
      if (!l || l.aor !== name || l.key !== k) return undefined;
      const tl: J[] = [];
      for (const t of l.timeline) {
        const c = KINDS.indexOf(t.kind);
        tl.push(c >= 0 ? c : [s(t.kind)], n(t.status), t.index);
      }
      const flags = (l.history ? 1 : 0) | (l.registered ? 2 : 0) | (l.imRegistered ? 4 : 0) | (l.imDeregistered ? 8 : 0) | (l.outbound ? 16 : 0);
      const a = l.lastAuth;
      lineages.push([
        // The key is `${aor}|uri:${contactUri}` for most bindings: then it is not stored (null).
        l.key === `${name}|uri:${l.contactUri}` ? null : s(l.key), s(l.contactUri), s(l.instanceId), flags, n(l.grantedExpiry), n(l.grantTime), r(l.grant),
        s(l.callId), n(l.lastCSeq), e.g(l.lastRegistrar), r(l.lastRegister), n(l.lastRegisterTime), r(l.lastTagged),
        l.lastDereg ? [r(l.lastDereg), s(l.lastDereg.phase)] : null, exIdx(l.outstanding),
        l.lastFinal ? [l.lastFinal.status, r(l.lastFinal.ref), l.lastFinal.securityServer ? 1 : 0] : null, r(l.first), tl, l.timelineDropped,
        l.serviceRoute.map(e.g), l.pAssociatedUri.map(e.g),
        a ? [r(a.ref), e.g(a.realm), s(a.nonce), s(a.username), s(a.securityClient), s(a.securityServer)] : null,
      ]);
    }
    const flows: J[] = [];
    for (const fk of aor.flowKeys ?? []) {
      const f = h.flows.peek(fk);
      if (!f || f.aor !== name || f.key !== fk || fk !== `${name}\n${f.callId}`) return undefined;
      const branches: J[] = [];
      for (const [b, ref] of f.branches) branches.push(s(b), ref.index, ref.span.start, ref.span.end);
      const set = h.flowLineages.peek(fk);
      flows.push([s(f.callId), exIdx(f.last), s(f.lastLineageKey), branches, set ? [...set].map(s) : null]);
    }
    const publications: J[] = [];
    for (const [event, p] of aor.publications) {
      // Only completed publications are listed here; one still in the transaction table (64 s,
      // for retransmissions) is only read there, and unpacking takes that very object back.
      if (p.finalStatus === undefined) return undefined;
      publications.push([s(event), p.index, p.startLine.start, p.startLine.end, s(p.aor), s(p.event), p.settings ? 1 : 0, s(p.etag), n(p.finalStatus), s(p.txKey)]);
    }
    const aorJ: J = [
      [...aor.identities].map(s), [...aor.lineageKeys].map(s), aor.everRegistered ? 1 : 0, aor.activity, aor.serviceRoute.map(e.g), r(aor.serviceRouteAt),
      winIdx(aor.challengeWindow), winIdx(aor.publishWindow), winIdx(aor.awaitingLatePublish), publications, aor.flow004Reported ? 1 : 0,
      aor.imOffSince ? [r(aor.imOffSince), s(aor.imOffSince.phase)] : null, (aor.flowKeys ?? []).map(s),
    ];
    const windowsJ: J[] = [];
    for (const w of windows) {
      if (!w.done || w.aor !== name) return undefined;
      windowsJ.push([
        w.id, s(w.kind), r(w.opened), n(w.openedTime), n(w.deadline), s(w.flowKey), s(w.lineageKey), exIdx(w.exchange), w.activityAtOpen, s(w.closedBy),
        s(w.closedByPhase),
      ]);
    }
    // Exchanges last: windows and lineages add to the table.
    const exchangesJ: J[] = [];
    for (const ex of exchanges) {
      if (ex.aor !== name || !this.packableExchange(ex)) return undefined;
      const live = h.registerTx.peek(ex.txKey);
      const sum = ex.summary;
      if (sum && (h.summaries[ex.id - 1] !== sum || sum.responseIndexes !== ex.responseIndexes || sum.retransmissionIndexes !== ex.retransmissionIndexes)) return undefined;
      const c = KINDS.indexOf(ex.kind);
      const txPrefix = `${ex.callId}\n${ex.cseq}\nREGISTER\n`;
      // Credentials are read from a previous exchange only when it was challenged (the resend
      // checks: RFC3261-RSP-005, IMS-REG-005); otherwise they are never read again.
      const challenged = ex.finalStatus === 401 || ex.finalStatus === 407;
      exchangesJ.push([
        ex.id, s(ex.callId), ex.cseq, ex.flowKey === `${name}\n${ex.callId}` ? null : s(ex.flowKey), s(ex.lineageKey), s(ex.keptLineageKey), s(ex.phase),
        s(ex.attempt), c >= 0 ? c : [s(ex.kind)], ex.uncertain ? 1 : 0, s(ex.uncertainReason), ex.imReRegistration ? 1 : 0, ex.mixed ? 1 : 0,
        ex.requestIndex, r(ex.startLine), e.g(ex.startLineText), ex.cseqSpan ? [ex.cseqSpan.start, ex.cseqSpan.end] : null, n(ex.time),
        ex.imTags.map(e.g), ex.txKey.startsWith(txPrefix) ? [s(ex.txKey.slice(txPrefix.length))] : s(ex.txKey),
        sum ? null : ex.responseIndexes, sum ? null : ex.retransmissionIndexes, n(ex.finalStatus), ex.final ? [r(ex.final), n(ex.final.time)] : null,
        ex.challenges ? ex.challenges.map((ch) => [s(ch.scheme), e.g(ch.realm), s(ch.nonce), e.g(ch.algorithm), s(ch.opaque), e.g(ch.qop), e.g(ch.stale), ch.span.start, ch.span.end]) : null,
        challenged ? s(ex.authorizationRaw) : null, challenged ? s(ex.proxyAuthorizationRaw) : null,
        ex.minExpires ? [n(ex.minExpires.value), ex.minExpires.span.start, ex.minExpires.span.end, ex.minExpires.index] : null,
        r(ex.prefRejected), s(ex.securityClient), s(ex.securityVerify), s(ex.securityServer), s(ex.challengeSecurityServer),
        // Still open in the transaction table: it stays there as it is, and unpacking takes that
        // very object back (a completed one is replaced there by its history copy, see store).
        ex.findingRuleIds ? [...ex.findingRuleIds].map(e.g) : null, sum ? 1 : 0, live === ex && ex.finalStatus === undefined ? 1 : 0,
      ]);
    }
    return JSON.stringify([e.table, aorJ, lineages, flows, exchangesJ, windowsJ]);
  }

  /** The exchanges the AOR's state refers to. */
  private graphExchanges(aor: AorState): Exchange[] {
    const h = this.host;
    const out: Exchange[] = [];
    const add = (ex: Exchange | undefined) => {
      if (ex && !out.includes(ex)) out.push(ex);
    };
    for (const k of aor.lineageKeys) add(h.lineages.peek(k)?.outstanding);
    for (const fk of aor.flowKeys ?? []) add(h.flows.peek(fk)?.last);
    for (const w of [aor.challengeWindow, aor.publishWindow, aor.awaitingLatePublish]) add(w?.exchange);
    return out;
  }

  /** An exchange the AOR's state holds can be packed (see the checks in `pack`). */
  private packableExchange(ex: Exchange | undefined): boolean {
    if (!ex) return true;
    if (ex.req !== undefined || this.host.finalWindows.has(ex.id)) return false;
    // A packed history copy shares nothing with it (packed copies carry no index lists or rule ids).
    const live = this.host.registerTx.peek(ex.txKey);
    return live === ex || live?.id !== ex.id;
  }

  // -------------------------------------------------------------------------------------------
  // Unpacking
  // -------------------------------------------------------------------------------------------

  /** Brings a packed AOR back into the live maps; false when `name` is not packed. */
  private unpack(name: string): boolean {
    const packed = this.cold.get(name);
    if (packed === undefined) return false;
    const h = this.host;
    this.cold.delete(name);
    this.unpacking = true;
    try {
      const d = decode(name, recordText(packed), this.shared, h.summaries, h.registerTx, h.publishTx);
      h.aors.set(name, d.aor);
      if (packed[0] === 49) h.identities.set(name, d.aor);
      for (const id of d.aor.identities) {
        if (id !== name && this.coldIdentities.get(id) === name) {
          this.coldIdentities.delete(id);
          h.identities.set(id, d.aor);
        }
      }
      for (const l of d.lineages) h.lineages.set(l.key, l);
      for (const f of d.flows) {
        h.flows.set(f.flow.key, f.flow);
        if (f.lineages) h.flowLineages.set(f.flow.key, f.lineages);
      }
    } finally {
      this.unpacking = false;
    }
    this.stats.unpacked++;
    return true;
  }

  /** A packed AOR's state as it would be unpacked, without unpacking it (tests, inspection). */
  peekPacked(name: string): Decoded | undefined {
    const packed = this.cold.get(name);
    const h = this.host;
    return packed === undefined ? undefined : decode(name, recordText(packed), this.shared, h.summaries, h.registerTx, h.publishTx);
  }

  /** Every lineage, live ones first, then the packed ones, unpacked one AOR at a time (not kept). */
  *allLineages(): Generator<LineageState> {
    yield* this.host.lineages.values();
    for (const [name, packed] of this.cold.entries()) yield* decode(name, recordText(packed), this.shared, this.host.summaries, this.host.registerTx, this.host.publishTx).lineages;
  }
}

export interface Decoded {
  aor: AorState;
  lineages: LineageState[];
  flows: { flow: FlowState; lineages?: Set<string> }[];
}

/**
 * Strings of a packed AOR: those of 8 characters or more go once into the record's table (a call
 * id or a lineage key appears several times) and are named by their position; a few fields of
 * few distinct values (registrar, start line, realm, tags) go into a table shared by all records
 * (bounded) and are named by -1 - position. Strings that start with the AOR name keep only the
 * rest, after '~'; a string that starts with '~' or '!' itself gets a '!' before it.
 */
class Encoder {
  readonly table: string[] = [];
  private readonly index = new Map<string, number>();
  constructor(
    private readonly aor: string,
    private readonly shared: SharedStrings,
  ) {}
  private literal(x: string): string {
    if (this.aor !== '' && x.startsWith(this.aor)) return '~' + x.slice(this.aor.length);
    const c = x.charCodeAt(0);
    return c === 126 || c === 33 ? '!' + x : x;
  }
  readonly s = (x: string | undefined): J => {
    if (x === undefined) return null;
    if (x.length < 8) return this.literal(x);
    let i = this.index.get(x);
    if (i === undefined) {
      i = this.table.push(this.literal(x)) - 1;
      this.index.set(x, i);
    }
    return i;
  };
  /** Shared-table strings (few distinct values across AORs). */
  readonly g = (x: string | undefined): J => {
    if (x === undefined) return null;
    const i = this.shared.id(x);
    return i === undefined ? this.s(x) : -1 - i;
  };
  readonly n = num;
  readonly r = ref;
}

/** Strings shared by all records, for fields with few distinct values; at most MAX_SHARED. */
export class SharedStrings {
  readonly list: string[] = [];
  private readonly ids = new Map<string, number>();
  id(x: string): number | undefined {
    let i = this.ids.get(x);
    if (i === undefined && this.list.length < MAX_SHARED && x.length < 256) {
      i = this.list.push(x) - 1;
      this.ids.set(x, i);
    }
    return i;
  }
}
const MAX_SHARED = 4096;

function decode(
  name: string,
  packed: string,
  shared: SharedStrings,
  summaries: readonly ExchangeSummary[],
  registerTx: TxTable,
  publishTx: Map<string, PublishRecord>,
): Decoded {
  const [tableJ, aorJ, lineagesJ, flowsJ, exchangesJ, windowsJ] = JSON.parse(packed) as J[][];
  const literal = (x: string): string => {
    const c = x.charCodeAt(0);
    return c === 126 ? name + x.slice(1) : c === 33 ? x.slice(1) : x;
  };
  const table = (tableJ as string[]).map(literal);
  const s = (x: J): string | undefined => {
    if (x === null) return undefined;
    if (typeof x === 'number') return x < 0 ? shared.list[-1 - x] : table[x];
    return literal(x as string);
  };
  const S = (x: J): string => s(x) as string;
  // A kind is its position in KINDS, or [string] for one not listed there.
  const kind = (x: J): ExchangeKind => (Array.isArray(x) ? S(x[0]) : KINDS[x as number]) as ExchangeKind;
  const n = unnum;
  const r = unref;

  const exchanges: Exchange[] = (exchangesJ as J[][]).map((e) => {
    const txKey = Array.isArray(e[19]) ? `${S(e[1])}\n${e[2] as number}\nREGISTER\n${S(e[19][0])}` : S(e[19]);
    // Packed while open in the transaction table and still there: the very object, as it is now.
    if (e[35] === 1) {
      const live = registerTx.peek(txKey);
      if (live && live.id === e[0]) return live;
    }
    const sum = e[34] === 1 ? summaries[(e[0] as number) - 1] : undefined;
    const callId = S(e[1]);
    const ex: Exchange = {
      id: e[0] as number,
      callId,
      cseq: e[2] as number,
      aor: name,
      flowKey: e[3] === null ? `${name}\n${callId}` : S(e[3]),
      lineageKey: S(e[4]),
      keptLineageKey: s(e[5]),
      phase: S(e[6]) as Phase,
      attempt: S(e[7]) as Exchange['attempt'],
      kind: kind(e[8]),
      uncertain: e[9] === 1,
      uncertainReason: s(e[10]) as Exchange['uncertainReason'],
      imReRegistration: e[11] === 1,
      mixed: e[12] === 1,
      requestIndex: e[13] as number,
      startLine: r(e[14]) as MessageRef,
      startLineText: S(e[15]),
      cseqSpan: e[16] === null ? undefined : { start: (e[16] as number[])[0], end: (e[16] as number[])[1] },
      time: n(e[17]),
      imTags: (e[18] as J[]).map(S) as ImTag[],
      req: undefined,
      txKey,
      responseIndexes: sum ? sum.responseIndexes : (e[20] as number[]),
      retransmissionIndexes: sum ? sum.retransmissionIndexes : (e[21] as number[]),
      finalStatus: n(e[22]),
      authorizationRaw: s(e[25]),
      proxyAuthorizationRaw: s(e[26]),
      findingRuleIds: e[33] === null ? undefined : new Set((e[33] as J[]).map(S)),
    };
    if (e[23] !== null) {
      const f = e[23] as J[];
      const fr = r(f[0]) as MessageRef;
      ex.final = { index: fr.index, span: fr.span, time: n(f[1]) };
    }
    if (e[24] !== null) {
      ex.challenges = (e[24] as J[][]).map(
        (c): ChallengeFacts => ({
          scheme: S(c[0]), realm: s(c[1]), nonce: s(c[2]), algorithm: s(c[3]), opaque: s(c[4]), qop: s(c[5]), stale: s(c[6]),
          span: { start: c[7] as number, end: c[8] as number },
        }),
      );
    }
    if (e[27] !== null) {
      const m = e[27] as J[];
      ex.minExpires = { value: n(m[0]), span: { start: m[1] as number, end: m[2] as number }, index: m[3] as number };
    }
    if (e[28] !== null) ex.prefRejected = r(e[28]);
    if (e[29] !== null) ex.securityClient = s(e[29]);
    if (e[30] !== null) ex.securityVerify = s(e[30]);
    if (e[31] !== null) ex.securityServer = s(e[31]);
    if (e[32] !== null) ex.challengeSecurityServer = s(e[32]);
    if (sum) ex.summary = sum;
    return ex;
  });
  const exAt = (x: J): Exchange | undefined => (x === null ? undefined : exchanges[x as number]);

  const windows: OpenWindow[] = (windowsJ as J[][]).map((w) => ({
    id: w[0] as number,
    kind: S(w[1]) as OpenWindow['kind'],
    opened: r(w[2]) as MessageRef,
    openedTime: n(w[3]),
    deadline: n(w[4]),
    aor: name,
    flowKey: S(w[5]),
    lineageKey: S(w[6]),
    exchange: exAt(w[7]),
    activityAtOpen: w[8] as number,
    done: true,
    closedBy: s(w[9]) as OpenWindow['closedBy'],
    closedByPhase: s(w[10]) as Phase | undefined,
  }));
  const winAt = (x: J): OpenWindow | undefined => (x === null ? undefined : windows[x as number]);

  const lineages: LineageState[] = (lineagesJ as J[][]).map((x) => {
    const flags = x[3] as number;
    const tl = x[17] as J[];
    const timeline: TimelineEntry[] = [];
    for (let i = 0; i < tl.length; i += 3) {
      const t: TimelineEntry = { kind: kind(tl[i]), index: tl[i + 2] as number };
      if (tl[i + 1] !== null) t.status = n(tl[i + 1]);
      timeline.push(t);
    }
    const contactUri = S(x[1]);
    const l: LineageState = {
      key: x[0] === null ? `${name}|uri:${contactUri}` : S(x[0]),
      aor: name,
      contactUri,
      instanceId: s(x[2]),
      history: (flags & 1) !== 0,
      registered: (flags & 2) !== 0,
      imRegistered: (flags & 4) !== 0,
      imDeregistered: (flags & 8) !== 0,
      outbound: (flags & 16) !== 0,
      timeline,
      timelineDropped: x[18] as number,
      serviceRoute: (x[19] as J[]).map(S),
      pAssociatedUri: (x[20] as J[]).map(S),
    };
    if (x[4] !== null) l.grantedExpiry = n(x[4]);
    if (x[5] !== null) l.grantTime = n(x[5]);
    if (x[6] !== null) l.grant = r(x[6]);
    if (x[7] !== null) l.callId = s(x[7]);
    if (x[8] !== null) l.lastCSeq = n(x[8]);
    if (x[9] !== null) l.lastRegistrar = s(x[9]);
    if (x[10] !== null) l.lastRegister = r(x[10]);
    if (x[11] !== null) l.lastRegisterTime = n(x[11]);
    if (x[12] !== null) l.lastTagged = r(x[12]);
    if (x[13] !== null) {
      const d = x[13] as J[];
      l.lastDereg = { ...(r(d[0]) as MessageRef), phase: S(d[1]) as Phase };
    }
    if (x[14] !== null) l.outstanding = exAt(x[14]);
    if (x[15] !== null) {
      const f = x[15] as J[];
      l.lastFinal = { status: f[0] as number, ref: r(f[1]) as MessageRef, securityServer: f[2] === 1 };
    }
    if (x[16] !== null) l.first = r(x[16]);
    if (x[21] !== null) {
      const a = x[21] as J[];
      l.lastAuth = { ref: r(a[0]) as MessageRef, realm: s(a[1]), nonce: s(a[2]), username: s(a[3]), securityClient: s(a[4]), securityServer: s(a[5]) };
    }
    return l;
  });

  const flows = (flowsJ as J[][]).map((x) => {
    const callId = S(x[0]);
    const branches = new Map<string, MessageRef>();
    const b = x[3] as J[];
    for (let i = 0; i < b.length; i += 4) branches.set(S(b[i]), { index: b[i + 1] as number, span: { start: b[i + 2] as number, end: b[i + 3] as number } });
    const flow: FlowState = { key: `${name}\n${callId}`, aor: name, callId, branches };
    if (x[1] !== null) flow.last = exAt(x[1]);
    if (x[2] !== null) flow.lastLineageKey = s(x[2]);
    return { flow, lineages: x[4] === null ? undefined : new Set((x[4] as J[]).map(S)) };
  });

  const publications = new Map<string, PublishRecord>();
  for (const p of aorJ[9] as J[][]) {
    const txKey = S(p[9]);
    // Still in the transaction table: the very object (a message index names one PUBLISH).
    const live = publishTx.get(txKey);
    if (live && live.index === p[1]) {
      publications.set(S(p[0]), live);
      continue;
    }
    const rec: PublishRecord = { index: p[1] as number, startLine: { start: p[2] as number, end: p[3] as number }, aor: S(p[4]), event: s(p[5]), settings: p[6] === 1, txKey };
    if (p[7] !== null) rec.etag = s(p[7]);
    if (p[8] !== null) rec.finalStatus = n(p[8]);
    publications.set(S(p[0]), rec);
  }
  const aor: AorState = {
    aor: name,
    identities: new Set((aorJ[0] as J[]).map(S)),
    lineageKeys: new Set((aorJ[1] as J[]).map(S)),
    everRegistered: aorJ[2] === 1,
    activity: aorJ[3] as number,
    serviceRoute: (aorJ[4] as J[]).map(S),
    publications,
    flow004Reported: aorJ[10] === 1,
    flowKeys: (aorJ[12] as J[]).map(S),
  };
  if (aorJ[5] !== null) aor.serviceRouteAt = r(aorJ[5]);
  if (aorJ[6] !== null) aor.challengeWindow = winAt(aorJ[6]);
  if (aorJ[7] !== null) aor.publishWindow = winAt(aorJ[7]);
  if (aorJ[8] !== null) aor.awaitingLatePublish = winAt(aorJ[8]);
  if (aorJ[11] !== null) {
    const d = aorJ[11] as J[];
    aor.imOffSince = { ...(r(d[0]) as MessageRef), phase: S(d[1]) as Phase };
  }
  return { aor, lineages, flows };
}

/**
 * The REGISTER transaction table. Completed transactions stay in it for 64 s (late
 * retransmissions) as history copies (checker.ts historyOf); when nothing but the table refers to
 * a copy and it carries no index lists or rule ids (streaming without the exchange list), it is
 * kept packed as a short string and unpacked, once, by the look-up that finds it.
 */
export class TxTable extends Map<string, Exchange> {
  private readonly packedCopies = new Map<string, string>();
  constructor(private readonly shared: SharedStrings) {
    super();
  }
  override get(key: string): Exchange | undefined {
    const v = super.get(key);
    if (v !== undefined || this.packedCopies.size === 0) return v;
    const packed = this.packedCopies.get(key);
    if (packed === undefined) return undefined;
    this.packedCopies.delete(key);
    const ex = decodeHistory(key, packed, this.shared);
    super.set(key, ex);
    return ex;
  }
  override has(key: string): boolean {
    return super.has(key) || this.packedCopies.has(key);
  }
  /** The entry when it is an object (a packed copy is left packed: undefined). */
  peek(key: string): Exchange | undefined {
    return super.get(key);
  }
  override delete(key: string): boolean {
    const a = super.delete(key);
    return this.packedCopies.delete(key) || a;
  }
  override set(key: string, ex: Exchange): this {
    this.packedCopies.delete(key);
    return super.set(key, ex);
  }
  override get size(): number {
    return super.size + this.packedCopies.size;
  }
  /** Keeps `copy`, a history copy only this table refers to, packed when it can. */
  setHistory(key: string, copy: Exchange): void {
    if (copy.summary || copy.findingRuleIds || copy.responseIndexes.length || copy.retransmissionIndexes.length || copy.txKey !== key) {
      this.set(key, copy);
      return;
    }
    super.delete(key);
    this.packedCopies.set(key, encodeHistory(copy, this.shared));
  }
}

/** The fields historyOf copies, as one string (strings relative to the AOR name, see Encoder). */
function encodeHistory(h: Exchange, shared: SharedStrings): string {
  const e = new Encoder(h.aor, shared);
  const c = KINDS.indexOf(h.kind);
  return JSON.stringify([
    h.id, h.callId, h.cseq, h.aor, h.flowKey === `${h.aor}\n${h.callId}` ? null : e.s(h.flowKey), e.s(h.lineageKey), e.s(h.keptLineageKey), e.g(h.phase),
    e.g(h.attempt), c >= 0 ? c : [e.s(h.kind)], (h.uncertain ? 1 : 0) | (h.imReRegistration ? 2 : 0) | (h.mixed ? 4 : 0), e.s(h.uncertainReason),
    h.requestIndex, ref(h.startLine), e.g(h.startLineText), h.imTags.map(e.g), num(h.finalStatus), e.table,
  ]);
}

function decodeHistory(txKey: string, packed: string, shared: SharedStrings): Exchange {
  const x = JSON.parse(packed) as J[];
  const aor = x[3] as string;
  const table = x[17] as string[];
  const literal = (v: string): string => {
    const c = v.charCodeAt(0);
    return c === 126 ? aor + v.slice(1) : c === 33 ? v.slice(1) : v;
  };
  const s = (v: J): string | undefined => {
    if (v === null) return undefined;
    if (typeof v === 'number') return v < 0 ? shared.list[-1 - v] : literal(table[v]);
    return literal(v as string);
  };
  const S = (v: J): string => s(v) as string;
  const callId = x[1] as string;
  const flags = x[10] as number;
  const h: Exchange = {
    id: x[0] as number,
    callId,
    cseq: x[2] as number,
    aor,
    flowKey: x[4] === null ? `${aor}\n${callId}` : S(x[4]),
    lineageKey: S(x[5]),
    phase: S(x[7]) as Phase,
    attempt: S(x[8]) as Exchange['attempt'],
    kind: (Array.isArray(x[9]) ? S(x[9][0]) : KINDS[x[9] as number]) as ExchangeKind,
    uncertain: (flags & 1) !== 0,
    imReRegistration: (flags & 2) !== 0,
    mixed: (flags & 4) !== 0,
    requestIndex: x[12] as number,
    startLine: unref(x[13]) as MessageRef,
    startLineText: S(x[14]),
    imTags: (x[15] as J[]).map(S) as ImTag[],
    txKey,
    responseIndexes: [],
    retransmissionIndexes: [],
    finalStatus: unnum(x[16]),
    findingRuleIds: undefined,
    summary: undefined,
  };
  if (x[6] !== null) h.keptLineageKey = s(x[6]);
  if (x[11] !== null) h.uncertainReason = s(x[11]) as Exchange['uncertainReason'];
  return h;
}
