// trace.js: the compact trace's sizes, each step's arithmetic (against conv_core.format_step),
// the scatter view's running sums, clicked-cell lookups and Play's clock.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  cellOf,
  checkTrace,
  inputsFeeding,
  MAX_FRAME_MS,
  outputsReading,
  playAdvance,
  ScatterSum,
  stepText,
  traceDims,
} from "../../ui/components/stepper/frontend/trace.js";
import { CASES, DECIMALS, s } from "./helpers.mjs";

const OPTS = { decimals: DECIMALS, s, chName: () => null };

test("the fixture covers every view", () => {
  const views = new Set(Object.values(CASES).map((c) => c.compact.view));
  assert.deepEqual([...views].sort(), ["gather", "pool", "scatter"]);
});

for (const [name, { compact: T, texts }] of Object.entries(CASES)) {
  test(`${name}: every step's text is conv_core.format_step's`, () => {
    const g = traceDims(T);
    assert.equal(g.N, texts.length);
    const got = texts.map((_, i) => stepText(T, g, i, false, OPTS));
    const bad = got.map((t, i) => [i, t, texts[i]]).filter(([, t, want]) => t !== want);
    assert.deepEqual(bad.slice(0, 3), []);
    assert.equal(got[0], T.first_step_text);
  });

  test(`${name}: hidden (practice) shows the inputs, never a result`, () => {
    const g = traceDims(T);
    for (let i = 0; i < g.N; i++) {
      const hidden = stepText(T, g, i, true, OPTS);
      assert.match(hidden, /\?/);
      const shown = texts[i];
      if (g.view !== "scatter") {
        // Everything before the first " = " (the terms or the window) is the same.
        assert.equal(hidden.split(" = ")[0], shown.split(" = ")[0]);
        assert.ok(hidden.endsWith("= ?"), hidden);
      }
    }
  });
}

test("checkTrace refuses anything but a compact trace of schema 1", () => {
  assert.throws(() => checkTrace(null), /schema_version 1/);
  assert.throws(() => checkTrace({ schema_version: 2, view: "gather" }), /schema_version 1/);
  assert.throws(() => checkTrace({ schema_version: 1, view: "nope" }), /schema_version 1/);
  checkTrace(CASES.lecture.compact);
});

test("traceDims: the lecture example's sizes", () => {
  const g = traceDims(CASES.lecture.compact);
  assert.equal(g.view, "gather");
  assert.equal(g.N, 16);
  assert.deepEqual([g.Cin, g.H, g.W, g.Cout, g.OH, g.OW, g.Cg, g.KH, g.KW], [1, 6, 6, 1, 4, 4, 1, 3, 3]);
  assert.deepEqual([g.Hp, g.Wp], [6, 6]);
  assert.equal(g.isInt, true);
  assert.equal(g.original, null); // not flipped, none given
  assert.deepEqual(traceDims(CASES.lecture.compact, [1, 2, 3]).original, [[1, 2, 3]]);
});

test("traceDims: a true convolution shows the kernel as typed (flipped back)", () => {
  const T = CASES.convolve.compact;
  const applied = T.kernel[0][0];
  const typed = traceDims(T).original;
  assert.deepEqual(typed, applied.map((row) => row.slice().reverse()).reverse());
  assert.deepEqual(typed, [[1, 2, 0], [0, 0, 0], [0, -1, -2]]);
});

test("cellOf walks channels, then rows, then columns", () => {
  const g = traceDims(CASES.rgb.compact);
  const [C, H, W] = g.grid;
  assert.deepEqual(cellOf(g, 0), [0, 0, 0]);
  assert.deepEqual(cellOf(g, W), [0, 1, 0]);
  assert.deepEqual(cellOf(g, H * W + 1), [1, 0, 1]);
  assert.deepEqual(cellOf(g, C * H * W - 1), [C - 1, H - 1, W - 1]);
});

test("ScatterSum: all steps, cropped, plus the bias, is the output", () => {
  const T = CASES.scatter.compact;
  const g = traceDims(T);
  const sum = new ScatterSum(T, g);
  sum.apply(g.N - 1);
  const [top, left] = T.crop;
  for (let o = 0; o < g.Cout; o++) {
    for (let r = 0; r < g.OH; r++) {
      for (let q = 0; q < g.OW; q++) {
        const v = sum.bufs[o][(r + top) * g.WB + (q + left)] + (T.bias ? T.bias[o] : 0);
        assert.equal(v, T.output[o][r][q], `(${o}, ${r}, ${q})`);
      }
    }
  }
});

test("ScatterSum: stepping back gives what stepping forward to there gave", () => {
  const T = CASES.scatter.compact;
  const g = traceDims(T);
  const back = new ScatterSum(T, g);
  back.apply(g.N - 1);
  const dirty = back.apply(3);
  const fresh = new ScatterSum(T, g);
  fresh.apply(3);
  assert.deepEqual(back.bufs, fresh.bufs);
  assert.deepEqual(back.cnts, fresh.cnts);
  assert.ok(dirty.size > 0);
  const untouched = [...Array(g.HB * g.WB).keys()].find((k) => fresh.cnts[0][k] === 0);
  assert.equal(fresh.label(untouched, DECIMALS), "");
});

test("outputsReading: a corner cell feeds one output, a middle cell feeds many", () => {
  const T = CASES.lecture.compact;
  const g = traceDims(T);
  assert.deepEqual(outputsReading(T, g, 0, 0, 0, 0), { reads: true, copies: [[0, 0]], outs: [0] });
  const mid = outputsReading(T, g, 0, 0, 2, 2);
  assert.deepEqual(mid.outs, [0, 1, 2, 4, 5, 6, 8, 9, 10]);
});

test("outputsReading: with replicate padding a copied edge cell counts where it is copied", () => {
  const T = CASES.replicate.compact;
  const g = traceDims(T);
  const { copies, outs } = outputsReading(T, g, 0, 0, 1, 1); // input (0, 0), copied into 3 pad cells
  assert.equal(copies.length, 4);
  assert.deepEqual(outs, [0, 1, 4, 5]);
});

test("inputsFeeding: the scatter cells whose products land in a buffer cell", () => {
  const T = CASES.scatter.compact;
  const g = traceDims(T);
  const found = inputsFeeding(T, g, 0, 0, 0);
  assert.deepEqual(found, [[0, 0, 0]]);
  for (const [c, r, q] of inputsFeeding(T, g, 0, 2, 2)) {
    assert.ok(g.tapRowSet.has(2 - T.row_starts[r]) && g.tapColSet.has(2 - T.col_starts[q]), `${c} ${r} ${q}`);
  }
});

test("playAdvance: speed steps a second, long gaps capped", () => {
  let clock = { acc: 0, lastT: null };
  clock = playAdvance(clock, 1000, 30); // the first frame starts the clock
  assert.equal(clock.k, 0);
  let steps = 0;
  for (let t = 1000 + 1000 / 60; t <= 2000 + 1e-9; t += 1000 / 60) {
    clock = playAdvance(clock, t, 30);
    steps += clock.k;
  }
  assert.ok(steps >= 29 && steps <= 30, String(steps));
  const after = playAdvance({ acc: 0, lastT: 0 }, 10_000, 2); // a tab in the background
  assert.equal(after.k, Math.floor((MAX_FRAME_MS * 2) / 1000));
  assert.ok(after.acc < 1);
});
