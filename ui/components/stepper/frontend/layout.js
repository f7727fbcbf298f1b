// Where the panels (input, kernel, output grids) go: rows of panels and one cell size that fit
// the stepper's width. Pure functions, no DOM (tests/js/layout.test.mjs).

export const S_MAX = 64; // largest cell (px at zoom 1): big numbers for a projector
export const S_IDX = 16; // smallest cell that still gets row/column index labels
export const LABEL_H = 26; // a panel's title row (px at scale 1); its caption line is as tall
export const GAP = 30;
export const ROW_GAP = 24;
export const MARGIN = 6;
const IDX_W = 24; // room for the row index labels, left of a grid
const IDX_H = 18; // and for the column index labels, above it

/** Rows of panels and a cell size that fit the width: the largest cells whose layout is
 *  not taller than maxH (else the shortest layout). Panels keep their order. `panels`:
 *  [{rows, cols, sub, role}]; `opts`: {scale, presenter, labelH, subH}. Returns
 *  {rows, s, h, withIdx}. */
export function chooseLayout(panels, width, maxH, opts) {
  const { scale, presenter, labelH, subH } = opts;
  const m = panels.length;
  const evaluate = (rows, withIdx) => {
    let s = S_MAX * scale;
    for (const row of rows) {
      const fixed = row.reduce((a) => a + (withIdx ? IDX_W : 0), 0) + GAP * (row.length - 1) + 2 * MARGIN;
      const cells = row.reduce((a, p) => a + p.cols, 0);
      s = Math.min(s, (width - fixed) / cells);
    }
    const height = (size) => {
      let h = 2 * MARGIN + ROW_GAP * (rows.length - 1);
      for (const row of rows) {
        h += Math.max(...row.map((p) => labelH + (withIdx ? IDX_H : 0) + p.rows * size + (p.sub ? subH : 0)));
      }
      return h;
    };
    if (presenter) {
      // On a projector the toolbar, the grids and the arithmetic should fit one screen:
      // cells no taller than that allows (the height grows linearly with the cell size).
      const h0 = height(0);
      const per = height(1) - h0;
      if (per > 0) s = Math.min(s, (maxH - h0) / per);
    }
    s = Math.max(4, Math.floor(s * 4) / 4);
    return { rows, s, h: height(s), withIdx };
  };
  const partitions = [];
  if (m <= 11) {
    for (let mask = 0; mask < 1 << (m - 1); mask++) {
      const rows = [[panels[0]]];
      for (let i = 1; i < m; i++) {
        if (mask & (1 << (i - 1))) rows.push([panels[i]]);
        else rows[rows.length - 1].push(panels[i]);
      }
      partitions.push(rows);
    }
  } else {
    // Many channels: inputs on one row, the rest on another.
    const inputs = panels.filter((p) => p.role === "input");
    partitions.push([inputs, panels.filter((p) => p.role !== "input")]);
    partitions.push(panels.map((p) => [p]));
  }
  const pick = (withIdx) => {
    const cands = partitions.map((rows) => evaluate(rows, withIdx));
    const fit = cands.filter((c) => c.h <= maxH);
    if (fit.length) {
      // Cells within 25% of the largest count as equal: then fewer rows (the window and
      // its output cell side by side), then larger cells, then shorter.
      const top = Math.max(...fit.map((c) => c.s));
      const near = fit.filter((c) => c.s >= top * 0.75);
      near.sort((a, b) => a.rows.length - b.rows.length || b.s - a.s || a.h - b.h);
      return near[0];
    }
    cands.sort((a, b) => a.h - b.h || b.s - a.s);
    return cands[0];
  };
  let best = pick(true);
  if (best.s < S_IDX) best = pick(false);
  return best;
}

/** Place the panels of a layout (chooseLayout's result): sets each panel's x, y (its box),
 *  gx, gy (its grid's corner), w and h. Returns {height, padL, padT}: the drawing's height and
 *  the room left of and above each grid for index labels. */
export function placePanels(lay, labelH, subH) {
  const s = lay.s;
  const padL = lay.withIdx ? IDX_W : 0;
  const padT = lay.withIdx ? IDX_H : 0;
  let y = MARGIN;
  for (const row of lay.rows) {
    let x = MARGIN;
    let rowH = 0;
    for (const p of row) {
      p.x = x;
      p.y = y;
      p.gx = x + padL;
      p.gy = y + labelH + padT;
      p.w = padL + p.cols * s;
      p.h = labelH + padT + p.rows * s + (p.sub ? subH : 0);
      x += p.w + GAP;
      rowH = Math.max(rowH, p.h);
    }
    y += rowH + ROW_GAP;
  }
  return { height: Math.ceil(y - ROW_GAP + MARGIN), padL, padT };
}
