// ConvLab stepper: a Streamlit v2 component (ES module, mounted in a shadow root).
//
// The server sends the whole trace once per settings change (conv_core.to_compact, schema v1,
// documented in conv_core/trace/compact.py); everything per step happens here, in the browser: drawing,
// stepping, playing, clicking cells, practice answers and the keyboard. Nothing is sent to the
// server per step, except by a teacher leading a class (lead.js: one event per step). Only what must survive a rerun is reported, and only when the user stops:
// the step (for a shared link) and the practice score, on pause or after PERSIST_IDLE_MS idle.
//
// This file and stepper.css are served from this folder as the component's assets (pyproject's
// [tool.streamlit.component]): the browser fetches them once per page, and a settings change
// carries data only. The entry imports its siblings:
//   format.js    numbers and text as conv_core.format_step writes them
//   trace.js     the compact trace: sizes, a step's cell and arithmetic, scatter sums, Play clock
//   practice.js  the answer a step expects, and checking a typed one
//   keys.js      what keys mean, whose they are, and the page-wide key listener
//   layout.js    rows of panels and the cell size that fit the width
//   lead.js      class mode: the lead secret kept in localStorage, what to send and follow
//   view.js      the DOM: the Stepper class (grids, controls, highlights, what persists)
// All but view.js are pure, and tested with Node's test runner (tests/js/).
//
// Streamlit may call the default export again on every rerun with the same shadow root; one
// Stepper lives per root and keeps its step unless the trace itself changed (data.trace_id).
//
// Keys work without clicking the stepper first: a v2 component is mounted in the page's own
// document (a shadow root, not an iframe), so one document-level keydown listener, shared by
// every stepper on the page, is added when the first mounts and removed when the last unmounts
// (keys.js). `?` opens the shortcut list, an accessible dialog in the shadow root.
// Presenter mode (data.presenter, set by the server from the session) draws larger cells and text.

import { Stepper } from "./view.js";

const INSTANCES = new WeakMap();
const STYLE_WAIT_MS = 3000; // draw anyway if stepper.css has not loaded by then

export default function (component) {
  const { data, parentElement, setStateValue, setTriggerValue } = component;
  let inst = INSTANCES.get(parentElement);
  if (!inst) {
    inst = new Stepper(parentElement);
    INSTANCES.set(parentElement, inst);
  }
  inst.setStateValue = setStateValue;
  inst.setTriggerValue = setTriggerValue;
  whenStyled(parentElement, () => {
    if (INSTANCES.get(parentElement) !== inst) return; // unmounted meanwhile
    try {
      inst.update(data);
    } catch (err) {
      inst.showError(err);
    }
  });
  return () => {
    inst.destroy();
    INSTANCES.delete(parentElement);
  };
}

/** Run `fn` once the component's stylesheet (a <link> Streamlit adds beside the HTML) has
 *  loaded, at once when it has: the layout measures the styled stepper, as it did when the
 *  CSS was inline. */
function whenStyled(root, fn) {
  const link = root.querySelector('link[rel="stylesheet"]');
  if (!link || link.sheet) {
    fn();
    return;
  }
  let done = false;
  const go = () => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    link.removeEventListener("load", go);
    link.removeEventListener("error", go);
    fn();
  };
  const timer = setTimeout(go, STYLE_WAIT_MS);
  link.addEventListener("load", go);
  link.addEventListener("error", go);
}
