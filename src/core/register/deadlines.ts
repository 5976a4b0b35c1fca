/**
 * A binary min-heap of windows by deadline: the model checks expired expectations on every
 * timestamped message, so this must stay O(log n) however many flows are open.
 */
import type { OpenWindow } from './model';

export class DeadlineHeap {
  private items: OpenWindow[] = [];

  get size(): number {
    return this.items.length;
  }

  push(w: OpenWindow): void {
    const a = this.items;
    a.push(w);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((a[parent].deadline as number) <= (w.deadline as number)) break;
      a[i] = a[parent];
      i = parent;
    }
    a[i] = w;
  }

  /**
   * Drops the windows `keep` rejects. Closed windows otherwise stay until their deadline (lazy
   * deletion), pinning their exchange: a registration expiry can be an hour ahead.
   */
  compact(keep: (w: OpenWindow) => boolean): void {
    // An array sorted by deadline is a valid min-heap.
    this.items = this.items.filter(keep).sort((a, b) => (a.deadline as number) - (b.deadline as number));
  }

  peek(): OpenWindow | undefined {
    return this.items[0];
  }

  pop(): OpenWindow | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop() as OpenWindow;
    if (a.length > 0) {
      let i = 0;
      const n = a.length;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        const dm = () => (m === i ? (last.deadline as number) : (a[m].deadline as number));
        if (l < n && (a[l].deadline as number) < dm()) m = l;
        if (r < n && (a[r].deadline as number) < dm()) m = r;
        if (m === i) break;
        a[i] = a[m];
        i = m;
      }
      a[i] = last;
    }
    return top;
  }
}
