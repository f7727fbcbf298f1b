// Practice mode: the answer a step expects and whether a typed answer is right.
// Pure functions, no DOM (tests/js/practice.test.mjs).

import { fmtNum, matrix, parseNumbers, typedDecimals } from "./format.js";
import { cellOf } from "./trace.js";

/** The numbers step i asks for: its output value (gather, pool) or its products (scatter). */
export function expectedValues(T, g, i) {
  const [c, r, q] = cellOf(g, i);
  if (g.view !== "scatter") return [T.output[c][r][q]];
  return T.products.slice(i * g.T_per, (i + 1) * g.T_per);
}

/** The answer as the feedback line shows it. */
export function expectedText(T, g, i, decimals) {
  const vals = expectedValues(T, g, i).map((v) => fmtNum(v, decimals));
  return g.view === "scatter" ? matrix(vals, g.KW) : vals[0];
}

/** Right when the typed number shows as the answer does (floats: to the decimals typed,
 *  at least two or as many as the answer needs). null when nothing numeric was typed.
 *  `expected`: expectedValues(...); `isInt`: the trace is integer (then ints must match). */
export function checkAnswer(text, expected, { isInt, decimals }) {
  const typed = parseNumbers(text);
  if (!typed.length) return null;
  if (typed.length !== expected.length) return false;
  return typed.every((t, k) => {
    const x = Number(t);
    const e = expected[k];
    if (e === null || !Number.isFinite(x)) return false;
    if (Number.isInteger(e) && isInt) return x === e;
    const shown = fmtNum(e, decimals);
    if (fmtNum(x, decimals) === shown) return true;
    const dTyped = typedDecimals(t);
    const need = Math.min(typedDecimals(shown), 2);
    return dTyped >= need && Math.abs(x - e) <= 0.5 * 10 ** -dTyped + 1e-9;
  });
}

/** The score after an answer (a new object; `score` is {right, total}). */
export function scored(score, ok) {
  return { right: score.right + (ok ? 1 : 0), total: score.total + 1 };
}
