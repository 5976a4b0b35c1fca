/// <reference lib="dom" />
/**
 * The virtualised ladder: a scroller as tall as every row, the lane header on top, and only the
 * rows in view (plus a few either side) drawn as SVG. Scrolling redraws the window in the next
 * animation frame; a flow of thousands of messages keeps a few dozen row elements in the page.
 */
import { ladderBody, ladderHeader } from '../core/ladder/svg';
import { visibleWindow, type LadderModel, type LadderWindow } from '../core/ladder/model';
import { svgToDom } from './svgDom';

export class LadderView {
  private model?: LadderModel;
  private drawn?: LadderWindow;
  private frame = 0;

  constructor(
    private readonly header: HTMLElement,
    private readonly scroller: HTMLElement,
    private readonly body: HTMLElement,
    private readonly onPick: (messageIndex: number) => void,
    private readonly onScroll: (scrollTop: number) => void,
  ) {
    scroller.addEventListener('scroll', () => {
      if (this.frame) return;
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        this.draw();
        this.onScroll(this.scroller.scrollTop);
      });
    });
    const pick = (target: EventTarget | null) => {
      const row = target instanceof Element ? target.closest('[data-message-index]') : null;
      const idx = row ? Number(row.getAttribute('data-message-index')) : NaN;
      if (Number.isInteger(idx) && idx >= 0) this.onPick(idx);
    };
    body.addEventListener('click', (e) => pick(e.target));
    body.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        pick(e.target);
      }
    });
  }

  show(model: LadderModel | undefined, scrollTop = 0): void {
    this.model = model;
    this.drawn = undefined;
    this.header.replaceChildren();
    this.body.replaceChildren();
    if (!model) return;
    const h = svgToDom(ladderHeader(model));
    if (h) this.header.appendChild(h);
    this.body.style.height = `${model.geometry.bodyHeight}px`;
    this.body.style.width = `${model.geometry.width}px`;
    this.scroller.scrollTop = scrollTop;
    this.draw();
  }

  /** Rows drawn now (for tests and the status line). */
  get window(): LadderWindow | undefined {
    return this.drawn;
  }

  private draw(): void {
    const m = this.model;
    if (!m) return;
    // The sticky lane header sits above the rows inside the same scroller.
    const w = visibleWindow(m, this.scroller.scrollTop - m.geometry.headerHeight, this.scroller.clientHeight || 480);
    if (this.drawn && this.drawn.first === w.first && this.drawn.count === w.count) return;
    this.drawn = w;
    const svg = svgToDom(ladderBody(m, w));
    if (svg) this.body.replaceChildren(svg);
    this.body.setAttribute('data-first-row', String(w.first));
    this.body.setAttribute('data-row-count', String(w.count));
  }
}
