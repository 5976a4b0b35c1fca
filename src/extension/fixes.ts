/**
 * Quick fixes for findings in SIP text logs: which text edit makes a REGISTER comply with the
 * rule a finding names. Text is produced by the core's SIP writer (formatHeader, formatParams,
 * formatProducts: the grammar the checker reads), and every position comes from the message's
 * line map, so an edit lands in the log's own line even when each line carries a prefix (time
 * stamp, process name...). A new header line gets the prefix of the header line next to it.
 *
 * The rules fixed here (OMA-TS-SIMPLE_IM §5.2.1 items 2-4, §5.2.3 items 2-3; RFC 3840 §9):
 *   OMA-IM-REG-001/002/003 missing IM tag, 016 partial tag set -> add the missing tags, or (a REGISTER
 *     that dropped some tags of a full IM registration: an IM-only de-registration gone half way)
 *     remove them all;
 *   004 tag with a value -> no value;  005 misspelled tag -> exact name;  006 tag inside <...> ->
 *   Contact parameter;  008 -> `Require: pref`;  009/010/011 -> User-Agent with `IM-client/<release>`;
 *   019 -> `Expires: 0`.
 */
import * as vscode from 'vscode';
import { logPosition } from '../core/locate';
import type { ExchangeSummary } from '../core/register/index';
import { IM_TAGS, canonicalImTag, isFalseValue, type ImTag } from '../core/register/facts';
import { imProducts } from '../core/rules/oma-im-headers';
import { misspelledImTag } from '../core/rules/oma-im-tags';
import { formatHeader, formatHeaderValue, formatParams, formatProducts, headersOf, parseNameAddrList } from '../core/sip/index';
import type { NameAddr, SipHeader, SipParam, Span, TraceMessage } from '../core/types';
import type { LocatedFinding } from './analysis';

export interface FixContext {
  doc: vscode.TextDocument;
  /** The finding's message, parsed, with its line map in this document's lines. */
  message: TraceMessage;
  finding: LocatedFinding;
  exchanges: readonly ExchangeSummary[];
  /** `sipTraceInspector.imRelease` (the release a fixed User-Agent announces). */
  imRelease: string;
}

export interface Fix {
  title: string;
  edits: vscode.TextEdit[];
  preferred: boolean;
}

/** Rules that have a quick fix. */
export const FIXABLE_RULES: ReadonlySet<string> = new Set([
  'OMA-IM-REG-001',
  'OMA-IM-REG-002',
  'OMA-IM-REG-003',
  'OMA-IM-REG-004',
  'OMA-IM-REG-005',
  'OMA-IM-REG-006',
  'OMA-IM-REG-008',
  'OMA-IM-REG-009',
  'OMA-IM-REG-010',
  'OMA-IM-REG-011',
  'OMA-IM-REG-016',
  'OMA-IM-REG-019',
]);

const TAG_RULES = new Set(['OMA-IM-REG-001', 'OMA-IM-REG-002', 'OMA-IM-REG-003', 'OMA-IM-REG-016']);
const KNOWN_RELEASE = /^OMA\d+\.\d+$/;
const IM_PRODUCT = 'IM-client';

/** The quick fixes of one finding (empty when the message does not hold what the rule names). */
export function fixesFor(ctx: FixContext): Fix[] {
  const id = ctx.finding.ruleId;
  const w = new Writer(ctx);
  switch (id) {
    case 'OMA-IM-REG-001':
    case 'OMA-IM-REG-002':
    case 'OMA-IM-REG-003':
    case 'OMA-IM-REG-016':
      return tagSetFixes(w, ctx);
    case 'OMA-IM-REG-004':
      return valuedTagFix(w, ctx);
    case 'OMA-IM-REG-005':
      return misspelledTagFix(w, ctx);
    case 'OMA-IM-REG-006':
      return uriTagFix(w, ctx);
    case 'OMA-IM-REG-008':
      return requirePrefFix(w, ctx);
    case 'OMA-IM-REG-009':
    case 'OMA-IM-REG-010':
    case 'OMA-IM-REG-011':
      return userAgentFix(w, ctx);
    case 'OMA-IM-REG-019':
      return expiresZeroFix(w, ctx);
    default:
      return [];
  }
}

// ---------------------------------------------------------------------------------------------
// Positions and edits in the log
// ---------------------------------------------------------------------------------------------

/** Turns offsets in the message text into document positions and builds edits. */
class Writer {
  readonly text: string;
  readonly eol: string;

  constructor(private readonly ctx: FixContext) {
    this.text = ctx.message.sip.text;
    this.eol = ctx.doc.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
  }

  pos(offset: number): vscode.Position {
    const p = logPosition(this.ctx.message, offset);
    if (!p) throw new Error('message without a line map');
    return new vscode.Position(p.line - 1, p.column - 1);
  }

  range(span: Span): vscode.Range {
    return new vscode.Range(this.pos(span.start), this.pos(span.end));
  }

  insert(offset: number, text: string): vscode.TextEdit {
    return vscode.TextEdit.insert(this.pos(offset), text);
  }

  replace(span: Span, text: string): vscode.TextEdit {
    return vscode.TextEdit.replace(this.range(span), text);
  }

  /** Deletes a parameter with the `;` (and blanks) before it. */
  deleteParam(p: SipParam): vscode.TextEdit {
    let s = p.span.start;
    while (s > 0 && (this.text[s - 1] === ' ' || this.text[s - 1] === '\t')) s--;
    if (this.text[s - 1] === ';') s--;
    while (s > 0 && (this.text[s - 1] === ' ' || this.text[s - 1] === '\t')) s--;
    return vscode.TextEdit.delete(this.range({ start: s, end: p.span.end }));
  }

  /** The log's prefix on the line where header `h` starts (what a new neighbouring line repeats). */
  prefixOf(h: SipHeader): string {
    const p = this.pos(h.span.start);
    return this.ctx.doc.lineAt(p.line).text.slice(0, p.character);
  }

  /**
   * A new header line: after the last of the first header key in `after` that the message has,
   * else before Content-Length, else after the last header. It repeats the neighbour's prefix.
   */
  insertHeader(line: string, after: readonly string[]): vscode.TextEdit {
    const headers = this.ctx.message.sip.headers;
    for (const key of after) {
      const found = headers.filter((h) => h.key === key).pop();
      if (found) return vscode.TextEdit.insert(this.lineEnd(found), this.eol + this.prefixOf(found) + line);
    }
    const length = headers.find((h) => h.key === 'content-length');
    if (length) return vscode.TextEdit.insert(new vscode.Position(this.pos(length.span.start).line, 0), this.prefixOf(length) + line + this.eol);
    const last = headers[headers.length - 1];
    if (last) return vscode.TextEdit.insert(this.lineEnd(last), this.eol + this.prefixOf(last) + line);
    const start = this.ctx.message.sip.startLine;
    const p = this.pos(start?.span.end ?? 0);
    return vscode.TextEdit.insert(this.ctx.doc.lineAt(p.line).range.end, this.eol + this.ctx.doc.lineAt(p.line).text.slice(0, this.pos(0).character) + line);
  }

  private lineEnd(h: SipHeader): vscode.Position {
    return this.ctx.doc.lineAt(this.pos(h.span.end).line).range.end;
  }
}

function within(outer: Span, inner: Span): boolean {
  return outer.start <= inner.start && inner.end <= outer.end;
}

/** The Contact value a finding is about (its span is the value or inside it). */
function contactOf(ctx: FixContext): NameAddr | undefined {
  const sip = ctx.message.sip;
  for (const h of headersOf(sip, 'contact')) {
    for (const v of parseNameAddrList(sip, h).values) if (!v.star && within(v.span, ctx.finding.span)) return v;
  }
  return undefined;
}

function headerAt(ctx: FixContext, key: string): SipHeader | undefined {
  return headersOf(ctx.message.sip, key).find((h) => within(h.span, ctx.finding.span));
}

// ---------------------------------------------------------------------------------------------
// IM feature tags in Contact
// ---------------------------------------------------------------------------------------------

/** IM tags that count as present on a Contact (a header parameter, not `="FALSE"`). */
function presentTags(c: NameAddr): Set<ImTag> {
  const out = new Set<ImTag>();
  for (const p of c.params) {
    const tag = canonicalImTag(p.name);
    if (tag && !isFalseValue(p)) out.add(tag);
  }
  return out;
}

/**
 * Edits that give `c` the IM tags it lacks: a `="FALSE"` tag loses its value, a misspelled one
 * gets its exact name (OMA-IM-REG-005), one written inside `<...>` moves out (OMA-IM-REG-006),
 * the others are appended after the last parameter. These are the very edits the fixes of 004,
 * 005 and 006 make, so "fix all" applies each once.
 */
function addTagEdits(w: Writer, c: NameAddr, missing: readonly ImTag[]): vscode.TextEdit[] {
  const edits: vscode.TextEdit[] = [];
  const append: ImTag[] = [];
  for (const tag of missing) {
    const falsy = c.params.find((p) => canonicalImTag(p.name) === tag && isFalseValue(p));
    if (falsy) {
      edits.push(w.replace(falsy.span, falsy.name));
      continue;
    }
    const typo = c.params.find((p) => misspelledImTag(p.name) === tag);
    if (typo) {
      edits.push(w.replace(typo.nameSpan, tag));
      continue;
    }
    for (const p of c.uri?.params ?? []) if (canonicalImTag(p.name) === tag) edits.push(w.deleteParam(p));
    append.push(tag);
  }
  if (append.length) edits.push(w.insert(c.span.end, formatParams(append.map((name) => ({ name })))));
  return edits;
}

/**
 * A refresh that dropped some of the tags an accepted IM registration of the same flow carried
 * looks like an IM-only de-registration gone half way (OMA-TS-SIMPLE_IM §5.2.3 item 2: leaving IM
 * removes all three tags): then removing the rest is the likely intent.
 */
function leavingIm(ctx: FixContext): boolean {
  const ex = ctx.exchanges.find((x) => x.requestIndex === ctx.finding.messageIndex);
  if (!ex || ex.phase !== 'refresh') return false;
  const before = ctx.exchanges.filter(
    (x) => x.aor === ex.aor && x.callId === ex.callId && x.requestIndex < ex.requestIndex && (x.phase === 'initial' || x.phase === 'refresh'),
  );
  const prev = before[before.length - 1];
  return !!prev && prev.finalStatus !== undefined && prev.finalStatus >= 200 && prev.finalStatus < 300 && !prev.findingRuleIds.some((id) => TAG_RULES.has(id));
}

function tagSetFixes(w: Writer, ctx: FixContext): Fix[] {
  const c = contactOf(ctx);
  if (!c) return [];
  const present = presentTags(c);
  const missing = IM_TAGS.filter((t) => !present.has(t));
  const fixes: Fix[] = [];
  const leaving = leavingIm(ctx);
  if (missing.length) {
    fixes.push({
      title:
        missing.length === 1
          ? vscode.l10n.t('Add {0} to the Contact', missing[0])
          : vscode.l10n.t('Add the missing IM tags to the Contact ({0})', missing.join(', ')),
      edits: addTagEdits(w, c, missing),
      preferred: !leaving,
    });
  }
  // Removing makes sense for a partial set (an IM-only de-registration keeps none of the tags).
  const imParams = c.params.filter((p) => canonicalImTag(p.name) || misspelledImTag(p.name));
  if (present.size > 0 && (ctx.finding.ruleId === 'OMA-IM-REG-016' || leaving) && imParams.length) {
    fixes.push({
      title: vscode.l10n.t('Remove the remaining IM tags (IM-only de-registration)'),
      edits: imParams.map((p) => w.deleteParam(p)),
      preferred: leaving,
    });
  }
  return fixes;
}

function paramAt(ctx: FixContext, list: readonly SipParam[]): SipParam | undefined {
  return list.find((p) => within(p.span, ctx.finding.span) || within(ctx.finding.span, p.span));
}

/** OMA-IM-REG-004: a boolean feature tag is written without a value (RFC 3840 §9). */
function valuedTagFix(w: Writer, ctx: FixContext): Fix[] {
  const c = contactOf(ctx);
  const p = c && paramAt(ctx, c.params);
  if (!p || !canonicalImTag(p.name)) return [];
  return [{ title: vscode.l10n.t('Write {0} without a value', p.name), edits: [w.replace(p.span, p.name)], preferred: true }];
}

/** OMA-IM-REG-005: the exact tag name (or, when the right tag is already there, no duplicate). */
function misspelledTagFix(w: Writer, ctx: FixContext): Fix[] {
  const c = contactOf(ctx);
  const p = c && paramAt(ctx, c.params);
  const meant = p && misspelledImTag(p.name);
  if (!c || !p || !meant) return [];
  if (presentTags(c).has(meant)) {
    return [{ title: vscode.l10n.t('Remove "{0}" ({1} is already there)', p.name, meant), edits: [w.deleteParam(p)], preferred: true }];
  }
  return [{ title: vscode.l10n.t('Change to {0}', meant), edits: [w.replace(p.nameSpan, meant)], preferred: true }];
}

/** OMA-IM-REG-006: every IM tag inside `<...>` becomes a Contact header parameter. */
function uriTagFix(w: Writer, ctx: FixContext): Fix[] {
  const c = contactOf(ctx);
  if (!c?.uri) return [];
  const inUri = c.uri.params.filter((p) => canonicalImTag(p.name));
  if (!inUri.length) return [];
  const present = presentTags(c);
  const edits = inUri.map((p) => w.deleteParam(p));
  const move = [...new Set(inUri.map((p) => canonicalImTag(p.name) as ImTag))].filter((t) => !present.has(t));
  if (move.length) edits.push(w.insert(c.span.end, formatParams(move.map((name) => ({ name })))));
  return [{ title: vscode.l10n.t('Move the IM tags from the URI to the Contact parameters'), edits, preferred: true }];
}

// ---------------------------------------------------------------------------------------------
// Headers
// ---------------------------------------------------------------------------------------------

/** OMA-IM-REG-008: `Require: pref` (OMA-TS-SIMPLE_IM §5.2.1 item 3). */
function requirePrefFix(w: Writer, ctx: FixContext): Fix[] {
  const title = vscode.l10n.t('Add "Require: pref"');
  const require = headersOf(ctx.message.sip, 'require')[0];
  if (require) {
    const empty = require.valueSpan.end <= require.valueSpan.start;
    return [{ title, edits: [w.insert(require.valueSpan.end, empty ? 'pref' : ', pref')], preferred: true }];
  }
  return [{ title, edits: [w.insertHeader(formatHeader('Require', ['pref']), ['supported', 'expires', 'contact'])], preferred: true }];
}

function release(ctx: FixContext): string {
  return KNOWN_RELEASE.test(ctx.imRelease) ? ctx.imRelease : 'OMA1.0';
}

/** OMA-IM-REG-009/010/011: a User-Agent whose first product is `IM-client/<release>` (Appendix F). */
function userAgentFix(w: Writer, ctx: FixContext): Fix[] {
  const rel = release(ctx);
  const product = formatProducts([{ product: IM_PRODUCT, version: rel }]);
  const ua = headersOf(ctx.message.sip, 'user-agent')[0];
  if (!ua) {
    return [{ title: vscode.l10n.t('Add "User-Agent: {0}"', product), edits: [w.insertHeader(formatHeader('User-Agent', [{ product: IM_PRODUCT, version: rel }]), ['supported', 'require', 'expires', 'contact'])], preferred: true }];
  }
  const { all, im } = imProducts(w.text, ua.valueSpan);
  const p = im[0];
  if (!p) {
    const empty = ua.valueSpan.end <= ua.valueSpan.start;
    return [{ title: vscode.l10n.t('Put {0} first in User-Agent', product), edits: [w.insert(ua.valueSpan.start, empty ? product : `${product} `)], preferred: true }];
  }
  const f = ctx.finding;
  if (f.ruleId === 'OMA-IM-REG-011') {
    const span = p.versionSpan && p.version ? p.versionSpan : p.span;
    const text = span === p.span ? product : rel;
    return [{ title: vscode.l10n.t('Change the IM release to {0}', rel), edits: [w.replace(span, text)], preferred: true }];
  }
  if (p.nameSpan && within(p.nameSpan, f.span) && p.name !== IM_PRODUCT) {
    return [{ title: vscode.l10n.t('Spell it {0}', IM_PRODUCT), edits: [w.replace(p.nameSpan, IM_PRODUCT)], preferred: true }];
  }
  if (all[0] !== p) {
    // Move the product (and the blanks after it) to the front.
    let end = p.span.end;
    while (end < ua.valueSpan.end && (w.text[end] === ' ' || w.text[end] === '\t')) end++;
    const moved = w.text.slice(p.span.start, p.span.end);
    return [{ title: vscode.l10n.t('Put {0} first in User-Agent', moved), edits: [w.insert(ua.valueSpan.start, `${moved} `), w.replace({ start: p.span.start, end }, '')], preferred: true }];
  }
  return [];
}

/** OMA-IM-REG-019: a full de-registration says `Expires: 0` (OMA-TS-SIMPLE_IM §5.2.3 item 3). */
function expiresZeroFix(w: Writer, ctx: FixContext): Fix[] {
  const title = vscode.l10n.t('Set "Expires: 0"');
  const expires = headersOf(ctx.message.sip, 'expires')[0] ?? headerAt(ctx, 'expires');
  if (expires) return [{ title, edits: [w.replace(expires.valueSpan, formatHeaderValue('Expires', 0))], preferred: true }];
  return [{ title, edits: [w.insertHeader(formatHeader('Expires', 0), ['contact'])], preferred: true }];
}

// ---------------------------------------------------------------------------------------------
// Fix all
// ---------------------------------------------------------------------------------------------

function sameRange(a: vscode.Range, b: vscode.Range): boolean {
  return a.isEqual(b);
}

/** Edits that cannot go into one WorkspaceEdit together (touching ranges can). */
function overlaps(a: vscode.Range, b: vscode.Range): boolean {
  if (a.isEmpty && b.isEmpty) return false; // two inserts: concatenated by mergeEdits
  if (a.isEmpty) return a.start.isAfter(b.start) && a.start.isBefore(b.end);
  if (b.isEmpty) return b.start.isAfter(a.start) && b.start.isBefore(a.end);
  const inter = a.intersection(b);
  return !!inter && !inter.isEmpty;
}

/**
 * Merges the edits of several fixes into one non-overlapping list: identical edits once, inserts
 * at the same place concatenated (two new header lines before Content-Length), and an edit that
 * overlaps one already taken dropped (its finding stays for a second pass).
 */
export function mergeEdits(groups: readonly vscode.TextEdit[][]): vscode.TextEdit[] {
  const taken: vscode.TextEdit[] = [];
  for (const group of groups) {
    const add: vscode.TextEdit[] = [];
    let conflict = false;
    for (const e of group) {
      if (taken.some((t) => sameRange(t.range, e.range) && t.newText === e.newText)) continue;
      const clash = taken.some((t) => overlaps(t.range, e.range));
      if (clash) {
        conflict = true;
        break;
      }
      add.push(e);
    }
    if (conflict) continue;
    for (const e of add) {
      const same = e.range.isEmpty ? taken.findIndex((t) => t.range.isEmpty && t.range.start.isEqual(e.range.start)) : -1;
      if (same >= 0) {
        if (!taken[same].newText.includes(e.newText)) taken[same] = vscode.TextEdit.insert(e.range.start, taken[same].newText + e.newText);
      } else taken.push(e);
    }
  }
  return taken;
}
