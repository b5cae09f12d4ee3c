/**
 * A quick exact 3-objective hypervolume (private) by a sweep along the third objective: each
 * slab between consecutive third coordinates is the 2-D staircase area of the points below
 * it times the slab's height, O(n²) for n points. It is the same volume as the WFG recursion
 * of `./hypervolume.ts` but rounds differently, so it serves only as an estimate that decides
 * which candidates of a subset selection need the exact WFG value (`./_pareto_fast.ts`).
 *
 * @module
 */

/** A loss vector. */
type Point = ReadonlyArray<number>;

/** Reusable buffers of {@link hv3dSweep}. */
export interface Sweep3d {
  order: Int32Array;
  zs: Float64Array;
  xs: Float64Array;
  ys: Float64Array;
}

/** Buffers for up to `n` points (they grow when needed). */
export function sweep3d(n = 16): Sweep3d {
  return {
    order: new Int32Array(n),
    zs: new Float64Array(n),
    xs: new Float64Array(n),
    ys: new Float64Array(n),
  };
}

function grow(s: Sweep3d, n: number): void {
  if (s.order.length >= n) return;
  s.order = new Int32Array(2 * n);
  s.zs = new Float64Array(2 * n);
  s.xs = new Float64Array(2 * n);
  s.ys = new Float64Array(2 * n);
}

/** Inserts (x, y) into the staircase (x ascending, y descending) unless weakly dominated. */
function insert(s: Sweep3d, m: number, x: number, y: number): number {
  const { xs, ys } = s;
  for (let j = 0; j < m; j++) if (xs[j]! <= x && ys[j]! <= y) return m;
  let w = 0;
  for (let j = 0; j < m; j++) {
    if (x <= xs[j]! && y <= ys[j]!) continue; // dominated by the new point
    xs[w] = xs[j]!;
    ys[w] = ys[j]!;
    w++;
  }
  let at = w;
  while (at > 0 && xs[at - 1]! > x) {
    xs[at] = xs[at - 1]!;
    ys[at] = ys[at - 1]!;
    at--;
  }
  xs[at] = x;
  ys[at] = y;
  return w + 1;
}

/** Hypervolume of finite 3-objective `points` bounded by the finite `ref` (each point ≤ ref). */
export function hv3dSweep(s: Sweep3d, points: ReadonlyArray<Point>, ref: Point): number {
  const n = points.length;
  grow(s, n + 1);
  const order = s.order;
  const zs = s.zs;
  for (let i = 0; i < n; i++) { // insertion sort by the third objective (n is small)
    const z = points[i]![2]!;
    let j = i;
    while (j > 0 && zs[j - 1]! > z) {
      zs[j] = zs[j - 1]!;
      order[j] = order[j - 1]!;
      j--;
    }
    zs[j] = z;
    order[j] = i;
  }
  const ord = order;
  const rx = ref[0]!, ry = ref[1]!, rz = ref[2]!;
  let vol = 0, m = 0;
  for (let q = 0; q < n; q++) {
    const p = points[ord[q]!]!;
    m = insert(s, m, p[0]!, p[1]!);
    const zNext = q + 1 < n ? zs[q + 1]! : rz;
    const h = zNext - p[2]!;
    if (h === 0) continue;
    let area = 0, prevY = ry;
    for (let j = 0; j < m; j++) {
      area += (rx - s.xs[j]!) * (prevY - s.ys[j]!);
      prevY = s.ys[j]!;
    }
    vol += area * h;
  }
  return vol;
}
