/**
 * Draws the ladder (./model.ts) as SVG, without a DOM: the drawing is a small element tree
 * (SvgNode) that becomes either a string (renderSvg: export, tests) or DOM nodes in the webview
 * (built with createElementNS / setAttribute / textContent there), so both show the same picture.
 *
 * Trace text is hostile: a User-Agent, Call-ID or Contact may hold `<img src=x onerror=...>`,
 * `</script>` or `javascript:`. Such text only ever becomes a text node (never markup, never an
 * attribute), renderSvg escapes every text and attribute value, and only the element and
 * attribute names listed here can be produced at all (no `on*`, no `href`, no `style`).
 *
 * Large flows: only the rows of a window are drawn (`ladderBody(model, window)`); the lifelines
 * span the whole body, so a scroller the height of every row shows the right picture anywhere.
 */
import { laneX, type LadderModel, type LadderRow, type LadderWindow } from './model';

export interface SvgNode {
  tag: SvgTag;
  attrs?: Record<string, string | number>;
  /** Text content (escaped by renderSvg, `textContent` in the DOM). */
  text?: string;
  children?: SvgNode[];
}

export const SVG_TAGS = ['svg', 'g', 'line', 'path', 'polygon', 'rect', 'circle', 'text', 'title'] as const;
export type SvgTag = (typeof SVG_TAGS)[number];

/** The only attribute names a node may carry; anything else is dropped by both renderers. */
export const SVG_ATTRIBUTES: ReadonlySet<string> = new Set([
  'xmlns', 'class', 'width', 'height', 'viewBox', 'x', 'y', 'x1', 'y1', 'x2', 'y2', 'cx', 'cy', 'r', 'd', 'points',
  'text-anchor', 'dominant-baseline', 'role', 'aria-label', 'data-message-index', 'data-row', 'data-lane', 'tabindex', 'font-weight',
]);

export const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * Text for XML: `& < > " '` as character references, and characters XML 1.0 forbids (C0 controls
 * other than tab/LF/CR, lone surrogates, U+FFFE/U+FFFF) replaced by U+FFFD.
 */
export function escapeXml(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x26) out += '&amp;';
    else if (c === 0x3c) out += '&lt;';
    else if (c === 0x3e) out += '&gt;';
    else if (c === 0x22) out += '&quot;';
    else if (c === 0x27) out += '&#39;';
    else if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0xfffe || c === 0xffff) out += '\ufffd';
    else if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += s[i] + s[i + 1];
        i++;
      } else out += '\ufffd';
    } else if (c >= 0xdc00 && c <= 0xdfff) out += '\ufffd';
    else out += s[i];
  }
  return out;
}

/** SVG markup of a node tree; unknown tags render as nothing, unknown attributes are dropped. */
export function renderSvg(node: SvgNode): string {
  if (!(SVG_TAGS as readonly string[]).includes(node.tag)) return '';
  let out = `<${node.tag}`;
  for (const [k, v] of Object.entries(node.attrs ?? {})) {
    if (!SVG_ATTRIBUTES.has(k)) continue;
    out += ` ${k}="${escapeXml(String(v))}"`;
  }
  out += '>';
  if (node.text !== undefined) out += escapeXml(node.text);
  for (const c of node.children ?? []) out += renderSvg(c);
  return `${out}</${node.tag}>`;
}

function text(x: number, y: number, value: string, cls: string, anchor: 'start' | 'middle' | 'end' = 'middle'): SvgNode {
  return { tag: 'text', attrs: { x, y, class: cls, 'text-anchor': anchor }, text: value };
}

/** The header: one box per lane with its address and agent. */
export function ladderHeader(model: LadderModel): SvgNode {
  const g = model.geometry;
  const children: SvgNode[] = [text(g.gutter - 8, g.headerHeight - 12, 'time', 'ladder-gutter-title', 'end')];
  model.lanes.forEach((lane, i) => {
    const x = laneX(model, i);
    const w = g.laneWidth - 16;
    children.push({
      tag: 'g',
      attrs: { class: 'ladder-lane', 'data-lane': i },
      children: [
        { tag: 'title', text: lane.agent ? `${lane.address}\n${lane.agent}` : lane.address },
        { tag: 'rect', attrs: { x: x - w / 2, y: 4, width: w, height: g.headerHeight - 8, class: 'ladder-lane-box' } },
        text(x, lane.agent ? 22 : 30, lane.address, 'ladder-lane-address'),
        ...(lane.agent ? [text(x, 38, lane.agent.length > 34 ? `${lane.agent.slice(0, 33)}…` : lane.agent, 'ladder-lane-agent')] : []),
      ],
    });
  });
  return {
    tag: 'svg',
    attrs: { xmlns: 'http://www.w3.org/2000/svg', width: g.width, height: g.headerHeight, viewBox: `0 0 ${g.width} ${g.headerHeight}`, class: 'ladder-header', role: 'img', 'aria-label': 'endpoints' },
    children,
  };
}

function arrowHead(x: number, y: number, dir: 1 | -1): SvgNode {
  const p = `${x},${y} ${x - 9 * dir},${y - 5} ${x - 9 * dir},${y + 5}`;
  return { tag: 'polygon', attrs: { points: p, class: 'ladder-arrowhead' } };
}

function rowNode(model: LadderModel, row: LadderRow, i: number): SvgNode {
  const g = model.geometry;
  const y = i * g.rowHeight + g.rowHeight / 2 + 6;
  const x1 = laneX(model, row.from);
  const x2 = laneX(model, row.to);
  const classes = ['ladder-row', row.request ? 'request' : 'response'];
  if (row.retransmission) classes.push('retransmission');
  if (row.worst) classes.push(`finding-${row.worst}`);
  const children: SvgNode[] = [];
  const title = [`${row.label}${row.retransmission ? ' (retransmission)' : ''}`, row.detail, row.delta ?? '', row.frame !== undefined ? `frame ${row.frame}` : row.line !== undefined ? `line ${row.line}` : '']
    .filter(Boolean)
    .join(' · ');
  const findingLines = row.findings.map((f) => `${f.severity}: ${f.ruleId} ${f.message}`);
  children.push({ tag: 'title', text: [title, ...findingLines].join('\n') });
  // A transparent hit area, so the whole row is clickable.
  children.push({ tag: 'rect', attrs: { x: 0, y: i * g.rowHeight, width: g.width, height: g.rowHeight, class: 'ladder-hit' } });
  if (row.time) children.push(text(g.gutter - 8, y + 4, row.time, 'ladder-time', 'end'));
  if (x1 === x2) {
    // Same endpoint on both sides: a small loop.
    children.push({ tag: 'path', attrs: { d: `M ${x1} ${y - 8} h 40 v 16 h -40`, class: 'ladder-arrow' } });
    children.push(arrowHead(x1, y + 8, -1));
  } else {
    const dir: 1 | -1 = x2 > x1 ? 1 : -1;
    children.push({ tag: 'line', attrs: { x1, y1: y, x2: x2 - 2 * dir, y2: y, class: 'ladder-arrow' } });
    children.push(arrowHead(x2, y, dir));
  }
  const mid = x1 === x2 ? x1 + 60 : (x1 + x2) / 2;
  const anchor = x1 === x2 ? 'start' : 'middle';
  children.push(text(mid, y - 6, row.retransmission ? `${row.label} (retransmission)` : row.label, 'ladder-label', anchor));
  const sub = [row.delta, row.detail].filter(Boolean).join('  ');
  if (sub) children.push(text(mid, y + 14, sub, 'ladder-detail', anchor));
  if (row.worst) {
    const fx = x1 + (x2 >= x1 ? 14 : -14);
    children.push({ tag: 'circle', attrs: { cx: fx, cy: y - 10, r: 7, class: `ladder-finding ${row.worst}` } });
    children.push(text(fx, y - 6.5, String(row.findings.length), 'ladder-finding-count'));
  }
  return { tag: 'g', attrs: { class: classes.join(' '), 'data-message-index': row.messageIndex, 'data-row': i, tabindex: 0, role: 'listitem' }, children };
}

/** The body: lifelines over every row, arrows only for the rows of `window` (default: all). */
export function ladderBody(model: LadderModel, window?: LadderWindow): SvgNode {
  const g = model.geometry;
  const first = Math.max(0, Math.min(model.rows.length, window?.first ?? 0));
  const end = Math.min(model.rows.length, first + Math.max(0, window?.count ?? model.rows.length));
  const children: SvgNode[] = [];
  model.lanes.forEach((_, i) => {
    const x = laneX(model, i);
    children.push({ tag: 'line', attrs: { x1: x, y1: 0, x2: x, y2: g.bodyHeight, class: 'ladder-lifeline' } });
  });
  const rows: SvgNode[] = [];
  for (let i = first; i < end; i++) rows.push(rowNode(model, model.rows[i], i));
  children.push({ tag: 'g', attrs: { class: 'ladder-rows', role: 'list' }, children: rows });
  return {
    tag: 'svg',
    attrs: { xmlns: 'http://www.w3.org/2000/svg', width: g.width, height: g.bodyHeight, viewBox: `0 0 ${g.width} ${g.bodyHeight}`, class: 'ladder-body', role: 'img', 'aria-label': `${model.rows.length} messages` },
    children,
  };
}

/** Default colours for a standalone SVG file (the webview styles the same classes from the theme). */
const STANDALONE_STYLE = [
  '.ladder-lifeline{stroke:#888;stroke-dasharray:4 4}',
  '.ladder-lane-box{fill:#f3f3f3;stroke:#888}',
  '.ladder-arrow{stroke:#333;fill:none}',
  '.ladder-arrowhead{fill:#333}',
  '.retransmission .ladder-arrow{stroke-dasharray:6 4}',
  '.ladder-hit{fill:transparent}',
  'text{font:12px sans-serif;fill:#222}',
  '.ladder-detail,.ladder-time,.ladder-lane-agent{font-size:10px;fill:#666}',
  '.ladder-label{font-weight:600}',
  '.ladder-finding.error{fill:#d32f2f}.ladder-finding.warning{fill:#f9a825}.ladder-finding.info{fill:#1976d2}',
  '.ladder-finding-count{font-size:9px;fill:#fff}',
].join('');

/**
 * One SVG document with header and body (a window of rows, or all), for saving or embedding.
 * The style sheet is fixed text (no trace text in it).
 */
export function ladderSvg(model: LadderModel, window?: LadderWindow): string {
  const g = model.geometry;
  const header = ladderHeader(model);
  const body = ladderBody(model, window);
  const height = g.headerHeight + g.bodyHeight;
  const inner = (n: SvgNode) => (n.children ?? []).map(renderSvg).join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${g.width}" height="${height}" viewBox="0 0 ${g.width} ${height}">` +
    `<style>${STANDALONE_STYLE}</style>` +
    `<g class="ladder-header">${inner(header)}</g>` +
    `<g class="ladder-body" transform="translate(0 ${g.headerHeight})">${inner(body)}</g>` +
    '</svg>'
  );
}
