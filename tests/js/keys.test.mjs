// keys.js: what each key means, when a key belongs to something else, which stepper gets it.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  commandFor,
  isPageKey,
  ownsKey,
  PAGE_KEY_NAMES,
  pathTakesKey,
  pickTarget,
  SHORTCUTS,
} from "../../ui/components/stepper/frontend/keys.js";
import { FIXTURE } from "./helpers.mjs";

/** A stand-in for a DOM element: what ownsKey and pathTakesKey read. */
function el(tagName, { type, role, editable = false, classes = [] } = {}) {
  return {
    nodeType: 1,
    tagName,
    type,
    isContentEditable: editable,
    getAttribute: (name) => (name === "role" ? (role ?? null) : null),
    classList: { contains: (c) => classes.includes(c) },
  };
}

test("each key's command", () => {
  assert.equal(commandFor("ArrowRight"), "next");
  assert.equal(commandFor("ArrowLeft"), "prev");
  assert.equal(commandFor("Home"), "first");
  assert.equal(commandFor("End"), "last");
  assert.equal(commandFor(" "), "play");
  assert.equal(commandFor("Spacebar"), "play");
  assert.equal(commandFor("?"), "help");
  assert.equal(commandFor("Escape"), "clear");
  assert.equal(commandFor("a"), null);
  assert.equal(commandFor("toString"), null);
  assert.equal(PAGE_KEY_NAMES.size, 8);
});

test("the shortcut list names only strings that exist", () => {
  for (const [caps, what] of SHORTCUTS) {
    for (const key of [...caps, what]) assert.ok(key in FIXTURE.strings, key);
  }
});

test("fields, selects, canvases and key-taking roles own every key", () => {
  for (const key of ["ArrowRight", " ", "Home"]) {
    assert.equal(ownsKey(el("INPUT", { type: "text" }), key), true);
    assert.equal(ownsKey(el("INPUT", { type: "number" }), key), true);
    assert.equal(ownsKey(el("INPUT", { type: "range" }), key), true);
    assert.equal(ownsKey(el("TEXTAREA"), key), true);
    assert.equal(ownsKey(el("SELECT"), key), true);
    assert.equal(ownsKey(el("CANVAS"), key), true);
    assert.equal(ownsKey(el("DIV", { editable: true }), key), true);
    assert.equal(ownsKey(el("DIV", { role: "slider" }), key), true);
    assert.equal(ownsKey(el("DIV", { role: "tablist" }), key), true);
    assert.equal(ownsKey(el("DIV", { role: "dialog" }), key), true);
  }
});

test("buttons, links and checkboxes own Space (and Enter for inputs), not the arrows", () => {
  assert.equal(ownsKey(el("BUTTON"), " "), true);
  assert.equal(ownsKey(el("BUTTON"), "ArrowRight"), false);
  assert.equal(ownsKey(el("A"), " "), true);
  assert.equal(ownsKey(el("DIV", { role: "button" }), " "), true);
  assert.equal(ownsKey(el("INPUT", { type: "checkbox" }), " "), true);
  assert.equal(ownsKey(el("INPUT", { type: "checkbox" }), "Enter"), true);
  assert.equal(ownsKey(el("INPUT", { type: "checkbox" }), "ArrowLeft"), false);
  assert.equal(ownsKey(el("DIV"), " "), false);
  assert.equal(ownsKey(null, " "), false);
  assert.equal(ownsKey({ nodeType: 3 }, " "), false); // a text node
});

test("page keys: no modifiers, no composing, Shift only for ?", () => {
  const key = (k, extra = {}) => ({ key: k, ...extra });
  assert.equal(isPageKey(key("ArrowRight")), true);
  assert.equal(isPageKey(key("?", { shiftKey: true })), true);
  assert.equal(isPageKey(key("ArrowRight", { shiftKey: true })), false); // selects text
  assert.equal(isPageKey(key("ArrowRight", { ctrlKey: true })), false);
  assert.equal(isPageKey(key("ArrowRight", { altKey: true })), false);
  assert.equal(isPageKey(key("ArrowRight", { metaKey: true })), false);
  assert.equal(isPageKey(key("ArrowRight", { isComposing: true })), false);
  assert.equal(isPageKey(key("ArrowRight", { defaultPrevented: true })), false);
  assert.equal(isPageKey(key("x")), false);
});

test("a key is someone else's when an owner or a stepper is on its path (below the body)", () => {
  const body = el("BODY");
  const html = el("HTML");
  const stops = [body, html];
  const div = el("DIV");
  assert.equal(pathTakesKey([div, body, html], "ArrowRight", stops), false);
  assert.equal(pathTakesKey([el("INPUT", { type: "text" }), div, body], "ArrowRight", stops), true);
  assert.equal(pathTakesKey([el("SPAN"), el("DIV", { classes: ["stp"] }), body], "ArrowRight", stops), true);
  // An owner above the body is not on the focused element's own path.
  assert.equal(pathTakesKey([div, body, el("TEXTAREA")], "ArrowRight", stops), false);
});

test("which stepper: the active one if shown, else the first on screen, else the first", () => {
  const a = { id: "a" };
  const b = { id: "b" };
  const box = (top, bottom) => ({ top, bottom });
  const shown = [
    [a, box(-500, -100)], // scrolled above the window
    [b, box(200, 600)],
  ];
  assert.equal(pickTarget(shown, null, 900), b);
  assert.equal(pickTarget(shown, a, 900), a);
  assert.equal(pickTarget(shown, { id: "gone" }, 900), b);
  assert.equal(pickTarget([[a, box(1000, 1400)]], null, 900), a); // none on screen: the first
  assert.equal(pickTarget([], a, 900), null);
});
