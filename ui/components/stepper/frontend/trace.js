// The compact trace (conv_core.to_compact, schema v1, documented in conv_core/trace/compact.py) and
// stepping through it: sizes, the cell of a step, the arithmetic of a step, the running sums
// of the scatter view, which cells a clicked cell feeds or is fed by, the Play clock.
// Pure functions, no DOM (tests/js/trace.test.mjs).

import { fmtNum, joinSum, matrix, operand } from "./format.js";

export const VIEWS = ["gather", "pool", "scatter"];
// Longest frame gap Play counts (a background tab must not jump far ahead when it returns).
export const MAX_FRAME_MS = 250;

/** Throws unless `T` is a compact trace the stepper can show. */
export function checkTrace(T) {
  if (!T || T.schema_version !== 1 || !VIEWS.includes(T.view)) {
    throw new Error("expected a compact trace of schema_version 1");
  }
}

/** The sizes of a trace: steps, grids, kernel, and for a gather trace of one channel the
 *  kernel as the user typed it (`originalKernel`, or turned back from a flipped trace). */
export function traceDims(T, originalKernel) {
  const g = { view: T.view, N: T.n_steps, ndim: T.ndim, isInt: T.dtype === "int64" };
  const [cin, H, W] = T.input_shape;
  g.Cin = cin;
  g.H = H;
  g.W = W;
  if (T.view === "scatter") {
    g.Cout = T.output.length;
    g.OH = T.sizes.rows.size;
    g.OW = T.sizes.cols.size;
    g.grid = [cin, H, W];
    g.KH = T.kernel[0][0].length;
    g.KW = T.kernel[0][0][0].length;
    g.Cog = T.kernel[0].length;
    g.T_per = g.Cog * g.KH * g.KW;
    const [HB, WB] = T.buffer_shape;
    g.HB = HB;
    g.WB = WB;
  } else {
    g.Cout = T.output.length;
    g.OH = T.output[0].length;
    g.OW = T.output[0][0].length;
    g.grid = [g.Cout, g.OH, g.OW];
    if (T.view === "gather") {
      g.Cg = T.kernel[0].length;
      g.KH = T.kernel[0][0].length;
      g.KW = T.kernel[0][0][0].length;
    } else {
      g.KH = T.config.kernel_size[0];
      g.KW = T.config.kernel_size[1];
    }
    g.Hp = T.mask.length;
    g.Wp = T.mask[0].length;
  }
  g.tapRowSet = new Set(T.tap_rows);
  g.tapColSet = new Set(T.tap_cols);
  let orig = originalKernel;
  if (orig && !Array.isArray(orig[0])) orig = [orig];
  if (!orig && T.view === "gather" && T.config.flipped && g.Cout === 1 && g.Cg === 1) {
    // The compact form holds the kernel applied; turning it back gives the one the user typed.
    orig = T.kernel[0][0].map((row) => row.slice().reverse()).reverse();
  }
  g.original = T.view === "gather" && g.Cout === 1 && g.Cg === 1 ? orig || null : null;
  return g;
}

/** Step i's cell [channel, row, column]: in the output (gather, pool) or the input (scatter). */
export function cellOf(g, i) {
  const [, H, W] = g.grid;
  const c = Math.floor(i / (H * W));
  const rest = i - c * H * W;
  return [c, Math.floor(rest / W), rest % W];
}

/** Step i's arithmetic, per the schema's "Rendering" rules (conv_core.format_step). Hidden
 *  (practice): every result a "?". `opts`: decimals, s(key, params) for the UI strings,
 *  chName(k) for a channel's name (null: "channel k"). */
export function stepText(T, g, i, hidden, opts) {
  const d = opts.decimals;
  const s = opts.s;
  const chName = opts.chName || (() => null);
  const n = (v) => fmtNum(v, d);
  const Q = "?";
  const [c, r, q] = cellOf(g, i);
  if (g.view === "gather") {
    const cg = g.Cg;
    const ins = T.in_channels[c];
    const value = hidden ? Q : n(T.output[c][r][q]);
    const r0 = T.row_starts[r];
    const q0 = T.col_starts[q];
    const lines = [];
    const chSums = [];
    for (let k = 0; k < cg; k++) {
      const grid = T.padded[ins[k]];
      const ker = T.kernel[c][k];
      const terms = [];
      for (let a = 0; a < g.KH; a++) {
        const row = grid[r0 + T.tap_rows[a]];
        for (let b = 0; b < g.KW; b++) terms.push(`(${n(row[q0 + T.tap_cols[b]])}×${operand(n(ker[a][b]))})`);
      }
      let sum;
      if (hidden) sum = Q;
      else if (cg > 1) sum = n(T.channel_sums[i * cg + k]);
      else if (T.bias === null) sum = value; // the sum is the output (exact, not display-rounded)
      else sum = n(T.sums[i]);
      let line = `${terms.join(" + ")} = ${sum}`;
      if (cg > 1) line = `${chName(ins[k]) ?? s("arith.channel", { k: ins[k] })}: ${line}`;
      lines.push(line);
      chSums.push(sum);
    }
    if (cg > 1) {
      const parts = chSums.slice();
      if (T.bias !== null) parts.push(n(T.bias[c]));
      lines.push(`${joinSum(parts)} = ${value}`);
    } else if (T.bias !== null) {
      lines[0] += `; ${hidden ? Q : n(T.sums[i])} + ${operand(n(T.bias[c]))} = ${value}`;
    }
    return lines.join("\n");
  }
  if (g.view === "pool") {
    const cfg = T.config;
    const value = hidden ? Q : n(T.output[c][r][q]);
    const vals = [];
    for (let a = 0; a < g.KH; a++) {
      const pr = T.row_starts[r] + T.tap_rows[a];
      for (let b = 0; b < g.KW; b++) {
        const pc = T.col_starts[q] + T.tap_cols[b];
        const m = T.mask[pr][pc];
        const counted = cfg.method === "max" ? m === 0 : cfg.count_include_pad ? m !== 2 : m === 0;
        if (counted) vals.push(n(T.padded[c][pr][pc]));
      }
    }
    if (cfg.method === "max") return `max(${vals.join(", ")}) = ${value}`;
    return `(${joinSum(vals)}) / ${T.divisors[i]} = ${value}`;
  }
  // scatter
  const v = n(T.input[c][r][q]);
  const lines = [];
  const base = i * g.T_per;
  for (let o = 0; o < g.Cog; o++) {
    const kv = [];
    const pv = [];
    for (let a = 0; a < g.KH; a++) {
      for (let b = 0; b < g.KW; b++) {
        kv.push(n(T.kernel[c][o][a][b]));
        pv.push(hidden ? Q : n(T.products[base + (o * g.KH + a) * g.KW + b]));
      }
    }
    let line = `${v} × ${matrix(kv, g.KW)} = ${hidden ? Q : matrix(pv, g.KW)}`;
    if (g.Cog > 1) line = `${s("arith.out_channel", { k: T.out_channels[c][o] })}: ${line}`;
    lines.push(line);
  }
  const [top, left] = T.crop;
  const where = (starts, taps, idx, origin, size) =>
    taps
      .map((t) => {
        const x = starts[idx] + t - origin;
        return x >= 0 && x < size ? String(x) : s("arith.cropped", { v: x });
      })
      .join(", ");
  const target = s("arith.target", {
    rows: where(T.row_starts, T.tap_rows, r, top, g.OH),
    cols: where(T.col_starts, T.tap_cols, q, left, g.OW),
  });
  if (lines.length === 1) return `${lines[0]} ${target}`;
  return [...lines, target].join("\n");
}

/** The scatter view's running output: the products of steps 0..upto added into the
 *  (uncropped) buffer of each output channel, as conv_core's running_output adds them. */
export class ScatterSum {
  constructor(T, g) {
    this.T = T;
    this.g = g;
    this.reset();
  }

  reset() {
    const g = this.g;
    this.bufs = [];
    this.cnts = [];
    for (let o = 0; o < g.Cout; o++) {
      this.bufs.push(new Float64Array(g.HB * g.WB));
      this.cnts.push(new Int32Array(g.HB * g.WB));
    }
    this.applied = -1;
  }

  /** Bring the sums to steps 0..upto; the buffer cells that changed, as keys
   *  `channel * HB * WB + row * WB + column`. */
  apply(upto) {
    const g = this.g;
    const dirty = new Set();
    if (upto < this.applied) {
      if (g.isInt) {
        while (this.applied > upto) this.step(this.applied--, -1, dirty);
      } else {
        // Floats: add again from the start, in step order, as conv_core's running_output does.
        this.reset();
        for (let o = 0; o < g.Cout; o++) for (let k = 0; k < g.HB * g.WB; k++) dirty.add(o * g.HB * g.WB + k);
      }
    }
    while (this.applied < upto) this.step(++this.applied, 1, dirty);
    return dirty;
  }

  step(k, sign, dirty) {
    const T = this.T;
    const g = this.g;
    const [c, r, q] = cellOf(g, k);
    const size = g.HB * g.WB;
    const base = k * g.T_per;
    for (let o = 0; o < g.Cog; o++) {
      const oc = T.out_channels[c][o];
      const buf = this.bufs[oc];
      const cnt = this.cnts[oc];
      for (let a = 0; a < g.KH; a++) {
        const br = T.row_starts[r] + T.tap_rows[a];
        for (let b = 0; b < g.KW; b++) {
          const bc = T.col_starts[q] + T.tap_cols[b];
          const idx = br * g.WB + bc;
          const v = T.products[base + (o * g.KH + a) * g.KW + b];
          buf[idx] += sign * (v === null ? Infinity : v);
          cnt[idx] += sign;
          dirty.add(oc * size + idx);
        }
      }
    }
  }

  /** What a buffer cell shows: its sum, or "" while nothing has landed in it. */
  label(key, decimals) {
    const size = this.g.HB * this.g.WB;
    const o = Math.floor(key / size);
    const k = key - o * size;
    return this.cnts[o][k] > 0 ? fmtNum(this.bufs[o][k], decimals) : "";
  }
}

/** Gather and pool views: the output cells (of output channel `chan`) whose window reads the
 *  padded input cell (pr, pc) of input channel `ch`, counting the cells copied into the padding
 *  (replicate, reflect, circular). `reads`: whether that channel feeds `chan` at all;
 *  `copies`: the padded cells holding the same input value; `outs`: output indices
 *  (row * OW + column), ascending. */
export function outputsReading(T, g, chan, ch, pr, pc) {
  const reads = g.view === "gather" ? T.in_channels[chan].includes(ch) : ch === chan;
  let outs = [];
  const copies = [];
  if (reads) {
    const sr = T.source_rows;
    const sc = T.source_cols;
    if (sr[pr] >= 0 && sc[pc] >= 0) {
      for (let r2 = 0; r2 < g.Hp; r2++) {
        if (sr[r2] !== sr[pr]) continue;
        for (let c2 = 0; c2 < g.Wp; c2++) if (sc[c2] === sc[pc]) copies.push([r2, c2]);
      }
    } else copies.push([pr, pc]);
    const hitRows = (x) => T.row_starts.map((st, r) => (g.tapRowSet.has(x - st) ? r : -1)).filter((r) => r >= 0);
    const hitCols = (x) => T.col_starts.map((st, q) => (g.tapColSet.has(x - st) ? q : -1)).filter((q) => q >= 0);
    const set = new Set();
    for (const [r2, c2] of copies) for (const r of hitRows(r2)) for (const q of hitCols(c2)) set.add(r * g.OW + q);
    outs = Array.from(set).sort((a, b) => a - b);
  }
  return { reads, copies, outs };
}

/** Scatter view: the input cells [channel, row, column] whose products land in buffer cell
 *  (br, bc) of output channel `oc`. */
export function inputsFeeding(T, g, oc, br, bc) {
  const found = [];
  for (let c = 0; c < g.Cin; c++) {
    if (!T.out_channels[c].includes(oc)) continue;
    for (let r = 0; r < g.H; r++) {
      if (!g.tapRowSet.has(br - T.row_starts[r])) continue;
      for (let q = 0; q < g.W; q++) if (g.tapColSet.has(bc - T.col_starts[q])) found.push([c, r, q]);
    }
  }
  return found;
}

/** Play's clock, one animation frame: `speed` steps a second, frame gaps capped at
 *  MAX_FRAME_MS. `clock` is {acc, lastT} (lastT null before the first frame); returns the
 *  new clock and how many steps to advance now (`k`). */
export function playAdvance(clock, now, speed) {
  const lastT = clock.lastT === null ? now : clock.lastT;
  const dt = Math.min(now - lastT, MAX_FRAME_MS);
  const acc = clock.acc + (dt * speed) / 1000;
  const k = Math.floor(acc);
  return { acc: k >= 1 ? acc - k : acc, lastT: now, k: k >= 1 ? k : 0 };
}
