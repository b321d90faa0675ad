import { describe, expect, it } from 'vitest';
import { traceLoops, type Loop } from './contours';

/** Twice the signed area (shoelace): positive for a loop clockwise on screen (rows down). */
const area2 = (loop: Loop): number =>
  loop.reduce((sum, [c, r], k) => {
    const [c1, r1] = loop[(k + 1) % loop.length];
    return sum + c * r1 - c1 * r;
  }, 0);

/** Whether the point (column, row) is inside an odd number of the loops (crossings of a ray to the right). */
function inside(loops: Loop[], column: number, row: number): boolean {
  let odd = false;
  for (const loop of loops)
    loop.forEach(([c0, r0], k) => {
      const [c1, r1] = loop[(k + 1) % loop.length];
      if (r0 > row !== r1 > row && column < c0 + ((row - r0) * (c1 - c0)) / (r1 - r0)) odd = !odd;
    });
  return odd;
}

/** A mask from rows of text, `#` inside. */
function maskOf(rows: string[]): { mask: number[]; rows: number; columns: number } {
  return {
    mask: rows.flatMap((r) => [...r].map((ch) => (ch === '#' ? 1 : 0))),
    rows: rows.length,
    columns: rows[0].length,
  };
}

describe('traceLoops', () => {
  it('one pixel: its four corners, clockwise on screen', () => {
    expect(traceLoops([1], 1, 1).map((l) => area2(l))).toEqual([2]);
    const [loop] = traceLoops([0, 0, 0, 1], 2, 2);
    expect(new Set(loop.map(([c, r]) => `${c},${r}`))).toEqual(new Set(['1,1', '2,1', '2,2', '1,2']));
  });

  it('a ring with an island: three loops, the hole the other way round; the pixel centres inside are the mask', () => {
    const { mask, rows, columns } = maskOf([
      '#######',
      '#.....#',
      '#.###.#',
      '#.#.#.#',
      '#.###.#',
      '#.....#',
      '#######',
    ]);
    const loops = traceLoops(mask, rows, columns);
    // outer ring boundary, its hole, the island's outer boundary and the island's own hole.
    expect(loops.map(area2).sort((a, b) => a - b)).toEqual([-50, -2, 18, 98]);
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < columns; c++)
        expect(inside(loops, c + 0.5, r + 0.5), `${c},${r}`).toBe(mask[r * columns + c] === 1);
    // Straight runs keep only their ends.
    expect(loops.every((l) => l.length === 4)).toBe(true);
  });

  it('pixels touching only at a corner stay apart; an L keeps its six corners', () => {
    const diagonal = maskOf(['#.', '.#', '#.']);
    const loops = traceLoops(diagonal.mask, diagonal.rows, diagonal.columns);
    expect(loops).toHaveLength(3);
    expect(loops.every((l) => l.length === 4 && area2(l) === 2)).toBe(true);
    const l = maskOf(['#..', '#..', '###']);
    const [shape] = traceLoops(l.mask, l.rows, l.columns);
    expect(shape).toHaveLength(6);
    expect(area2(shape)).toBe(10);
  });

  it('an empty mask has no loops', () => {
    expect(traceLoops([0, 0, 0, 0], 2, 2)).toEqual([]);
  });
});
