// layout.js: rows of panels and a cell size that fit the stepper's width.
import assert from "node:assert/strict";
import { test } from "node:test";

import { chooseLayout, LABEL_H, MARGIN, placePanels, S_IDX, S_MAX } from "../../ui/components/stepper/frontend/layout.js";

const OPTS = { scale: 1, presenter: false, labelH: LABEL_H, subH: 26 };

function lecture() {
  return [
    { role: "input", rows: 6, cols: 6 },
    { role: "kernel", rows: 3, cols: 3 },
    { role: "output", rows: 4, cols: 4 },
  ];
}

test("wide enough: one row, the largest cells", () => {
  const lay = chooseLayout(lecture(), 1200, 800, OPTS);
  assert.equal(lay.rows.length, 1);
  assert.equal(lay.s, S_MAX);
  assert.equal(lay.withIdx, true);
  assert.ok(lay.h <= 800);
});

test("narrow: more rows rather than tiny cells; panels keep their order", () => {
  const lay = chooseLayout(lecture(), 500, 1000, OPTS);
  assert.ok(lay.rows.length > 1);
  assert.deepEqual(lay.rows.flat().map((p) => p.role), ["input", "kernel", "output"]);
  assert.ok(lay.s >= S_IDX);
});

test("cells are quarter pixels, at least 4 px; no index labels below S_IDX", () => {
  const big = [{ role: "input", rows: 128, cols: 128 }, { role: "output", rows: 126, cols: 126 }];
  const lay = chooseLayout(big, 400, 500, OPTS);
  assert.ok(lay.s >= 4);
  assert.equal(lay.s * 4, Math.round(lay.s * 4));
  assert.equal(lay.withIdx, false);
});

test("presenter mode: larger cells, but the layout fits the height it is given", () => {
  const plain = chooseLayout(lecture(), 1200, 400, OPTS);
  const pres = chooseLayout(lecture(), 1200, 400, { ...OPTS, scale: 1.5, presenter: true, labelH: 39, subH: 39 });
  assert.ok(pres.h <= 400, String(pres.h));
  assert.ok(plain.s <= S_MAX);
});

test("many channels: the inputs share a row", () => {
  const panels = [];
  for (let c = 0; c < 8; c++) panels.push({ role: "input", rows: 5, cols: 5 });
  for (let c = 0; c < 4; c++) panels.push({ role: "kernel", rows: 3, cols: 3 });
  panels.push({ role: "output", rows: 5, cols: 5 });
  const lay = chooseLayout(panels, 1200, 900, OPTS);
  assert.deepEqual(lay.rows.flat(), panels);
  if (lay.rows.length === 2) assert.ok(lay.rows[0].length === 8 && lay.rows[0].every((p) => p.role === "input"));
  else assert.equal(lay.rows.length, 13); // the other candidate: a panel a row
});

test("placePanels: panels side by side without overlap, inside the drawing", () => {
  const lay = chooseLayout(lecture(), 1200, 800, OPTS);
  const { height, padL, padT } = placePanels(lay, LABEL_H, 26);
  const [a, b, c] = lay.rows[0];
  assert.equal(a.x, MARGIN);
  assert.ok(a.x + a.w < b.x && b.x + b.w < c.x);
  assert.equal(a.gx, a.x + padL);
  assert.equal(a.gy, a.y + LABEL_H + padT);
  assert.equal(a.w, padL + 6 * lay.s);
  assert.ok(Math.max(a.y + a.h, b.y + b.h, c.y + c.h) <= height);
});
