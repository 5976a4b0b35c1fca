/**
 * Small helpers shared by rules: locations for "missing" findings, related-information entries,
 * the User-Agent / Server tokenizer (RFC 3261 §20.41, §25.1), name similarity.
 */
import type { RelatedInfo, SipMessage, Span } from '../types';
import type { MessageRef } from '../register/model';
import type { Rule } from './types';

/** Identity function that type-checks a rule definition. */
export function defineRule(rule: Rule): Rule {
  return rule;
}

/** Where a missing header is reported: the start line (the request as a whole). */
export function startLineSpan(sip: SipMessage): Span {
  return sip.startLine?.span ?? { start: 0, end: Math.min(sip.text.length, sip.text.indexOf('\r\n') >= 0 ? sip.text.indexOf('\r\n') : sip.text.length) };
}

export function related(ref: MessageRef | undefined, message: string): RelatedInfo[] {
  return ref ? [{ messageIndex: ref.index, span: ref.span, message }] : [];
}

// ---------------------------------------------------------------------------------------------
// User-Agent / Server: server-val *(LWS server-val); server-val = product / comment
// ---------------------------------------------------------------------------------------------

export interface ServerValItem {
  kind: 'product' | 'comment';
  span: Span;
  name?: string;
  version?: string;
  nameSpan?: Span;
  versionSpan?: Span;
}

export interface ServerValProblem {
  span: Span;
  message: string;
}

const TOKEN_EXTRA = "-.!%*_+`'~";
/** RFC 3261 §25.1 token characters, by char code (a table: this runs for every User-Agent character). */
const TOKEN_CHARS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z0-9]/.test(ch) || TOKEN_EXTRA.includes(ch)) TOKEN_CHARS[c] = 1;
}
function isTokenChar(ch: string): boolean {
  // Past the end of the text (`undefined`) the original test read the string "undefined": kept.
  if (typeof ch !== 'string' || ch.length !== 1) return /[A-Za-z0-9]/.test(ch) || TOKEN_EXTRA.includes(ch);
  const c = ch.charCodeAt(0);
  return c < 128 && TOKEN_CHARS[c] === 1;
}
function isLws(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
}

/**
 * Tokenizes a User-Agent / Server value (catalog P-9): products `token["/"token]` and comments
 * `( ... )` with nesting and quoted-pairs, separated by whitespace. Problems point at the exact
 * offending characters; tokenizing goes on after each problem.
 */
export function tokenizeServerVal(text: string, span: Span): { items: ServerValItem[]; problems: ServerValProblem[] } {
  // Several rules tokenize the same User-Agent of one REGISTER: the last answer is reused. It is
  // shared, so callers read it and never change it.
  if (text === lastServerVal.text && span.start === lastServerVal.start && span.end === lastServerVal.end && lastServerVal.result) return lastServerVal.result;
  const result = tokenizeServerValUncached(text, span);
  lastServerVal.text = text;
  lastServerVal.start = span.start;
  lastServerVal.end = span.end;
  lastServerVal.result = result;
  return result;
}

const lastServerVal: { text: string; start: number; end: number; result?: { items: ServerValItem[]; problems: ServerValProblem[] } } = { text: '', start: 0, end: 0 };

function tokenizeServerValUncached(text: string, span: Span): { items: ServerValItem[]; problems: ServerValProblem[] } {
  const items: ServerValItem[] = [];
  const problems: ServerValProblem[] = [];
  let p = span.start;
  const end = span.end;
  let needSep = false;
  while (p < end) {
    const ch = text[p];
    if (isLws(ch)) {
      p++;
      needSep = false;
      continue;
    }
    if (ch === '(') {
      const start = p;
      let depth = 0;
      for (; p < end; p++) {
        const c = text[p];
        if (c === '\\') {
          p++;
          continue;
        }
        if (c === '(') depth++;
        else if (c === ')' && --depth === 0) {
          p++;
          break;
        }
      }
      if (depth !== 0) problems.push({ span: { start, end }, message: 'unbalanced comment: "(" without its ")"' });
      items.push({ kind: 'comment', span: { start, end: p } });
      needSep = false;
      continue;
    }
    if (isTokenChar(ch)) {
      if (needSep) problems.push({ span: { start: p, end: p + 1 }, message: 'products must be separated by whitespace' });
      const start = p;
      while (p < end && isTokenChar(text[p])) p++;
      const nameSpan = { start, end: p };
      const item: ServerValItem = { kind: 'product', span: nameSpan, name: text.slice(start, p), nameSpan };
      if (text[p] === '/') {
        const vs = p + 1;
        p = vs;
        while (p < end && isTokenChar(text[p])) p++;
        if (p === vs) problems.push({ span: { start: vs - 1, end: vs }, message: 'product version missing after "/"' });
        item.version = text.slice(vs, p);
        item.versionSpan = { start: vs, end: p };
        item.span = { start, end: p };
      }
      items.push(item);
      needSep = true;
      continue;
    }
    // Anything else (";", ",", "/", quotes, ...) is not allowed between products.
    const start = p;
    while (p < end && !isLws(text[p]) && !isTokenChar(text[p]) && text[p] !== '(') p++;
    const bad = text.slice(start, p);
    problems.push({
      span: { start, end: p },
      message: bad.includes(';') || bad.includes(',')
        ? `"${bad}" used as a separator: products and comments are separated by whitespace only`
        : `unexpected "${bad}" in a product list`,
    });
    needSep = false;
  }
  return { items, problems };
}

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

/** Lists items in prose: `a`, `a and b`, `a, b and c`. */
export function listText(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
