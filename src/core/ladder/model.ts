/**
 * The registration ladder: a flow's messages as a sequence diagram model — one lane per endpoint
 * (address:port, with the User-Agent or Server product when known), one row per message (method
 * or status, time since the previous message, findings, retransmissions). Plain data: built in the
 * extension host from TraceMessages, posted to the webview, drawn by ./svg.ts.
 */
import type { Endpoint, Finding, Severity, TraceMessage } from '../types';
import type { ExchangeSummary } from '../register/model';
import { firstHeader, headersOf } from '../sip/parser';
import { parseVia } from '../sip/values';
import { formatEndpoint } from '../present';

export interface LadderLane {
  /** Endpoint key: `ip:port` (`[v6]:port`), or a name taken from the message when the trace has no addresses. */
  address: string;
  /** User-Agent (requests) or Server (responses) product of this endpoint, first one seen. */
  agent?: string;
}

export interface LadderFinding {
  severity: Severity;
  ruleId: string;
  message: string;
}

export interface LadderRow {
  messageIndex: number;
  /** Lane indexes. */
  from: number;
  to: number;
  /** `REGISTER`, `401 Unauthorized`. */
  label: string;
  /** `CSeq 2 REGISTER · Expires 3600`. */
  detail: string;
  /** Time since the previous row, e.g. `+12.5 ms`; undefined for the first row or without timestamps. */
  delta?: string;
  /** Capture time of day (UTC) `HH:MM:SS.mmm`. */
  time?: string;
  request: boolean;
  retransmission: boolean;
  findings: LadderFinding[];
  worst?: Severity;
  frame?: number;
  line?: number;
}

export interface LadderGeometry {
  /** Left column with the time of each row. */
  gutter: number;
  laneWidth: number;
  rowHeight: number;
  headerHeight: number;
  margin: number;
  width: number;
  /** Height of the rows area (without the header). */
  bodyHeight: number;
}

export interface LadderModel {
  lanes: LadderLane[];
  rows: LadderRow[];
  geometry: LadderGeometry;
  /** Endpoints beyond the lane limit, drawn together on the last lane ("other endpoints"). */
  truncatedLanes: number;
}

export interface LadderOptions {
  /** Which messages (TraceMessage.index), in trace order; default all. */
  indexes?: readonly number[];
  findings?: readonly Finding[];
  exchanges?: readonly ExchangeSummary[];
  /** At most this many lanes; further endpoints share one "other" lane. Default 12. */
  maxLanes?: number;
}

export const LADDER_GEOMETRY = { gutter: 96, laneWidth: 220, rowHeight: 40, headerHeight: 52, margin: 16 } as const;

/** Map key of the shared overflow lane (cannot collide with an address). */
const OTHER = '\u0000other';

const SEVERITY_RANK: Record<Severity, number> = { error: 2, warning: 1, info: 0 };

function seconds(m: TraceMessage): number | undefined {
  return m.ts ? m.ts.sec + m.ts.nsec / 1e9 : undefined;
}

/** `+850 µs`, `+12.5 ms`, `+1.234 s`, `+50 min 0 s`. */
export function formatDelta(d: number): string {
  if (!Number.isFinite(d)) return '';
  const sign = d < 0 ? '-' : '+';
  const a = Math.abs(d);
  if (a < 0.001) return `${sign}${Math.round(a * 1e6)} µs`;
  if (a < 1) return `${sign}${(a * 1000).toFixed(1)} ms`;
  if (a < 60) return `${sign}${a.toFixed(3)} s`;
  if (a < 3600) return `${sign}${Math.floor(a / 60)} min ${Math.floor(a % 60)} s`;
  return `${sign}${Math.floor(a / 3600)} h ${Math.floor((a % 3600) / 60)} min`;
}

function timeOfDay(m: TraceMessage): string | undefined {
  if (!m.ts) return undefined;
  const d = new Date(m.ts.sec * 1000);
  if (Number.isNaN(d.getTime())) return undefined;
  return `${d.toISOString().slice(11, 19)}.${String(Math.floor(m.ts.nsec / 1e6)).padStart(3, '0')}`;
}

/** Top Via sent-by of a message (the client of its transaction), `host:port`. */
function viaSentBy(m: TraceMessage): string | undefined {
  const h = headersOf(m.sip, 'via')[0];
  const v = h ? parseVia(m.sip, h).values[0] : undefined;
  if (!v) return undefined;
  return `${v.host}${v.port !== undefined ? `:${v.port}` : ''}`;
}

function txKey(m: TraceMessage): string {
  const h = headersOf(m.sip, 'via')[0];
  const v = h ? parseVia(m.sip, h).values[0] : undefined;
  const branch = v?.params.find((p) => p.name.toLowerCase() === 'branch')?.value ?? '';
  return `${firstHeader(m.sip, 'call-id')?.value ?? ''}\n${firstHeader(m.sip, 'cseq')?.value ?? ''}\n${branch}`;
}

function endpointKey(e: Endpoint | undefined): string | undefined {
  return formatEndpoint(e);
}

/** One line of text: no control characters, at most `max` characters (ellipsis). */
export function clip(s: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const t = s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** Builds the ladder of `opts.indexes` (default: every message). Never throws on odd messages. */
export function buildLadder(messages: readonly TraceMessage[], opts: LadderOptions = {}): LadderModel {
  const maxLanes = Math.max(2, opts.maxLanes ?? 12);
  const indexes = opts.indexes ?? messages.map((m) => m.index);
  const lanes: LadderLane[] = [];
  const laneOf = new Map<string, number>();
  let truncatedLanes = 0;
  const lane = (key: string): number => {
    const known = laneOf.get(key);
    if (known !== undefined) return known;
    if (lanes.length < maxLanes - 1) {
      lanes.push({ address: key });
      laneOf.set(key, lanes.length - 1);
      return lanes.length - 1;
    }
    // Past the limit every further endpoint shares the last lane.
    let other = laneOf.get(OTHER);
    if (other === undefined) {
      lanes.push({ address: 'other endpoints' });
      other = lanes.length - 1;
      laneOf.set(OTHER, other);
    }
    truncatedLanes++;
    laneOf.set(key, other);
    return other;
  };

  const findingsBy = new Map<number, LadderFinding[]>();
  for (const f of opts.findings ?? []) {
    let list = findingsBy.get(f.messageIndex);
    if (!list) findingsBy.set(f.messageIndex, (list = []));
    list.push({ severity: f.severity, ruleId: f.ruleId, message: f.message });
  }
  const retrans = new Set<number>();
  for (const e of opts.exchanges ?? []) for (const i of e.retransmissionIndexes) retrans.add(i);

  /** Server side of each transaction, for responses in traces without addresses. */
  const serverOf = new Map<string, string>();
  const seenKeys = new Set<string>();
  const rows: LadderRow[] = [];
  let prevTime: number | undefined;
  for (const idx of indexes) {
    const m = messages[idx];
    if (!m) continue;
    const sl = m.sip.startLine;
    const request = sl?.kind === 'request';
    const tk = txKey(m);
    let src = endpointKey(m.src);
    let dst = endpointKey(m.dst);
    if (src === undefined || dst === undefined) {
      // Logs without addresses: the client is the top Via sent-by, the server the Request-URI host.
      const client = viaSentBy(m) ?? 'client';
      if (request) {
        const server = sl.uri?.host ? `${sl.uri.host}${sl.uri.port !== undefined ? `:${sl.uri.port}` : ''}` : 'server';
        serverOf.set(tk, server);
        src = src ?? client;
        dst = dst ?? server;
      } else {
        src = src ?? serverOf.get(tk) ?? 'server';
        dst = dst ?? client;
      }
    }
    const from = lane(src);
    const to = lane(dst);
    const agentHeader = firstHeader(m.sip, request ? 'user-agent' : 'server');
    if (agentHeader && lanes[from].agent === undefined) lanes[from].agent = clip(agentHeader.value, 60);

    let label: string;
    if (sl?.kind === 'request') label = sl.method;
    else if (sl?.kind === 'response') label = `${sl.status} ${sl.reason}`;
    else label = '(unparseable message)';
    const cseq = firstHeader(m.sip, 'cseq')?.value;
    const expires = firstHeader(m.sip, 'expires')?.value;
    const detailParts: string[] = [];
    if (cseq) detailParts.push(`CSeq ${cseq}`);
    if (expires !== undefined && request) detailParts.push(`Expires ${expires}`);

    // A request or response seen again in the same transaction with the same start line is a retransmission.
    const dupKey = `${tk}\n${sl ? m.sip.text.slice(sl.span.start, sl.span.end) : ''}\n${src}>${dst}`;
    const isRetrans = retrans.has(idx) || seenKeys.has(dupKey);
    seenKeys.add(dupKey);

    const t = seconds(m);
    const findings = (findingsBy.get(idx) ?? []).sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]);
    rows.push({
      messageIndex: idx,
      from,
      to,
      label: clip(label, 48),
      detail: clip(detailParts.join(' · '), 64),
      delta: t !== undefined && prevTime !== undefined ? formatDelta(t - prevTime) : undefined,
      time: timeOfDay(m),
      request,
      retransmission: isRetrans,
      findings,
      worst: findings[0]?.severity,
      frame: m.frame,
      line: m.line,
    });
    if (t !== undefined) prevTime = t;
  }
  const g = LADDER_GEOMETRY;
  const laneCount = Math.max(lanes.length, 2);
  return {
    lanes,
    rows,
    truncatedLanes,
    geometry: {
      ...g,
      width: g.gutter + g.margin * 2 + laneCount * g.laneWidth,
      bodyHeight: rows.length * g.rowHeight + g.margin,
    },
  };
}

/** X of a lane's lifeline. */
export function laneX(model: LadderModel, lane: number): number {
  const g = model.geometry;
  return g.gutter + g.margin + lane * g.laneWidth + g.laneWidth / 2;
}

export interface LadderWindow {
  first: number;
  count: number;
}

/** The rows visible in a viewport of the body (plus `overscan` rows each side). */
export function visibleWindow(model: LadderModel, scrollTop: number, viewportHeight: number, overscan = 6): LadderWindow {
  const rh = model.geometry.rowHeight;
  const first = Math.min(model.rows.length, Math.max(0, Math.floor(Math.max(0, scrollTop) / rh) - overscan));
  const last = Math.min(model.rows.length, Math.ceil((Math.max(0, scrollTop) + Math.max(0, viewportHeight)) / rh) + overscan);
  return { first, count: Math.max(0, last - first) };
}
