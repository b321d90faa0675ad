/**
 * Closed contours of a binary mask along its pixels' edges: every edge between a
 * pixel inside and one outside (or the border) belongs to exactly one closed loop.
 * Outer boundaries run clockwise on screen (rows down), holes the other way, and a
 * point is inside when an odd number of loops surround it; a pixel's centre is never
 * on an edge, so rasterising the loops by their centres gives back the mask exactly.
 * Where two inside pixels touch only at a corner, the loops turn right, so they stay
 * apart (4-connectivity). Collinear points are dropped.
 */

/** A loop of corner points `[column, row]`, corner (c, r) being the top-left corner of pixel (c, r). */
export type Loop = [number, number][];

/** The loops around the pixels of `mask` (rows x columns, non-zero inside). */
export function traceLoops(mask: ArrayLike<number>, rows: number, columns: number): Loop[] {
  const inside = (c: number, r: number): boolean =>
    c >= 0 && r >= 0 && c < columns && r < rows && mask[r * columns + c] !== 0;
  const key = (c: number, r: number): number => r * (columns + 1) + c;
  // Directed edges by their start corner: [end column, end row].
  const outgoing = new Map<number, [number, number][]>();
  const add = (c0: number, r0: number, c1: number, r1: number): void => {
    const list = outgoing.get(key(c0, r0)) ?? [];
    list.push([c1, r1]);
    outgoing.set(key(c0, r0), list);
  };
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < columns; c++) {
      if (!inside(c, r)) continue;
      if (!inside(c, r - 1)) add(c, r, c + 1, r);
      if (!inside(c + 1, r)) add(c + 1, r, c + 1, r + 1);
      if (!inside(c, r + 1)) add(c + 1, r + 1, c, r + 1);
      if (!inside(c - 1, r)) add(c, r + 1, c, r);
    }
  const loops: Loop[] = [];
  for (const [startKey, ends] of outgoing) {
    while (ends.length) {
      const start: [number, number] = [startKey % (columns + 1), Math.floor(startKey / (columns + 1))];
      const loop: Loop = [start];
      let from = start;
      let to = ends.pop() as [number, number];
      while (to[0] !== start[0] || to[1] !== start[1]) {
        loop.push(to);
        const next = outgoing.get(key(to[0], to[1])) as [number, number][];
        const direction = [to[0] - from[0], to[1] - from[1]];
        // A right turn on screen (rows down) is (dx, dy) -> (-dy, dx).
        const right = next.findIndex(([c, r]) => c - to[0] === -direction[1] && r - to[1] === direction[0]);
        const [chosen] = next.splice(next.length > 1 && right >= 0 ? right : 0, 1);
        from = to;
        to = chosen;
      }
      loops.push(withoutCollinear(loop));
    }
  }
  return loops;
}

/** The loop without the points that lie on a straight line between their neighbours. */
function withoutCollinear(loop: Loop): Loop {
  return loop.filter((point, k) => {
    const before = loop[(k + loop.length - 1) % loop.length];
    const after = loop[(k + 1) % loop.length];
    const cross =
      (point[0] - before[0]) * (after[1] - point[1]) - (point[1] - before[1]) * (after[0] - point[0]);
    return cross !== 0;
  });
}
