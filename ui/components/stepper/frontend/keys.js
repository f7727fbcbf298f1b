// The stepper's keys: what each key means, when a key is someone else's, and which stepper
// the page-wide keys go to (tests/js/keys.test.mjs); then the one document-level listener.
//
// One keydown listener on the document serves every stepper on the page. A key reaches it
// only when no stepper handled it itself (a focused stepper handles its own keys and stops
// them) and it is ignored when the focus is somewhere that uses keys itself: a text field,
// number input, select, slider, text area, contenteditable editor, a canvas (the drawing grid,
// the data editor), or anything whose ARIA role takes arrow keys (slider, textbox, combobox,
// listbox, grid, tabs, radio group, menu, application, another dialog). On a focused button or
// link Space is left to it (it presses it); the arrows still step.
//
// Which stepper: the one last clicked or focused, while it is still displayed; else the first
// one (in page order) that is on screen; else the first displayed one.

// The shortcut list: [key cap string keys, what it does]; every key the stepper handles.
export const SHORTCUTS = [
  [["keys.cap_right"], "keys.next"],
  [["keys.cap_left"], "keys.prev"],
  [["keys.cap_home"], "keys.first"],
  [["keys.cap_end"], "keys.last"],
  [["keys.cap_space"], "keys.play"],
  [["keys.cap_esc"], "keys.clear"],
  [["keys.cap_help"], "keys.help"],
  [["keys.cap_tab"], "keys.tab"],
  [["keys.cap_enter"], "keys.enter"],
];

const COMMANDS = {
  ArrowRight: "next",
  ArrowLeft: "prev",
  Home: "first",
  End: "last",
  " ": "play",
  Spacebar: "play",
  "?": "help",
  Escape: "clear",
};
export const PAGE_KEY_NAMES = new Set(Object.keys(COMMANDS));
const OWN_KEY_ROLES = new Set([
  "textbox", "searchbox", "slider", "spinbutton", "combobox", "listbox", "option", "grid", "gridcell",
  "treegrid", "tree", "treeitem", "tablist", "tab", "radiogroup", "radio", "menu", "menubar", "menuitem",
  "menuitemcheckbox", "menuitemradio", "application", "dialog", "alertdialog",
]);
const PRESS_TYPES = new Set(["checkbox", "button", "submit", "reset", "image", "file", "color"]);
const OWN_KEY_TAGS = ["TEXTAREA", "SELECT", "IFRAME", "CANVAS", "VIDEO", "AUDIO", "EMBED", "OBJECT"];

/** What `key` means to a stepper: "next", "prev", "first", "last", "play", "help",
 *  "clear" (Esc: the highlight), or null. */
export function commandFor(key) {
  return Object.prototype.hasOwnProperty.call(COMMANDS, key) ? COMMANDS[key] : null;
}

/** Whether `el`, on the focused element's path, handles `key` itself. */
export function ownsKey(el, key) {
  if (!el || el.nodeType !== 1) return false;
  if (el.isContentEditable) return true;
  const tag = el.tagName;
  const space = key === " " || key === "Spacebar";
  if (OWN_KEY_TAGS.includes(tag)) return true;
  if (tag === "INPUT") return PRESS_TYPES.has(String(el.type).toLowerCase()) ? space || key === "Enter" : true;
  const role = el.getAttribute("role");
  if (role && OWN_KEY_ROLES.has(role)) return true;
  if (tag === "BUTTON" || tag === "A" || tag === "SUMMARY" || ["button", "link", "checkbox", "switch"].includes(role)) {
    return space;
  }
  return false;
}

/** Whether a keydown may be a page-wide stepper key at all (no modifier, not composing,
 *  one of the keys; Shift only for `?`: Shift+arrows select text). */
export function isPageKey(e) {
  if (e.defaultPrevented || e.isComposing || e.altKey || e.ctrlKey || e.metaKey) return false;
  if (!PAGE_KEY_NAMES.has(e.key)) return false;
  return !(e.shiftKey && e.key !== "?");
}

/** Whether the key belongs to something on the event's path (up to, not including, an
 *  element of `stops`: the body and the root element): a stepper, which already decided
 *  itself, or an element that owns the key. */
export function pathTakesKey(path, key, stops) {
  for (const el of path) {
    if (stops.includes(el)) break;
    if (el.classList && el.classList.contains("stp")) return true;
    if (ownsKey(el, key)) return true;
  }
  return false;
}

/** The stepper the page-wide keys go to. `shown`: [stepper, its box] for each displayed
 *  stepper, in page order; `active`: the one last clicked or focused; `viewportH`: the
 *  window's height. null when none is displayed. */
export function pickTarget(shown, active, viewportH) {
  if (active && shown.some(([inst]) => inst === active)) return active;
  const onScreen = shown.find(([, box]) => box.bottom > 0 && box.top < viewportH);
  return onScreen ? onScreen[0] : shown.length ? shown[0][0] : null;
}

// ------------------------------------------------------------------ the document listener

const PAGE_KEYS = { steppers: new Set(), active: null, listening: false };

function shownBox(inst) {
  if (!inst.el.isConnected || !inst.T) return null;
  const r = inst.el.getBoundingClientRect();
  return r.width > 0 && r.height > 0 ? r : null;
}

function hostOf(inst) {
  const root = inst.el.getRootNode();
  return root && root.host ? root.host : inst.el;
}

/** The stepper page-wide keys go to (see above), or null. */
function keyTarget() {
  const shown = [];
  for (const inst of PAGE_KEYS.steppers) {
    const box = shownBox(inst);
    if (box) shown.push([inst, box]);
  }
  shown.sort(([a], [b]) => (hostOf(a).compareDocumentPosition(hostOf(b)) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
  const h = window.innerHeight || document.documentElement.clientHeight;
  return pickTarget(shown, PAGE_KEYS.active, h);
}

function onPageKey(e) {
  if (!isPageKey(e)) return;
  const path = e.composedPath ? e.composedPath() : [e.target];
  if (pathTakesKey(path, e.key, [document.body, document.documentElement])) return;
  const inst = keyTarget();
  if (inst && inst.command(e.key, e.repeat)) {
    e.preventDefault();
    e.stopPropagation();
  }
}

/** A stepper joins the page-wide keys (the listener is added with the first). */
export function registerPageKeys(inst) {
  PAGE_KEYS.steppers.add(inst);
  if (!PAGE_KEYS.listening) {
    document.addEventListener("keydown", onPageKey);
    PAGE_KEYS.listening = true;
  }
}

/** A stepper leaves (the listener goes with the last). */
export function unregisterPageKeys(inst) {
  PAGE_KEYS.steppers.delete(inst);
  if (PAGE_KEYS.active === inst) PAGE_KEYS.active = null;
  if (!PAGE_KEYS.steppers.size && PAGE_KEYS.listening) {
    document.removeEventListener("keydown", onPageKey);
    PAGE_KEYS.listening = false;
  }
}

/** The stepper last clicked or focused gets the page-wide keys. */
export function setActive(inst) {
  PAGE_KEYS.active = inst;
}

/** The element that has the focus, looking inside shadow roots. */
export function deepActive() {
  let a = document.activeElement;
  while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
  return a;
}
