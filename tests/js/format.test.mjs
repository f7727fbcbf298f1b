// format.js: numbers and text as conv_core writes them.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  clamp,
  esc,
  fmtNum,
  fraction,
  joinSum,
  matrix,
  operand,
  parseNumbers,
  tpl,
  typedDecimals,
} from "../../ui/components/stepper/frontend/format.js";
import { DECIMALS, FIXTURE } from "./helpers.mjs";

test("fmtNum writes every fixture number as conv_core.trace._num does", () => {
  const bad = FIXTURE.numbers.filter(([v, want]) => fmtNum(v, DECIMALS) !== want);
  assert.deepEqual(bad, []);
  assert.ok(FIXTURE.numbers.length > 100);
});

test("fmtNum: ties round to even, -0 is 0, overflow and non-numbers", () => {
  assert.equal(fmtNum(0.0625, 3), "0.062"); // a tie: Python's round-half-even
  assert.equal(fmtNum(0.1875, 3), "0.188");
  assert.equal(fmtNum(-0.0625, 3), "-0.062");
  assert.equal(fmtNum(-0.0004, 3), "0");
  assert.equal(fmtNum(2.5, 0), "2");
  assert.equal(fmtNum(3.5, 0), "4");
  assert.equal(fmtNum(1.5, 3), "1.5");
  assert.equal(fmtNum(10 ** 15, 3), "1000000000000000");
  assert.equal(fmtNum(1e21, 3), "1000000000000000000000");
  assert.equal(fmtNum(null), "inf"); // the compact form's stand-in for an overflow
  assert.equal(fmtNum(Infinity), "inf");
  assert.equal(fmtNum(-Infinity), "-inf");
  assert.equal(fmtNum(NaN), "nan");
  assert.equal(fmtNum("x"), "x");
});

test("operands and sums put negative numbers in parentheses", () => {
  assert.equal(operand("-3"), "(-3)");
  assert.equal(operand("3"), "3");
  assert.equal(joinSum(["-1", "2", "-3"]), "-1 + 2 + (-3)");
  assert.equal(joinSum([]), "0");
  assert.equal(matrix(["1", "2", "3", "4"], 2), "[[1, 2], [3, 4]]");
});

test("tpl fills known placeholders and leaves the others", () => {
  assert.equal(tpl("step {i} / {n}", { i: 1, n: 16 }), "step 1 / 16");
  assert.equal(tpl("{a} {b}", { a: 0 }), "0 {b}");
  assert.equal(tpl(undefined, {}), "");
  assert.equal(tpl("{toString}", {}), "{toString}"); // own keys only
});

test("esc makes text safe in markup and attributes", () => {
  assert.equal(esc('<a href="x">&</a>'), "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;");
  assert.equal(esc(3), "3");
});

test("small helpers", () => {
  assert.equal(clamp(5, 0, 3), 3);
  assert.equal(clamp(-1, 0, 3), 0);
  assert.equal(fraction("5/2"), 2.5);
  assert.equal(fraction("4"), 4);
  assert.equal(typedDecimals("0.25"), 2);
  assert.equal(typedDecimals("12"), 0);
});

test("parseNumbers reads what students type", () => {
  assert.deepEqual(parseNumbers("3"), ["3"]);
  assert.deepEqual(parseNumbers("−3"), ["-3"]); // a typographic minus
  assert.deepEqual(parseNumbers("0,5"), ["0.5"]); // a decimal comma
  assert.deepEqual(parseNumbers("[[1, -2], [3, 4]]"), ["1", "-2", "3", "4"]);
  assert.deepEqual(parseNumbers(".5"), [".5"]);
  assert.deepEqual(parseNumbers("abc"), []);
});
