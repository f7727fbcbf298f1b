// ConvLab draw_grid: a Streamlit v2 component (ES module, mounted in a shadow root).
//
// The learner paints a rows x cols bitmap with mouse, touch or pen (pointer events with pointer
// capture; a square brush of 1-3 cells; fast strokes interpolated so they have no gaps), erases
// (Erase mode, the right mouse button, or a pen's eraser end), undoes strokes and clears. The
// grid is focusable: arrow keys move a cursor, Space/Enter toggle its cell, Delete/Backspace
// clear, Ctrl+Z undoes; a live region says the cell.
//
// Server traffic: the bitmap (packed bits in hex, as ui/components/draw_grid encode_bitmap) goes to the
// server with ONE setStateValue when a stroke ends, and on Clear, Undo or a keyboard toggle;
// never per pointer move. Streamlit may call the default export again on every rerun with the
// same root: one DrawGrid lives per root and keeps its drawing unless data.token changed (the
// page passed a new value) or the grid changed size.
//
// This file and draw_grid.css are served from this folder as the component's assets
// (pyproject's [tool.streamlit.component]): the browser fetches them once per page, and a
// stroke's rerun carries data only.

const INSTANCES = new WeakMap();
const STYLE_WAIT_MS = 3000; // draw anyway if draw_grid.css has not loaded by then
const UNDO_MAX = 100;
const STEP = 0.34; // interpolation step along a stroke, in cells
const INK = "#111318";
const GRID_LINE = "#dfe2e8";
const BLOCK_LINE = "#7b8190";
const CURSOR = "#d55e00";
const HOVER = "#0072b2";
const ZERO = "#a3a8b4"; // a 0 count: there, but quiet

export default function (component) {
  const { data, parentElement, setStateValue } = component;
  let inst = INSTANCES.get(parentElement);
  if (!inst) {
    inst = new DrawGrid(parentElement);
    INSTANCES.set(parentElement, inst);
  }
  inst.setStateValue = setStateValue;
  whenStyled(parentElement, () => {
    if (INSTANCES.get(parentElement) !== inst) return; // unmounted meanwhile
    try {
      inst.update(data || {});
    } catch (err) {
      inst.showError(err);
    }
  });
  return () => {
    inst.destroy();
    INSTANCES.delete(parentElement);
  };
}

/** Run `fn` once the component's stylesheet (draw_grid.css, served from the asset folder: a
 *  <link> Streamlit adds beside the HTML) has loaded, at once when it has: the grid measures
 *  its styled box, as it did when the CSS was inline. */
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

// ------------------------------------------------------------------ bits <-> hex

/** Packed bits (row-major, first cell = most significant bit) as lowercase hex. */
export function encodeBits(bits) {
  const n = Math.ceil(bits.length / 8);
  let out = "";
  for (let b = 0; b < n; b++) {
    let byte = 0;
    for (let k = 0; k < 8; k++) {
      const i = b * 8 + k;
      if (i < bits.length && bits[i]) byte |= 1 << (7 - k);
    }
    out += byte.toString(16).padStart(2, "0");
  }
  return out;
}

/** Hex back to one byte (0/1) per cell; null when it is not a bitmap of that size. */
export function decodeBits(hex, n) {
  if (typeof hex !== "string" || hex.length !== 2 * Math.ceil(n / 8) || !/^[0-9a-fA-F]*$/.test(hex)) {
    return null;
  }
  const bits = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const byte = parseInt(hex.substr((i >> 3) * 2, 2), 16);
    bits[i] = (byte >> (7 - (i & 7))) & 1;
  }
  return bits;
}

function tpl(template, params) {
  return String(template ?? "").replace(/\{(\w+)\}/g, (m, k) =>
    params && Object.prototype.hasOwnProperty.call(params, k) ? String(params[k]) : m,
  );
}

function clamp(v, lo, hi) {
  return Math.max(lo, Math.min(hi, v));
}

function sameBits(a, b) {
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// ------------------------------------------------------------------ the widget

class DrawGrid {
  constructor(root) {
    this.root = root;
    this.el = root.querySelector(".dg");
    this.canvas = root.querySelector(".dg-canvas");
    this.countsCanvas = root.querySelector(".dg-counts");
    this.live = root.querySelector(".dg-live");
    this.rows = 0;
    this.cols = 0;
    this.block = null;
    this.bits = new Uint8Array(0);
    this.token = null;
    this.reported = null; // hex the server last got (or sent us)
    this.undo = [];
    this.erasing = false;
    this.brush = 2;
    this.brushSet = false;
    this.stroke = null; // {id, erase, before, fx, fy}
    this.hover = null;
    this.cursor = { r: 0, c: 0 };
    this.showCursor = false;
    this.strings = {};
    this.s = 10;
    this.frame = 0;
    this.handlers = [];
    this.bind();
  }

  on(target, type, fn, opts) {
    target.addEventListener(type, fn, opts);
    this.handlers.push(() => target.removeEventListener(type, fn, opts));
  }

  destroy() {
    for (const off of this.handlers) off();
    this.handlers = [];
    if (this.frame) cancelAnimationFrame(this.frame);
  }

  // ---------------------------------------------------------------- data in

  update(d) {
    const rows = Number(d.rows) | 0;
    const cols = Number(d.cols) | 0;
    if (rows < 1 || cols < 1) throw new Error(`bad grid size ${d.rows}x${d.cols}`);
    this.strings = d.strings || {};
    const block = Number(d.block) | 0;
    this.block = block > 0 && rows % block === 0 && cols % block === 0 ? block : null;
    const resized = rows !== this.rows || cols !== this.cols;
    if (resized || d.token !== this.token) {
      const incoming = decodeBits(d.bits, rows * cols) || new Uint8Array(rows * cols);
      if (resized) {
        this.undo = [];
        this.cursor = { r: 0, c: 0 };
      } else if (!sameBits(incoming, this.bits)) {
        this.pushUndo(this.bits);
      }
      this.rows = rows;
      this.cols = cols;
      this.bits = incoming;
      this.token = d.token;
      this.reported = encodeBits(incoming);
      this.stroke = null;
    }
    if (!this.brushSet && [1, 2, 3].includes(d.brush)) this.brush = d.brush;
    const side = Math.max(rows, cols);
    this.s = Math.max(4, Math.floor((Number(d.height_px) || 320) / side));
    this.layout();
    this.applyStrings();
    this.syncButtons();
    this.render();
    this.el.dataset.ready = "1";
  }

  applyStrings() {
    const S = this.strings;
    const q = (sel) => this.root.querySelector(sel);
    this.el.setAttribute("aria-label", S.region || "");
    q(".dg-bar").setAttribute("aria-label", S.toolbar || "");
    q(".dg-draw .dg-lbl").textContent = S.draw || "";
    q(".dg-erase .dg-lbl").textContent = S.erase || "";
    q(".dg-draw").title = S.draw_title || "";
    q(".dg-erase").title = S.erase_title || "";
    q(".dg-undo .dg-lbl").textContent = S.undo || "";
    q(".dg-undo").title = S.undo_title || "";
    q(".dg-clear .dg-lbl").textContent = S.clear || "";
    q(".dg-clear").title = S.clear_title || "";
    q(".dg-brush-label").textContent = S.brush || "";
    for (const b of this.root.querySelectorAll(".dg-brush")) {
      const n = b.dataset.size;
      const label = tpl(S.brush_size, { n });
      b.setAttribute("aria-label", label);
      b.title = label;
    }
    this.canvas.setAttribute("aria-label", tpl(S.grid, { rows: this.rows, cols: this.cols }));
    q(".dg-cap-main").textContent = tpl(S.caption, { rows: this.rows, cols: this.cols });
    q(".dg-help").textContent = S.keys_help || "";
    if (this.block) {
      const br = this.rows / this.block;
      const bc = this.cols / this.block;
      const text = tpl(S.blocks_caption, { block: this.block, rows: br, cols: bc, max: this.block * this.block });
      q(".dg-cap-blocks").textContent = text;
      this.countsCanvas.setAttribute("aria-label", text);
    }
  }

  layout() {
    const s = this.s;
    const dpr = window.devicePixelRatio || 1;
    const w = this.cols * s + 1;
    const h = this.rows * s + 1;
    const size = (cv, cw, ch) => {
      if (cv.width !== Math.round(cw * dpr) || cv.height !== Math.round(ch * dpr)) {
        cv.width = Math.round(cw * dpr);
        cv.height = Math.round(ch * dpr);
      }
      cv.style.width = `${cw}px`;
    };
    size(this.canvas, w, h);
    this.el.classList.toggle("dg-has-blocks", !!this.block);
    if (this.block) size(this.countsCanvas, w, h);
    this.dpr = dpr;
  }

  syncButtons() {
    const q = (sel) => this.root.querySelector(sel);
    q(".dg-draw").setAttribute("aria-pressed", String(!this.erasing));
    q(".dg-erase").setAttribute("aria-pressed", String(this.erasing));
    this.el.classList.toggle("dg-erasing", this.erasing);
    for (const b of this.root.querySelectorAll(".dg-brush")) {
      b.setAttribute("aria-pressed", String(Number(b.dataset.size) === this.brush));
    }
    q(".dg-undo").disabled = this.undo.length === 0;
    q(".dg-clear").disabled = !this.bits.some((v) => v);
  }

  showError(err) {
    this.el.dataset.ready = "error";
    const help = this.root.querySelector(".dg-help");
    help.classList.add("dg-error");
    help.textContent = tpl(this.strings.error || "{message}", { message: err && err.message ? err.message : String(err) });
  }

  // ---------------------------------------------------------------- edits

  pushUndo(bits) {
    this.undo.push(bits.slice());
    if (this.undo.length > UNDO_MAX) this.undo.shift();
  }

  /** Send the bitmap to the server (one rerun) unless it already has it. */
  report() {
    const hex = encodeBits(this.bits);
    if (hex === this.reported || !this.setStateValue) return;
    this.reported = hex;
    this.setStateValue("bitmap", { bits: hex, token: this.token });
  }

  commit(before) {
    if (sameBits(before, this.bits)) return false;
    this.pushUndo(before);
    this.syncButtons();
    this.render();
    this.report();
    return true;
  }

  clear() {
    const before = this.bits.slice();
    this.bits.fill(0);
    if (this.commit(before)) this.say(this.strings.cleared || "");
  }

  undoLast() {
    if (!this.undo.length) return;
    this.bits = this.undo.pop();
    this.stroke = null;
    this.syncButtons();
    this.render();
    this.report();
    this.say(this.strings.undone || "");
  }

  toggleCursorCell() {
    const before = this.bits.slice();
    const i = this.cursor.r * this.cols + this.cursor.c;
    this.bits[i] = this.bits[i] ? 0 : 1;
    this.commit(before);
    this.sayCell();
  }

  /** Paint the brush centred on fractional cell position (fy, fx). */
  dab(fy, fx, erase) {
    const b = this.brush;
    const r0 = Math.floor(fy - b / 2 + 0.5);
    const c0 = Math.floor(fx - b / 2 + 0.5);
    const v = erase ? 0 : 1;
    for (let r = Math.max(0, r0); r < Math.min(this.rows, r0 + b); r++) {
      for (let c = Math.max(0, c0); c < Math.min(this.cols, c0 + b); c++) this.bits[r * this.cols + c] = v;
    }
  }

  /** Paint every dab along the segment from the last point: fast strokes leave no gaps. */
  strokeTo(fy, fx) {
    const st = this.stroke;
    const dy = fy - st.fy;
    const dx = fx - st.fx;
    const n = Math.max(1, Math.ceil(Math.hypot(dx, dy) / STEP));
    for (let k = 1; k <= n; k++) this.dab(st.fy + (dy * k) / n, st.fx + (dx * k) / n, st.erase);
    st.fy = fy;
    st.fx = fx;
  }

  /** A pointer event's position in (fractional) cells. */
  cellPos(e) {
    const rect = this.canvas.getBoundingClientRect();
    const innerW = this.canvas.clientWidth || rect.width;
    const innerH = this.canvas.clientHeight || rect.height;
    const scaleX = (this.cols * this.s + 1) / innerW;
    const scaleY = (this.rows * this.s + 1) / innerH;
    const x = (e.clientX - rect.left - this.canvas.clientLeft) * scaleX;
    const y = (e.clientY - rect.top - this.canvas.clientTop) * scaleY;
    return { fx: x / this.s, fy: y / this.s };
  }

  // ---------------------------------------------------------------- events

  bind() {
    const cv = this.canvas;
    this.on(cv, "contextmenu", (e) => e.preventDefault());
    this.on(cv, "pointerdown", (e) => this.onDown(e));
    this.on(cv, "pointermove", (e) => this.onMove(e));
    this.on(cv, "pointerup", (e) => this.onUp(e));
    this.on(cv, "pointercancel", (e) => this.onUp(e));
    this.on(cv, "lostpointercapture", (e) => this.onUp(e));
    this.on(cv, "pointerleave", () => {
      if (!this.stroke && this.hover) {
        this.hover = null;
        this.requestRender();
      }
    });
    this.on(cv, "keydown", (e) => {
      cv.classList.add("dg-kbd"); // the focus ring shows once the keyboard is in use
      this.onKey(e);
    });
    this.on(cv, "focus", () => {
      this.showCursor = true;
      this.render();
    });
    this.on(cv, "blur", () => {
      this.showCursor = false;
      this.render();
    });
    this.on(this.root.querySelector(".dg-bar"), "click", (e) => {
      const b = e.target.closest("[data-act]");
      if (!b || b.disabled) return;
      const act = b.dataset.act;
      if (act === "draw" || act === "erase") this.setErasing(act === "erase");
      else if (act === "brush") this.setBrush(Number(b.dataset.size));
      else if (act === "undo") this.undoLast();
      else if (act === "clear") this.clear();
    });
  }

  setErasing(on) {
    this.erasing = !!on;
    this.syncButtons();
    this.say(this.erasing ? this.strings.erase || "" : this.strings.draw || "");
  }

  setBrush(n) {
    if (![1, 2, 3].includes(n)) return;
    this.brush = n;
    this.brushSet = true;
    this.syncButtons();
    this.requestRender();
  }

  onDown(e) {
    if (this.stroke) return; // a second finger: ignore it
    // 0 = main button / touch / pen tip; 2 = right button; 5 = pen eraser (buttons & 32)
    if (e.button !== 0 && e.button !== 2 && e.button !== 5) return;
    e.preventDefault();
    this.canvas.classList.remove("dg-kbd");
    this.canvas.focus({ preventScroll: true, focusVisible: false });
    this.showCursor = false;
    try {
      this.canvas.setPointerCapture(e.pointerId);
    } catch (_err) {
      /* synthetic events have no capturable pointer */
    }
    const erase = this.erasing || e.button === 2 || e.button === 5 || (e.buttons & 32) !== 0;
    const { fx, fy } = this.cellPos(e);
    this.stroke = { id: e.pointerId, erase, before: this.bits.slice(), fx, fy };
    this.hover = null;
    this.dab(fy, fx, erase);
    this.requestRender();
  }

  onMove(e) {
    const st = this.stroke;
    if (!st) {
      if (e.pointerType === "mouse") {
        const { fx, fy } = this.cellPos(e);
        this.hover = { fx, fy };
        this.requestRender();
      }
      return;
    }
    if (e.pointerId !== st.id) return;
    const events = typeof e.getCoalescedEvents === "function" ? e.getCoalescedEvents() : [];
    for (const ev of events.length ? events : [e]) {
      const { fx, fy } = this.cellPos(ev);
      this.strokeTo(fy, fx);
    }
    this.requestRender();
  }

  onUp(e) {
    const st = this.stroke;
    if (!st || e.pointerId !== st.id) return;
    if (e.type === "pointerup") {
      const { fx, fy } = this.cellPos(e);
      this.strokeTo(fy, fx);
    }
    this.stroke = null;
    try {
      if (this.canvas.hasPointerCapture(e.pointerId)) this.canvas.releasePointerCapture(e.pointerId);
    } catch (_err) {
      /* already released */
    }
    this.commit(st.before); // one report per stroke (if it changed anything)
    this.render();
  }

  onKey(e) {
    const k = e.key;
    const big = e.shiftKey ? this.block || 4 : 1;
    const moves = { ArrowUp: [-big, 0], ArrowDown: [big, 0], ArrowLeft: [0, -big], ArrowRight: [0, big] };
    if (moves[k]) {
      e.preventDefault();
      this.cursor.r = clamp(this.cursor.r + moves[k][0], 0, this.rows - 1);
      this.cursor.c = clamp(this.cursor.c + moves[k][1], 0, this.cols - 1);
      this.showCursor = true;
      this.render();
      this.sayCell();
    } else if (k === "Home" || k === "End") {
      e.preventDefault();
      this.cursor.c = k === "Home" ? 0 : this.cols - 1;
      this.showCursor = true;
      this.render();
      this.sayCell();
    } else if (k === " " || k === "Enter") {
      e.preventDefault();
      this.showCursor = true;
      this.toggleCursorCell();
    } else if (k === "Delete" || k === "Backspace") {
      e.preventDefault();
      this.clear();
    } else if ((e.ctrlKey || e.metaKey) && (k === "z" || k === "Z")) {
      e.preventDefault();
      this.undoLast();
    } else if (!e.ctrlKey && !e.metaKey && !e.altKey && (k === "e" || k === "E")) {
      e.preventDefault();
      this.setErasing(!this.erasing);
    } else if (!e.ctrlKey && !e.metaKey && !e.altKey && ["1", "2", "3"].includes(k)) {
      e.preventDefault();
      this.setBrush(Number(k));
      this.say(tpl(this.strings.brush_size, { n: k }));
    }
  }

  // ---------------------------------------------------------------- speech

  say(text) {
    // Re-set so the same sentence twice is still announced.
    this.live.textContent = "";
    this.live.textContent = text;
  }

  sayCell() {
    const { r, c } = this.cursor;
    const on = !!this.bits[r * this.cols + c];
    const S = this.strings;
    const params = { row: r + 1, col: c + 1, state: on ? S.on || "on" : S.off || "off" };
    let text = tpl(S.cell, params);
    if (this.block) {
      const counts = this.counts();
      const bc = this.cols / this.block;
      const count = counts[Math.floor(r / this.block) * bc + Math.floor(c / this.block)];
      text += " " + tpl(S.cell_block, { count, max: this.block * this.block });
    }
    this.say(text);
  }

  // ---------------------------------------------------------------- drawing

  counts() {
    const b = this.block;
    const bc = this.cols / b;
    const out = new Array((this.rows / b) * bc).fill(0);
    for (let r = 0; r < this.rows; r++) {
      const row = Math.floor(r / b) * bc;
      for (let c = 0; c < this.cols; c++) if (this.bits[r * this.cols + c]) out[row + Math.floor(c / b)]++;
    }
    return out;
  }

  requestRender() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  render() {
    if (!this.rows) return;
    const s = this.s;
    const W = this.cols * s;
    const H = this.rows * s;
    const g = this.canvas.getContext("2d");
    g.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    g.fillStyle = "#ffffff";
    g.fillRect(0, 0, W + 1, H + 1);
    g.fillStyle = INK;
    for (let r = 0; r < this.rows; r++) {
      for (let c = 0; c < this.cols; c++) if (this.bits[r * this.cols + c]) g.fillRect(c * s, r * s, s, s);
    }
    // faint grid lines (over the ink too, so cells stay countable)
    if (s >= 6) {
      g.strokeStyle = GRID_LINE;
      g.lineWidth = 1;
      g.beginPath();
      for (let c = 0; c <= this.cols; c++) {
        g.moveTo(c * s + 0.5, 0);
        g.lineTo(c * s + 0.5, H);
      }
      for (let r = 0; r <= this.rows; r++) {
        g.moveTo(0, r * s + 0.5);
        g.lineTo(W, r * s + 0.5);
      }
      g.globalAlpha = 0.9;
      g.stroke();
      g.globalAlpha = 1;
    }
    if (this.block) {
      const b = this.block;
      g.strokeStyle = BLOCK_LINE;
      g.lineWidth = 2;
      g.beginPath();
      for (let c = b; c < this.cols; c += b) {
        g.moveTo(c * s + 0.5, 0);
        g.lineTo(c * s + 0.5, H);
      }
      for (let r = b; r < this.rows; r += b) {
        g.moveTo(0, r * s + 0.5);
        g.lineTo(W, r * s + 0.5);
      }
      g.stroke();
    }
    if (this.hover && !this.stroke) {
      const bsz = this.brush;
      const r0 = Math.floor(this.hover.fy - bsz / 2 + 0.5);
      const c0 = Math.floor(this.hover.fx - bsz / 2 + 0.5);
      g.strokeStyle = HOVER;
      g.lineWidth = 2;
      g.strokeRect(c0 * s + 1, r0 * s + 1, bsz * s - 1, bsz * s - 1);
    }
    if (this.showCursor) {
      const { r, c } = this.cursor;
      g.lineWidth = 4;
      g.strokeStyle = "#ffffff";
      g.strokeRect(c * s + 1, r * s + 1, s - 1, s - 1);
      g.lineWidth = 3;
      g.strokeStyle = CURSOR;
      g.strokeRect(c * s - 1, r * s - 1, s + 3, s + 3);
    }
    if (this.block) this.renderCounts();
    // for tests and tools: what the drawing is right now
    this.el.dataset.on = String(this.bits.reduce((a, v) => a + v, 0));
    this.el.dataset.bits = encodeBits(this.bits);
  }

  renderCounts() {
    const b = this.block;
    const s = this.s * b;
    const br = this.rows / b;
    const bc = this.cols / b;
    const max = b * b;
    const counts = this.counts();
    const g = this.countsCanvas.getContext("2d");
    g.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    g.fillStyle = "#ffffff";
    g.fillRect(0, 0, bc * s + 1, br * s + 1);
    const fontPx = Math.max(9, Math.min(22, Math.floor(s * 0.45)));
    g.font = `600 ${fontPx}px "Source Sans Pro", "Source Sans 3", "NanumGothic", system-ui, sans-serif`;
    g.textAlign = "center";
    g.textBaseline = "middle";
    for (let i = 0; i < counts.length; i++) {
      const r = Math.floor(i / bc);
      const c = i % bc;
      const f = counts[i] / max;
      const level = Math.round(255 - f * (255 - 0x11));
      g.fillStyle = `rgb(${level},${level},${Math.min(255, level + 6)})`;
      g.fillRect(c * s, r * s, s, s);
      g.fillStyle = f > 0.5 ? "#ffffff" : counts[i] ? INK : ZERO;
      if (counts[i] > 0 || s >= 28) g.fillText(String(counts[i]), c * s + s / 2, r * s + s / 2 + 1);
    }
    g.strokeStyle = BLOCK_LINE;
    g.lineWidth = 1;
    g.beginPath();
    for (let c = 0; c <= bc; c++) {
      g.moveTo(c * s + 0.5, 0);
      g.lineTo(c * s + 0.5, br * s);
    }
    for (let r = 0; r <= br; r++) {
      g.moveTo(0, r * s + 0.5);
      g.lineTo(bc * s, r * s + 0.5);
    }
    g.stroke();
  }
}
