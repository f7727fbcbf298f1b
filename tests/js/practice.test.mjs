// practice.js: the answer each step expects and what counts as right.
import assert from "node:assert/strict";
import { test } from "node:test";

import { checkAnswer, expectedText, expectedValues, scored } from "../../ui/components/stepper/frontend/practice.js";
import { traceDims } from "../../ui/components/stepper/frontend/trace.js";
import { CASES, DECIMALS } from "./helpers.mjs";

const INT = { isInt: true, decimals: DECIMALS };
const FLOAT = { isInt: false, decimals: DECIMALS };

test("a step expects its output value, shown as in the arithmetic", () => {
  for (const [name, { compact: T, texts }] of Object.entries(CASES)) {
    const g = traceDims(T);
    if (g.view === "scatter") continue;
    for (let i = 0; i < g.N; i++) {
      const shown = texts[i].slice(texts[i].lastIndexOf(" = ") + 3);
      assert.equal(expectedText(T, g, i, DECIMALS), shown, `${name} step ${i}`);
    }
  }
});

test("a scatter step expects its products, as a matrix", () => {
  const T = CASES.scatter.compact;
  const g = traceDims(T);
  assert.equal(expectedValues(T, g, 0).length, g.KH * g.KW);
  const text = expectedText(T, g, 0, DECIMALS);
  assert.ok(CASES.scatter.texts[0].includes(`= ${text}`), text);
});

test("integers must match exactly", () => {
  assert.equal(checkAnswer("3", [3], INT), true);
  assert.equal(checkAnswer(" 3 ", [3], INT), true);
  assert.equal(checkAnswer("3.0", [3], INT), true);
  assert.equal(checkAnswer("4", [3], INT), false);
  assert.equal(checkAnswer("−2", [-2], INT), true); // typographic minus
  assert.equal(checkAnswer("2.9", [3], INT), false);
});

test("floats: right as shown, or to the decimals typed (at least two)", () => {
  assert.equal(checkAnswer("0.333", [1 / 3], FLOAT), true);
  assert.equal(checkAnswer("0.33", [1 / 3], FLOAT), true);
  assert.equal(checkAnswer("0.3", [1 / 3], FLOAT), false); // fewer than two decimals
  assert.equal(checkAnswer("0,33", [1 / 3], FLOAT), true); // decimal comma
  assert.equal(checkAnswer("0.34", [1 / 3], FLOAT), false);
  assert.equal(checkAnswer("2.5", [2.5], FLOAT), true);
  assert.equal(checkAnswer("2", [2.0], FLOAT), true); // a whole float
});

test("nothing numeric is no answer; the wrong count is wrong; overflow never matches", () => {
  assert.equal(checkAnswer("", [3], INT), null);
  assert.equal(checkAnswer("abc", [3], INT), null);
  assert.equal(checkAnswer("1 2", [3], INT), false);
  assert.equal(checkAnswer("[[1, 2], [3, 4]]", [1, 2, 3, 4], INT), true);
  assert.equal(checkAnswer("[[1, 2], [3, 5]]", [1, 2, 3, 4], INT), false);
  assert.equal(checkAnswer("1", [null], INT), false);
});

test("scored counts answers and right ones", () => {
  const a = scored({ right: 0, total: 0 }, true);
  assert.deepEqual(a, { right: 1, total: 1 });
  assert.deepEqual(scored(a, false), { right: 1, total: 2 });
});
