// lead.js: the teacher's lead secret kept in the browser, and the class-mode plan.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  classPlan,
  forget,
  MAX_AGE_MS,
  newest,
  PLAY_GAP_MS,
  PREFIX,
  recall,
  refresh,
  remember,
  sendNow,
} from "../../ui/components/stepper/frontend/lead.js";

/** localStorage's interface over a Map. */
function fakeStorage() {
  const m = new Map();
  return {
    get length() {
      return m.size;
    },
    key: (i) => [...m.keys()][i] ?? null,
    getItem: (k) => (m.has(k) ? m.get(k) : null),
    setItem: (k, v) => m.set(k, String(v)),
    removeItem: (k) => m.delete(k),
    map: m,
  };
}

test("a kept secret is recalled for its room only, until it is too old", () => {
  const s = fakeStorage();
  assert.equal(remember(s, "ABC234", "sekret", 1000), true);
  assert.equal(recall(s, "ABC234", 2000), "sekret");
  assert.equal(recall(s, "XYZ789", 2000), null);
  assert.equal(recall(s, "ABC234", 1000 + MAX_AGE_MS), null);
  assert.ok(s.map.has(`${PREFIX}ABC234`));
});

test("refresh keeps an active teacher's secret young", () => {
  const s = fakeStorage();
  remember(s, "ABC234", "sekret", 0);
  assert.equal(refresh(s, "ABC234", MAX_AGE_MS - 10), "sekret");
  assert.equal(recall(s, "ABC234", MAX_AGE_MS + 1000), "sekret");
});

test("bad codes and secrets are not kept; unreadable entries recall nothing", () => {
  const s = fakeStorage();
  assert.equal(remember(s, "abc", "x", 0), false);
  assert.equal(remember(s, "ABC234", "", 0), false);
  assert.equal(remember(s, "ABC234", null, 0), false);
  s.setItem(`${PREFIX}ABC234`, "{not json");
  assert.equal(recall(s, "ABC234", 0), null);
  assert.equal(remember(null, "ABC234", "x", 0), false);
});

test("newest finds the latest young secret and drops old ones", () => {
  const s = fakeStorage();
  remember(s, "OLD234", "a", 0);
  remember(s, "MID234", "b", MAX_AGE_MS);
  remember(s, "NEW234", "c", MAX_AGE_MS + 5);
  s.setItem("other.key", "1");
  assert.deepEqual(newest(s, MAX_AGE_MS + 10), { code: "NEW234", secret: "c" });
  assert.equal(s.getItem(`${PREFIX}OLD234`), null);
  assert.equal(s.getItem("other.key"), "1");
  forget(s, "NEW234");
  forget(s, "MID234");
  assert.equal(newest(s, MAX_AGE_MS + 10), null);
});

test("a storage that refuses writes does not throw", () => {
  const s = fakeStorage();
  s.setItem = () => {
    throw new Error("QuotaExceededError");
  };
  assert.equal(remember(s, "ABC234", "x", 0), false);
});

test("classPlan: go to the class's step only when it changed", () => {
  const p = classPlan({ role: "follow", code: "ABC234", step: 4, hide: 4 }, null);
  assert.equal(p.role, "follow");
  assert.equal(p.goto, 4);
  assert.equal(p.hide, 4);
  assert.equal(classPlan({ role: "follow", step: 4 }, p.gotoKey).goto, null);
  assert.equal(classPlan({ role: "follow", step: 5 }, p.gotoKey).goto, 5);
  // The teacher asked twice at one step: a new goto_id goes there again.
  const a = classPlan({ role: "lead", step: 4, goto_id: 1 }, null);
  assert.equal(classPlan({ role: "lead", step: 4, goto_id: 1 }, a.gotoKey).goto, null);
  assert.equal(classPlan({ role: "lead", step: 4, goto_id: 2 }, a.gotoKey).goto, 4);
  assert.equal(classPlan({ role: "lead" }, a.gotoKey).goto, null);
});

test("classPlan: nothing, junk or another role means no class", () => {
  for (const c of [null, undefined, 3, "lead", { role: "admin" }]) {
    const p = classPlan(c, null);
    assert.equal(p.role, null);
    assert.equal(p.goto, null);
    assert.equal(p.hide, -1);
    assert.deepEqual(p.forget, []);
  }
  assert.equal(classPlan({ resume: true }, null).resume, true);
  assert.deepEqual(classPlan({ forget: ["ABC234", 3] }, null).forget, ["ABC234"]);
});

test("sendNow: every step, but at most one per gap while playing", () => {
  assert.equal(sendNow(false, 10, 5), true);
  assert.equal(sendNow(true, 10, 5), false);
  assert.equal(sendNow(true, 5 + PLAY_GAP_MS, 5), true);
});
