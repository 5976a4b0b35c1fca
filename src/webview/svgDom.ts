/// <reference lib="dom" />
/**
 * SvgNode (src/core/ladder/svg.ts) -> DOM, with the same allow-lists as the string renderer:
 * elements by createElementNS, attributes by setAttribute only when listed, text by textContent.
 * Trace text never becomes markup here.
 */
import { SVG_ATTRIBUTES, SVG_NS, SVG_TAGS, type SvgNode } from '../core/ladder/svg';

export function svgToDom(node: SvgNode): SVGElement | undefined {
  if (!(SVG_TAGS as readonly string[]).includes(node.tag)) return undefined;
  const el = document.createElementNS(SVG_NS, node.tag);
  for (const [k, v] of Object.entries(node.attrs ?? {})) {
    if (k === 'xmlns' || !SVG_ATTRIBUTES.has(k)) continue;
    el.setAttribute(k, String(v));
  }
  if (node.text !== undefined) el.textContent = node.text;
  for (const c of node.children ?? []) {
    const child = svgToDom(c);
    if (child) el.appendChild(child);
  }
  return el;
}
