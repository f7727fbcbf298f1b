// The stepper's DOM: one Stepper per shadow root builds the grids as SVG and redraws only what
// a step changes; its controls, the keys, Play, practice, the shortcut list, the highlights,
// zoom, and what it tells the server (the step and the practice score, only when the user
// stops: on pause or after PERSIST_IDLE_MS idle, never per step) and the page URL (?step=).
// The arithmetic, sizes and answers come from the pure modules beside it.

import { clamp, esc, fmtNum, fraction, tpl } from "./format.js";
import { commandFor, deepActive, registerPageKeys, SHORTCUTS, setActive, unregisterPageKeys } from "./keys.js";
import { chooseLayout, LABEL_H, placePanels } from "./layout.js";
import { classPlan, forget, newest, recall, refresh, remember, sendNow } from "./lead.js";
import { checkAnswer, expectedText, expectedValues, scored } from "./practice.js";
import {
  cellOf,
  checkTrace,
  inputsFeeding,
  outputsReading,
  playAdvance,
  ScatterSum,
  stepText,
  traceDims,
} from "./trace.js";

// Class mode: a browser offers its kept lead secret once per page load (resume after reopening).
let resumeOffered = false;

function storage() {
  try {
    return globalThis.localStorage || null;
  } catch (err) {
    return null; // storage refused (sandboxed or private mode)
  }
}

const SPEEDS = [1, 2, 4, 8, 15, 30];
const DEFAULT_SPEED = 2;
const PERSIST_IDLE_MS = 1500; // report the step this long after the last change, never per step
const URL_IDLE_MS = 250; // history.replaceState is rate-limited by browsers: batch it
const URL_PLAYING_MS = 1000;
const URL_CHECK_MS = 700; // a rerun that writes st.query_params may drop ?step=: put it back
const LIVE_IDLE_MS = 350; // screen-reader announcements: debounced when stepping,
const LIVE_PLAYING_MS = 2500; // and at most this often while playing
const ZOOMS = [1, 1.5, 2, 3, 4];
const PRESENTER_SCALE = 1.5; // ui/presenter.py STEPPER_SCALE: cells and SVG text this much larger

export class Stepper {
  constructor(host) {
    this.host = host;
    const q = (sel) => host.querySelector(sel);
    this.el = q(".stp");
    this.btn = {
      first: q(".stp-first"),
      prev: q(".stp-prev"),
      play: q(".stp-play"),
      next: q(".stp-next"),
      last: q(".stp-last"),
      zoomIn: q(".stp-zoom-in"),
      zoomOut: q(".stp-zoom-out"),
      zoomFit: q(".stp-zoom-fit"),
      keys: q(".stp-keys-btn"),
    };
    this.keysBackdrop = q(".stp-keys-backdrop");
    this.keysDialog = q(".stp-keys-dialog");
    this.keysTitle = q(".stp-keys-title");
    this.keysIntro = q(".stp-keys-intro");
    this.keysBody = q(".stp-keys-table tbody");
    this.keysClose = q(".stp-keys-close");
    this.keysReturn = null;
    this.scale = 1;
    this.readout = q(".stp-readout");
    this.slider = q(".stp-slider");
    this.speedSel = q(".stp-speed");
    this.speedLabel = q(".stp-speed-label");
    this.practiceToggle = q(".stp-practice-toggle");
    this.practiceLabel = q(".stp-practice-label");
    this.stage = q(".stp-stage");
    this.svg = q(".stp-svg");
    this.legend = q(".stp-legend");
    this.contribEl = q(".stp-contrib");
    this.arith = q(".stp-arith");
    this.quiz = q(".stp-quiz");
    this.quizPrompt = q(".stp-quiz-prompt");
    this.answer = q(".stp-answer");
    this.checkBtn = q(".stp-check");
    this.scoreEl = q(".stp-score");
    this.feedback = q(".stp-feedback");
    this.formulaEl = q(".stp-formula");
    this.notesEl = q(".stp-notes");
    this.helpEl = q(".stp-help");
    this.live = q(".stp-live");

    this.T = null;
    this.traceId = null;
    this.buildKey = null;
    this.step = 0;
    this.N = 0;
    this.playing = false;
    this.speed = DEFAULT_SPEED;
    this.zoomIdx = 0;
    this.practice = false;
    this.dataPractice = undefined;
    this.answered = new Map();
    this.score = null;
    this.persisted = { step: 0, right: 0, total: 0 };
    this.timers = {};
    this.lastLive = 0;
    this.hl = null;
    this.raf = 0;
    this.focusAnswerOnRender = false;
    // Class mode (data.classroom): leading sends each step; following goes where the class is.
    this.cls = { role: null, code: null, secret: null, hide: -1, lastGoto: null, sentStep: null, lastSent: 0 };

    this.onBarClick = this.onBarClick.bind(this);
    this.onSlider = this.onSlider.bind(this);
    this.onSpeed = this.onSpeed.bind(this);
    this.onPracticeToggle = this.onPracticeToggle.bind(this);
    this.onStageClick = this.onStageClick.bind(this);
    this.onKey = this.onKey.bind(this);
    this.onKeyUp = this.onKeyUp.bind(this);
    this.onCheck = this.onCheck.bind(this);
    this.tick = this.tick.bind(this);
    this.onActivate = this.onActivate.bind(this);
    this.onDialogKey = this.onDialogKey.bind(this);
    this.onDialogKeyUp = this.onDialogKeyUp.bind(this);
    this.onBackdrop = this.onBackdrop.bind(this);

    this.el.addEventListener("click", this.onBarClick);
    this.slider.addEventListener("input", this.onSlider);
    this.speedSel.addEventListener("change", this.onSpeed);
    this.practiceToggle.addEventListener("change", this.onPracticeToggle);
    this.svg.addEventListener("click", this.onStageClick);
    this.el.addEventListener("keydown", this.onKey);
    this.el.addEventListener("keyup", this.onKeyUp);
    this.quiz.addEventListener("submit", this.onCheck);
    this.el.addEventListener("pointerdown", this.onActivate);
    this.el.addEventListener("focusin", this.onActivate);
    this.keysDialog.addEventListener("keydown", this.onDialogKey);
    this.keysDialog.addEventListener("keyup", this.onDialogKeyUp);
    this.keysBackdrop.addEventListener("click", this.onBackdrop);
    registerPageKeys(this);
    // Streamlit rewrites the address from its own copy of the query params whenever a script
    // writes one, which may drop or age our ?step=; a cheap local check puts it back (only
    // on the page we wrote it on, so a page switch is left alone). No server traffic.
    this.urlCheck = setInterval(() => this.checkUrl(), URL_CHECK_MS);
    if (typeof ResizeObserver !== "undefined") {
      this.resizeObs = new ResizeObserver(() => this.onResize());
      this.resizeObs.observe(this.el);
    }
  }

  destroy() {
    this.playing = false;
    cancelAnimationFrame(this.raf);
    clearInterval(this.urlCheck);
    for (const t of Object.values(this.timers)) clearTimeout(t);
    this.timers = {};
    if (this.resizeObs) this.resizeObs.disconnect();
    this.el.removeEventListener("click", this.onBarClick);
    this.slider.removeEventListener("input", this.onSlider);
    this.speedSel.removeEventListener("change", this.onSpeed);
    this.practiceToggle.removeEventListener("change", this.onPracticeToggle);
    this.svg.removeEventListener("click", this.onStageClick);
    this.el.removeEventListener("keydown", this.onKey);
    this.el.removeEventListener("keyup", this.onKeyUp);
    this.quiz.removeEventListener("submit", this.onCheck);
    this.el.removeEventListener("pointerdown", this.onActivate);
    this.el.removeEventListener("focusin", this.onActivate);
    this.keysDialog.removeEventListener("keydown", this.onDialogKey);
    this.keysDialog.removeEventListener("keyup", this.onDialogKeyUp);
    this.keysBackdrop.removeEventListener("click", this.onBackdrop);
    unregisterPageKeys(this);
  }

  showError(err) {
    const S = (this.S = this.S || {});
    const msg = err && err.message ? err.message : String(err);
    this.arith.innerHTML = `<span class="stp-error">${esc(tpl(S.error || "{message}", { message: msg }))}</span>`;
    if (typeof console !== "undefined") console.error("ConvLab stepper:", err);
  }

  s(key, params) {
    return tpl(this.S[key] ?? key, params);
  }

  /** Height of a panel's title row and of its caption line (larger in presenter mode). */
  get labelH() {
    return Math.round(LABEL_H * this.scale);
  }

  get subH() {
    return Math.round(26 * this.scale);
  }

  setTimer(name, fn, ms) {
    clearTimeout(this.timers[name]);
    this.timers[name] = setTimeout(() => {
      delete this.timers[name];
      fn();
    }, ms);
  }

  clearTimer(name) {
    clearTimeout(this.timers[name]);
    delete this.timers[name];
  }

  // ---------------------------------------------------------------- data in

  update(data) {
    const d = data || {};
    const T = d.trace;
    checkTrace(T);
    this.S = d.strings || {};
    this.decimals = Number.isInteger(d.decimals) ? d.decimals : 3;
    this.urlParam = d.url_param || null;
    this.showFormula = d.show_formula !== false;
    this.presenter = d.presenter === true;
    this.scale = this.presenter ? PRESENTER_SCALE : 1;
    this.el.dataset.presenter = this.presenter ? "1" : "0";
    if (this.score === null) {
      const sc = d.score || {};
      this.score = { right: sc.right | 0, total: sc.total | 0 };
      this.persisted.right = this.score.right;
      this.persisted.total = this.score.total;
    }
    const traceChanged = d.trace_id !== this.traceId;
    const buildKey = JSON.stringify([d.trace_id, d.original_kernel, d.channel_names, this.S, this.presenter]);
    if (traceChanged) {
      this.stopPlaying(false);
      this.T = T;
      this.traceId = d.trace_id;
      this.prepare(T, d);
      this.step = clamp(d.step | 0, 0, this.N - 1);
      this.persisted.step = this.step;
      this.cls.lastGoto = null; // a new trace: go to the class's step again
      this.answered = new Map();
    } else if (buildKey !== this.buildKey) {
      this.prepare(T, d);
    }
    if (d.practice !== this.dataPractice) {
      this.dataPractice = d.practice;
      this.practice = !!d.practice;
      if (this.practice) this.stopPlaying(false);
    }
    if (buildKey !== this.buildKey) {
      this.buildKey = buildKey;
      this.staticText();
      this.build();
    }
    this.practiceToggle.checked = this.practice;
    this.applyClass(d.classroom);
    this.render(this.step, { force: true });
    this.el.dataset.ready = "1";
    if (traceChanged) this.scheduleUrl();
  }

  prepare(T, d) {
    // The sizes become fields (this.N, this.OH, ...): the drawing code reads them there.
    Object.assign(this, traceDims(T, d.original_kernel));
    this.channelNames = Array.isArray(d.channel_names) ? d.channel_names : null;
  }

  cellOf(i) {
    return cellOf(this, i);
  }

  chName(k) {
    return this.channelNames && this.channelNames[k] != null ? String(this.channelNames[k]) : null;
  }

  // ---------------------------------------------------------------- static text

  staticText() {
    const S = this.S;
    this.el.setAttribute("aria-label", this.s("region"));
    const label = (b, key) => {
      b.setAttribute("aria-label", this.s(key));
      b.title = this.s(key);
    };
    label(this.btn.first, "first");
    label(this.btn.prev, "prev");
    label(this.btn.next, "next");
    label(this.btn.last, "last");
    label(this.btn.zoomIn, "zoom_in");
    label(this.btn.zoomOut, "zoom_out");
    label(this.btn.zoomFit, "zoom_fit");
    this.btn.keys.textContent = this.s("keys.button");
    this.btn.keys.setAttribute("aria-keyshortcuts", "Shift+/");
    this.keysTitle.textContent = this.s("keys.title");
    this.keysIntro.textContent = this.s("keys.intro");
    this.keysClose.textContent = this.s("keys.close");
    this.keysClose.dataset.act = "keys-close";
    this.keysBody.innerHTML = SHORTCUTS.map(
      ([caps, what]) =>
        `<tr><th scope="row">${caps.map((c) => `<kbd>${esc(this.s(c))}</kbd>`).join(" ")}</th><td>${esc(this.s(what))}</td></tr>`,
    ).join("");
    this.slider.setAttribute("aria-label", this.s("slider"));
    this.speedLabel.textContent = this.s("speed");
    this.speedSel.innerHTML = SPEEDS.map(
      (n) => `<option value="${n}"${n === this.speed ? " selected" : ""}>${esc(this.s("speed_option", { n }))}</option>`,
    ).join("");
    this.practiceLabel.textContent = this.s("practice.toggle");
    this.stage.setAttribute("aria-label", this.s("stage"));
    this.stage.setAttribute("role", "group");
    this.answer.setAttribute("aria-label", this.s("practice.answer"));
    this.answer.placeholder = this.s("practice.answer");
    this.checkBtn.textContent = this.s("practice.check");
    this.helpEl.textContent = this.s("keys_help");
    void S;
  }

  // ---------------------------------------------------------------- layout

  makePanels() {
    const T = this.T;
    const panels = [];
    const ch0 = this.cellOf(this.step)[0];
    if (this.view === "scatter") {
      for (let ch = 0; ch < this.Cin; ch++) {
        const name = this.chName(ch) ?? this.s("panel.channel", { k: ch });
        panels.push({
          role: "input",
          ch,
          rows: this.H,
          cols: this.W,
          label:
            this.Cin > 1
              ? this.s("panel.input_channel", { name })
              : this.ndim === 1
                ? this.s("panel.input_1d", { w: this.W })
                : this.s("panel.input", { h: this.H, w: this.W }),
          rowIdx: (r) => String(r),
          colIdx: (c) => String(c),
        });
      }
      for (let o = 0; o < this.Cog; o++) {
        panels.push({
          role: "kernel",
          g: o,
          rows: this.KH,
          cols: this.KW,
          label: this.Cog > 1 ? this.s("panel.kernel_channel", { name: this.s("arith.out_channel", { k: T.out_channels[ch0][o] }) }) : this.s("panel.kernel"),
        });
      }
      const [top, left] = T.crop;
      for (let oc = 0; oc < this.Cout; oc++) {
        panels.push({
          role: "buffer",
          ch: oc,
          rows: this.HB,
          cols: this.WB,
          label: this.Cout > 1 ? this.s("panel.buffer_channel", { k: oc }) : this.s("panel.buffer", { h: this.HB, w: this.WB }),
          rowIdx: (r) => (r - top >= 0 && r - top < this.OH ? String(r - top) : ""),
          colIdx: (c) => (c - left >= 0 && c - left < this.OW ? String(c - left) : ""),
          sub: T.bias ? this.s("panel.bias", { b: fmtNum(T.bias[oc], this.decimals) }) : null,
        });
      }
      return panels;
    }
    const [top, left] = T.input_origin;
    // The padded size as the formula counts it (ceil_mode's overhang is not padding).
    const ph = T.sizes.rows.padded;
    const pw = T.sizes.cols.padded;
    const padded = ph !== this.H || pw !== this.W;
    for (let ch = 0; ch < this.Cin; ch++) {
      const name = this.chName(ch) ?? this.s("panel.channel", { k: ch });
      let label;
      if (this.Cin > 1) label = this.s("panel.input_channel", { name });
      else if (this.ndim === 1) label = this.s(padded ? "panel.input_1d_padded" : "panel.input_1d", { w: this.W, pw: pw });
      else label = this.s(padded ? "panel.input_padded" : "panel.input", { h: this.H, w: this.W, ph, pw });
      panels.push({
        role: "input",
        ch,
        rows: this.Hp,
        cols: this.Wp,
        label,
        rowIdx: (r) => (this.ndim !== 1 && r - top >= 0 && r - top < this.H ? String(r - top) : ""),
        colIdx: (c) => (c - left >= 0 && c - left < this.W ? String(c - left) : ""),
      });
    }
    if (this.view === "gather") {
      if (this.original) {
        panels.push({ role: "original", rows: this.original.length, cols: this.original[0].length, label: this.s("panel.kernel_original") });
      }
      for (let g = 0; g < this.Cg; g++) {
        const inCh = T.in_channels[ch0][g];
        const name = this.chName(inCh) ?? this.s("panel.channel", { k: inCh });
        panels.push({
          role: "kernel",
          g,
          rows: this.KH,
          cols: this.KW,
          label: this.Cg > 1 ? this.s("panel.kernel_channel", { name }) : this.s(T.config.flipped ? "panel.kernel_flipped" : "panel.kernel"),
          sub: T.bias && g === this.Cg - 1 ? this.s("panel.bias", { b: fmtNum(T.bias[ch0], this.decimals) }) : null,
        });
      }
    }
    panels.push({
      role: "output",
      rows: this.OH,
      cols: this.OW,
      label: this.outputLabel(ch0),
      rowIdx: (r) => (this.ndim === 1 ? "" : String(r)),
      colIdx: (c) => String(c),
      sub:
        this.view === "pool"
          ? this.s("panel.pool", {
              method: this.s(T.config.method === "max" ? "panel.max" : "panel.avg"),
              kh: this.KH,
              kw: this.KW,
            })
          : null,
    });
    return panels;
  }

  outputLabel(c) {
    if (this.ndim === 1 && this.Cout === 1) return this.s("panel.output_1d", { w: this.OW });
    return this.Cout > 1
      ? this.s("panel.output_channel", { k: c, h: this.OH, w: this.OW })
      : this.s("panel.output", { h: this.OH, w: this.OW });
  }

  build() {
    const width = Math.max(320, Math.floor(this.el.clientWidth || 0) || 900);
    this.layoutWidth = width;
    const maxH = this.presenter
      ? Math.max(300, Math.floor((window.innerHeight || 900) * 0.66))
      : Math.max(480, Math.floor((window.innerHeight || 900) * 0.78));
    const panels = this.makePanels();
    const lay = chooseLayout(panels, width, maxH, {
      scale: this.scale,
      presenter: this.presenter,
      labelH: this.labelH,
      subH: this.subH,
    });
    const s = lay.s;
    this.s_ = s;
    const labelH = this.labelH;
    const { height, padL, padT } = placePanels(lay, labelH, this.subH);
    this.panels = panels;
    const idxFont = Math.min(13 * this.scale, Math.max(9, 0.36 * s));
    let markup = this.defsMarkup(s);
    panels.forEach((p, pi) => {
      markup += `<g class="panel" data-p="${pi}" data-role="${p.role}" transform="translate(${p.x},${p.y})">`;
      markup += `<text class="lbl" x="0" y="${Math.round(17 * this.scale)}">${esc(p.label)}</text>`;
      markup += `<g class="grid" transform="translate(${padL},${labelH + padT})">`;
      if (lay.withIdx && p.rowIdx) {
        markup += `<g class="idx" style="font-size:${idxFont}px">`;
        for (let c = 0; c < p.cols; c++) {
          const t = p.colIdx(c);
          if (t) markup += `<text x="${(c + 0.5) * s}" y="-5" text-anchor="middle">${t}</text>`;
        }
        for (let r = 0; r < p.rows; r++) {
          const t = p.rowIdx(r);
          if (t) markup += `<text x="-5" y="${(r + 0.5) * s}" text-anchor="end" dominant-baseline="central">${t}</text>`;
        }
        markup += `</g>`;
      }
      markup += `<g class="cells"></g><g class="under" pointer-events="none"></g><g class="vals"></g><g class="over" pointer-events="none"></g></g>`;
      if (p.sub) markup += `<text class="sub" x="${padL}" y="${labelH + padT + p.rows * s + this.subH - 6}">${esc(p.sub)}</text>`;
      markup += `</g>`;
    });
    this.svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    this.svg.setAttribute("width", String(width));
    this.svg.setAttribute("height", String(height));
    this.svg.style.aspectRatio = `${width} / ${height}`;
    this.svg.innerHTML = markup;
    const groups = this.svg.querySelectorAll("g.panel");
    panels.forEach((p, pi) => {
      const g = groups[pi];
      p.el = g;
      p.grid = g.querySelector("g.grid");
      p.cellsG = g.querySelector("g.cells");
      p.under = g.querySelector("g.under");
      p.vals = g.querySelector("g.vals");
      p.over = g.querySelector("g.over");
      p.index = pi;
    });
    this.chan = -1;
    this.hl = null;
    this.contribEl.textContent = "";
    this.buildStatic();
    this.buildLegend();
    this.buildFormula();
    this.applyZoom();
  }

  defsMarkup(s) {
    const h = Math.max(6, Math.round(s / 5));
    return (
      `<defs>` +
      `<pattern id="stp-hatch" patternUnits="userSpaceOnUse" width="${h}" height="${h}" patternTransform="rotate(45)">` +
      `<rect width="${h}" height="${h}" fill="#e4e6eb"/><line x1="0" y1="0" x2="0" y2="${h}" stroke="#b3b8c3" stroke-width="${Math.max(1.5, h / 3)}"/></pattern>` +
      `<pattern id="stp-cross" patternUnits="userSpaceOnUse" width="${h}" height="${h}">` +
      `<rect width="${h}" height="${h}" fill="#c9ccd4"/><path d="M0 0L${h} ${h}M${h} 0L0 ${h}" stroke="#8d93a0" stroke-width="1.2"/></pattern>` +
      `</defs>`
    );
  }

  fontFor(labels, s) {
    let maxChars = 1;
    for (const t of labels) if (t.length > maxChars) maxChars = t.length;
    return clamp(Math.min(0.5 * s, (1.65 * s) / maxChars), 5, 30 * this.scale);
  }

  /** Cells and values of one grid: rects (with their fill) and texts, as markup. */
  gridMarkup(p, rows, cols, cellFn) {
    const s = this.s_;
    const cells = [];
    const texts = [];
    const labels = [];
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const cell = cellFn(r, c);
        labels.push(cell.text || "");
        cells.push(cell);
      }
    }
    const fs = this.fontFor(labels, s);
    let rectM = "";
    let textM = "";
    let i = 0;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++, i++) {
        const cell = cells[i];
        const fill = cell.fill ? ` fill="${cell.fill}"` : "";
        rectM += `<rect class="${cell.cls}" data-i="${i}" x="${c * s}" y="${r * s}" width="${s}" height="${s}"${fill}/>`;
        textM += `<text class="v ${cell.tcls || ""}" x="${(c + 0.5) * s}" y="${(r + 0.5) * s}">${esc(cell.text || "")}</text>`;
      }
    }
    p.cellsG.innerHTML = rectM;
    p.vals.innerHTML = textM;
    p.vals.setAttribute("style", `font-size:${fs}px`);
    p.rects = Array.from(p.cellsG.children);
    p.texts = Array.from(p.vals.children);
    return fs;
  }

  buildStatic() {
    const T = this.T;
    const d = this.decimals;
    const s = this.s_;
    for (const p of this.panels) {
      if (p.role === "input" && this.view !== "scatter") {
        const grid = T.padded[p.ch];
        const maxPool = this.view === "pool" && T.config.method === "max";
        this.gridMarkup(p, p.rows, p.cols, (r, c) => {
          const m = T.mask[r][c];
          if (m === 0) return { cls: "c-in hit in-cell", text: fmtNum(grid[r][c], d) };
          if (m === 2) return { cls: "hit in-cell c-beyond", fill: "url(#stp-cross)", text: "" };
          return { cls: "hit in-cell c-pad", fill: "url(#stp-hatch)", text: maxPool ? "−∞" : fmtNum(grid[r][c], d), tcls: "v-pad" };
        });
        // The window: taps outlined one by one (dilation leaves gaps), with a dashed box around.
        p.win = this.windowGroup(p, T.tap_rows, T.tap_cols, "win");
      } else if (p.role === "input") {
        const grid = T.input[p.ch];
        this.gridMarkup(p, p.rows, p.cols, (r, c) => ({ cls: "c-in hit in-cell", text: fmtNum(grid[r][c], d) }));
        p.cur = this.cellOutline(p, "cur");
      } else if (p.role === "original") {
        this.gridMarkup(p, p.rows, p.cols, (r, c) => ({ cls: "c-k", text: fmtNum(this.original[r][c], d), tcls: "v-k" }));
      } else if (p.role === "buffer") {
        const [top, left] = T.crop;
        this.gridMarkup(p, p.rows, p.cols, (r, c) => {
          const inside = r >= top && r < top + this.OH && c >= left && c < left + this.OW;
          return inside ? { cls: "c-out hit buf-cell", text: "" } : { cls: "c-pad hit buf-cell", fill: "url(#stp-hatch)", text: "", tcls: "v-pad" };
        });
        p.fontSize = this.fontFor(["-" + "8".repeat(this.isInt ? 4 : 6)], s);
        p.vals.setAttribute("style", `font-size:${p.fontSize}px`);
        const box = `<rect class="crop-box" x="${left * s}" y="${top * s}" width="${this.OW * s}" height="${this.OH * s}"/>`;
        p.over.insertAdjacentHTML("beforeend", box);
        p.win = this.windowGroup(p, T.tap_rows, T.tap_cols, "win");
      }
    }
    if (this.view === "scatter") this.resetScatter();
  }

  /** A group holding the window's tap cells (fill under the numbers, outlines over them). */
  windowGroup(p, tapRows, tapCols, kind) {
    const s = this.s_;
    const lw = Math.max(2.5, 0.085 * s);
    const ns = "http://www.w3.org/2000/svg";
    const under = document.createElementNS(ns, "g");
    const over = document.createElementNS(ns, "g");
    let fills = "";
    let lines = "";
    const contiguous =
      tapRows.every((t, a) => t === tapRows[0] + a) && tapCols.every((t, b) => t === tapCols[0] + b);
    for (const tr of tapRows) for (const tc of tapCols) fills += `<rect class="${kind}-fill" x="${tc * s}" y="${tr * s}" width="${s}" height="${s}"/>`;
    const spanR = tapRows[tapRows.length - 1] + 1;
    const spanC = tapCols[tapCols.length - 1] + 1;
    if (contiguous) {
      lines += `<rect class="${kind}-line" x="0" y="0" width="${spanC * s}" height="${spanR * s}" stroke-width="${lw}"/>`;
    } else {
      // Dilation: only the taps are read; outline each, and a thin dashed box around the span.
      lines += `<rect class="win-box" x="0" y="0" width="${spanC * s}" height="${spanR * s}" stroke-width="${Math.max(1.5, lw / 2.5)}"/>`;
      const inset = lw / 2;
      for (const tr of tapRows)
        for (const tc of tapCols)
          lines += `<rect class="${kind}-line" x="${tc * s + inset}" y="${tr * s + inset}" width="${s - 2 * inset}" height="${s - 2 * inset}" stroke-width="${lw}"/>`;
    }
    under.innerHTML = fills;
    over.innerHTML = lines;
    under.setAttribute("class", "win-g");
    over.setAttribute("class", "win-g");
    p.under.appendChild(under);
    p.over.appendChild(over);
    return { under, over };
  }

  cellOutline(p, kind) {
    const s = this.s_;
    const lw = Math.max(3, 0.11 * s);
    const ns = "http://www.w3.org/2000/svg";
    const under = document.createElementNS(ns, "rect");
    under.setAttribute("class", `${kind}-fill`);
    under.setAttribute("width", s);
    under.setAttribute("height", s);
    const over = document.createElementNS(ns, "rect");
    over.setAttribute("class", `${kind}-line`);
    over.setAttribute("x", lw / 2);
    over.setAttribute("y", lw / 2);
    over.setAttribute("width", s - lw);
    over.setAttribute("height", s - lw);
    over.setAttribute("stroke-width", lw);
    p.under.appendChild(under);
    p.over.appendChild(over);
    return { under, over };
  }

  /** Panels that depend on the output channel of the step: kernel(s) and output map. */
  buildChannel(c) {
    const T = this.T;
    const d = this.decimals;
    this.chan = c;
    this.clearHighlight();
    for (const p of this.panels) {
      if (p.role === "kernel") {
        const k = T.kernel[c][p.g];
        this.gridMarkup(p, p.rows, p.cols, (r, q) => ({ cls: "c-k", text: fmtNum(k[r][q], d), tcls: "v-k" }));
        const lbl = p.el.querySelector("text.lbl");
        if (this.view === "gather" && this.Cg > 1) {
          const inCh = T.in_channels[c][p.g];
          lbl.textContent = this.s("panel.kernel_channel", { name: this.chName(inCh) ?? this.s("panel.channel", { k: inCh }) });
        } else if (this.view === "scatter" && this.Cog > 1) {
          lbl.textContent = this.s("panel.kernel_channel", { name: this.s("arith.out_channel", { k: T.out_channels[c][p.g] }) });
        }
        const sub = p.el.querySelector("text.sub");
        if (sub && T.bias && this.view === "gather") sub.textContent = this.s("panel.bias", { b: fmtNum(T.bias[c], d) });
      } else if (p.role === "output") {
        // Values are written as the steps reach them; widths are known up front for the font.
        const out = T.output[c];
        const labels = [];
        for (const row of out) for (const v of row) labels.push(fmtNum(v, d));
        p.vals.innerHTML = "";
        this.gridMarkup(p, p.rows, p.cols, () => ({ cls: "c-pend hit out-cell", text: "", tcls: "v-out" }));
        const fs = this.fontFor(labels, this.s_);
        p.vals.setAttribute("style", `font-size:${fs}px`);
        p.labels = labels;
        p.shown = -1;
        p.qIdx = -1;
        p.el.querySelector("text.lbl").textContent = this.outputLabel(c);
        if (!p.cur) p.cur = this.cellOutline(p, "cur");
      } else if (p.role === "input") {
        let reads;
        if (this.view === "gather") reads = T.in_channels[c].includes(p.ch);
        else if (this.view === "pool") reads = p.ch === c;
        else reads = p.ch === c;
        p.cellsG.classList.toggle("dim", !reads);
        p.vals.classList.toggle("dim", !reads);
        if (p.win) {
          p.win.under.style.display = reads ? "" : "none";
          p.win.over.style.display = reads ? "" : "none";
        }
        if (p.cur) {
          p.cur.under.style.display = reads ? "" : "none";
          p.cur.over.style.display = reads ? "" : "none";
        }
      } else if (p.role === "buffer") {
        const feeds = T.out_channels[c].includes(p.ch);
        p.win.under.style.display = feeds ? "" : "none";
        p.win.over.style.display = feeds ? "" : "none";
      }
    }
    if (this.view === "pool" && T.config.method === "max") {
      for (const p of this.panels) {
        if (p.role !== "input") continue;
        if (!p.ring) {
          const s = this.s_;
          const lw = Math.max(2.5, 0.08 * s);
          const ns = "http://www.w3.org/2000/svg";
          const g = document.createElementNS(ns, "g");
          g.innerHTML =
            `<rect class="win-ring" x="${lw * 1.5}" y="${lw * 1.5}" width="${s - 3 * lw}" height="${s - 3 * lw}" stroke-width="${lw}" rx="${s * 0.12}"/>` +
            `<circle class="win-dot" cx="${s * 0.82}" cy="${s * 0.18}" r="${Math.max(3, s * 0.09)}"/>`;
          p.over.appendChild(g);
          p.ring = g;
        }
        p.ring.style.display = p.ch === c ? "" : "none";
      }
    }
  }

  buildLegend() {
    const item = (svgInner, key) => `<span><svg viewBox="0 0 22 16">${svgInner}</svg>${esc(this.s(key))}</span>`;
    const blue = `<rect x="2" y="2" width="18" height="12" fill="rgba(0,114,178,0.13)" stroke="#0072B2" stroke-width="3"/>`;
    const verm = `<rect x="2" y="2" width="18" height="12" fill="rgba(213,94,0,0.14)" stroke="#D55E00" stroke-width="3.5"/>`;
    const orange = `<rect x="2" y="2" width="18" height="12" fill="rgba(230,159,0,0.42)" stroke="#b07800" stroke-width="2" stroke-dasharray="4 2"/>`;
    const hatch = `<rect x="1" y="1" width="20" height="14" fill="#e4e6eb" stroke="#8a8f9c"/><path d="M2 14L10 2M8 14L16 2M14 14L20 5" stroke="#b3b8c3" stroke-width="2"/>`;
    const cross = `<rect x="1" y="1" width="20" height="14" fill="#c9ccd4" stroke="#8a8f9c"/><path d="M2 2L20 14M20 2L2 14" stroke="#8d93a0"/>`;
    const pend = `<rect x="1" y="1" width="20" height="14" fill="#eceef2" stroke="#8a8f9c"/>`;
    const green = `<rect x="3" y="2" width="16" height="12" rx="2" fill="none" stroke="#009E73" stroke-width="2.5"/><circle cx="17" cy="4" r="3" fill="#009E73"/>`;
    const T = this.T;
    let html = "";
    if (this.view === "scatter") {
      html += item(verm, "legend.current_input") + item(blue, "legend.stamp") + item(hatch, "legend.cropped") + item(orange, "legend.contrib");
    } else {
      const dil = T.tap_rows.some((t, a) => t !== a) || T.tap_cols.some((t, b) => t !== b);
      html += item(blue, dil ? "legend.taps" : "legend.window") + item(verm, "legend.current") + item(pend, "legend.pending") + item(orange, "legend.contrib");
      if (T.mask.some((row) => row.includes(1))) html += item(hatch, "legend.padding");
      if (T.mask.some((row) => row.includes(2))) html += item(cross, "legend.beyond");
      if (this.view === "pool" && T.config.method === "max") html += item(green, "legend.winner");
    }
    this.legend.innerHTML = html;
  }

  buildFormula() {
    const T = this.T;
    const lines = [];
    if (this.showFormula) {
      const axes = this.ndim === 1 ? [["cols", "formula.width_1d"]] : [["rows", "formula.rows"], ["cols", "formula.cols"]];
      for (const [axis, key] of axes) {
        const sz = T.sizes[axis];
        lines.push(`<p>${esc(this.s(key, { formula: sz.formula }))}</p>`);
        if (this.view !== "scatter") {
          const floorSize = Math.floor(fraction(sz.exact) + 1e-9);
          if (sz.remainder > 0 && sz.size <= floorSize) {
            lines.push(`<p class="warn">${esc(this.s(`formula.unvisited_${axis}`, { remainder: sz.remainder, unvisited: sz.unvisited }))}</p>`);
          }
        } else if (sz.padding[0] > 0) {
          lines.push(`<p class="warn">${esc(this.s(`formula.buffer_${axis}`, { buffer: sz.buffer, padding: sz.padding[0] }))}</p>`);
        }
      }
    }
    this.formulaEl.innerHTML = lines.join("");
    const notes = [];
    if (this.original && T.config.flipped) notes.push(this.s("panel.flip_note"));
    if (this.view === "scatter") {
      notes.push(this.s("panel.scatter_note", { pr: T.crop[0], pc: T.crop[1] }));
      if (T.bias) notes.push(this.s("panel.bias_after", { b: T.bias.map((b) => fmtNum(b, this.decimals)).join(", ") }));
    }
    this.notesEl.innerHTML = notes.map((n) => `<p>${esc(n)}</p>`).join("");
  }

  // ---------------------------------------------------------------- per step

  isHidden(i) {
    return (this.practice && !this.answered.has(i)) || i === this.cls.hide;
  }

  // ---------------------------------------------------------------- class mode

  /** The class-mode part of an update: keep or forget lead secrets, go to the class's step,
   *  hide the asked value, offer a kept secret once (lead.js has the rules). */
  applyClass(classroom) {
    const plan = classPlan(classroom, this.cls.lastGoto);
    const store = storage();
    const now = Date.now();
    for (const code of plan.forget) forget(store, code);
    this.cls.role = plan.role;
    this.cls.code = plan.code;
    this.cls.hide = plan.hide;
    this.el.dataset.classRole = plan.role || "";
    if (plan.role === "lead" && plan.code && plan.secret) {
      remember(store, plan.code, plan.secret, now);
      this.cls.secret = plan.secret; // if the storage refuses, leading still works in this tab
    }
    if (plan.role !== "lead") this.cls.secret = null;
    if (plan.goto !== null && this.T) {
      this.stopPlaying(false);
      this.step = clamp(plan.goto, 0, this.N - 1);
      this.cls.sentStep = this.step; // the server set it: nothing to send back
    }
    this.cls.lastGoto = plan.gotoKey;
    if (plan.resume && !resumeOffered && this.setTriggerValue) {
      resumeOffered = true;
      const held = newest(store, now);
      if (held) this.setTriggerValue("resume", held);
    }
  }

  /** Leading: one component event per step (the server checks the secret and tells the
   *  class); while playing at most one per PLAY_GAP_MS, the last step always. */
  sendLead(i) {
    if (this.cls.role !== "lead" || !this.setTriggerValue || this.cls.sentStep === i) return;
    const now = performance.now();
    if (!sendNow(this.playing, now, this.cls.lastSent)) {
      this.setTimer("lead", () => this.sendLead(this.step), 260);
      return;
    }
    this.clearTimer("lead");
    const store = storage();
    const secret = refresh(store, this.cls.code, Date.now()) || recall(store, this.cls.code, Date.now()) || this.cls.secret;
    if (!secret) return;
    this.cls.sentStep = i;
    this.cls.lastSent = now;
    this.setTriggerValue("lead", { code: this.cls.code, step: i, secret });
  }

  /** Draw step i. Only what changes is touched: a few attributes and the texts that differ. */
  render(i, opts = {}) {
    const t0 = performance.now();
    const T = this.T;
    if (!T) return;
    const s = this.s_;
    this.step = i;
    const [c, r, q] = this.cellOf(i);
    const hidden = this.isHidden(i);
    if (c !== this.chan) this.buildChannel(c);
    if (this.view === "scatter") {
      for (const p of this.panels) {
        if (p.role === "input" && p.ch === c) p.cur.under.setAttribute("transform", `translate(${q * s},${r * s})`);
        if (p.role === "input" && p.ch === c) p.cur.over.setAttribute("transform", `translate(${q * s},${r * s})`);
        if (p.role === "buffer") {
          const tr = `translate(${T.col_starts[q] * s},${T.row_starts[r] * s})`;
          p.win.under.setAttribute("transform", tr);
          p.win.over.setAttribute("transform", tr);
        }
      }
      this.applyScatter(hidden ? i - 1 : i);
    } else {
      const out = this.panels.find((p) => p.role === "output");
      const base = c * this.OH * this.OW;
      const local = i - base;
      this.fillOutputs(out, hidden ? local - 1 : local);
      if (out.qIdx >= 0 && (out.qIdx !== local || !hidden)) {
        if (out.qIdx > out.shown) out.texts[out.qIdx].textContent = "";
        out.texts[out.qIdx].setAttribute("class", "v v-out");
        out.qIdx = -1;
      }
      if (hidden) {
        out.texts[local].textContent = "?";
        out.texts[local].setAttribute("class", "v v-q");
        out.qIdx = local;
      }
      out.cur.under.setAttribute("transform", `translate(${q * s},${r * s})`);
      out.cur.over.setAttribute("transform", `translate(${q * s},${r * s})`);
      const tr = `translate(${T.col_starts[q] * s},${T.row_starts[r] * s})`;
      for (const p of this.panels) {
        if (p.role !== "input") continue;
        p.win.under.setAttribute("transform", tr);
        p.win.over.setAttribute("transform", tr);
        if (p.ring && p.ch === c) {
          const t = T.winners[i];
          if (t >= 0) {
            const a = Math.floor(t / this.KW);
            const b = t % this.KW;
            p.ring.setAttribute("transform", `translate(${(T.col_starts[q] + T.tap_cols[b]) * s},${(T.row_starts[r] + T.tap_rows[a]) * s})`);
            p.ring.style.display = "";
          } else p.ring.style.display = "none";
        }
      }
    }
    const text = this.stepText(i, hidden);
    this.showArith(text, hidden);
    this.readout.textContent = this.s("readout", { i: i + 1, n: this.N });
    this.slider.max = String(this.N - 1);
    this.slider.value = String(i);
    this.slider.setAttribute("aria-valuetext", this.readout.textContent);
    const atStart = i === 0;
    const atEnd = i === this.N - 1;
    this.btn.first.setAttribute("aria-disabled", String(atStart));
    this.btn.prev.setAttribute("aria-disabled", String(atStart));
    this.btn.next.setAttribute("aria-disabled", String(atEnd));
    this.btn.last.setAttribute("aria-disabled", String(atEnd));
    this.btn.play.setAttribute("aria-disabled", String(this.practice || this.N <= 1));
    const playKey = this.playing ? "pause" : "play";
    this.btn.play.setAttribute("aria-label", this.s(playKey));
    this.btn.play.title = this.s(playKey);
    this.renderQuiz(i, hidden);
    this.el.dataset.step = String(i);
    if (this.cls.role === "lead") this.sendLead(i);
    this.el.dataset.n = String(this.N);
    this.el.dataset.playing = this.playing ? "1" : "0";
    this.announceStep(text, hidden);
    if (this.zoomIdx > 0) this.follow();
    this.lastRenderMs = performance.now() - t0;
    void opts;
  }

  fillOutputs(p, upto) {
    const texts = p.texts;
    const rects = p.rects;
    while (p.shown < upto) {
      p.shown++;
      texts[p.shown].textContent = p.labels[p.shown];
      rects[p.shown].setAttribute("class", "c-out hit out-cell");
    }
    while (p.shown > upto) {
      texts[p.shown].textContent = "";
      rects[p.shown].setAttribute("class", "c-pend hit out-cell");
      p.shown--;
    }
  }

  resetScatter() {
    this.running = new ScatterSum(this.T, this);
    for (const p of this.panels || []) if (p.role === "buffer") for (const t of p.texts) t.textContent = "";
  }

  /** The running output of the scatter view after steps 0..upto (the products added so far). */
  applyScatter(upto) {
    const dirty = this.running.apply(upto);
    const size = this.HB * this.WB;
    const bufPanels = this.panels.filter((p) => p.role === "buffer");
    for (const key of dirty) {
      const o = Math.floor(key / size);
      bufPanels[o].texts[key - o * size].textContent = this.running.label(key, this.decimals);
    }
  }

  /** Step i's arithmetic, as conv_core.format_step writes it. */
  stepText(i, hidden) {
    return stepText(this.T, this, i, hidden, {
      decimals: this.decimals,
      s: (key, params) => this.s(key, params),
      chName: (k) => this.chName(k),
    });
  }

  showArith(text, hidden) {
    // Same text as format_step; the final result is coloured (textContent stays exact).
    const lines = text.split("\n");
    const last = lines[lines.length - 1];
    const cut = this.view === "scatter" ? -1 : last.lastIndexOf(" = ");
    if (cut < 0) {
      this.arith.textContent = text;
    } else {
      const head = lines.slice(0, -1).concat(last.slice(0, cut)).join("\n");
      this.arith.innerHTML = `${esc(head)} = <span class="res">${esc(last.slice(cut + 3))}</span>`;
    }
    this.arith.dataset.hidden = hidden ? "1" : "0";
  }

  renderQuiz(i, hidden) {
    if (!this.practice) {
      this.quiz.hidden = true;
      return;
    }
    this.quiz.hidden = false;
    this.quizPrompt.textContent = this.s(this.view === "scatter" ? "practice.prompt_scatter" : "practice.prompt");
    this.scoreEl.textContent = this.s("practice.score", { right: this.score.right, total: this.score.total });
    const rec = this.answered.get(i);
    this.answer.disabled = !hidden;
    this.checkBtn.setAttribute("aria-disabled", String(!hidden));
    if (rec) {
      this.answer.value = rec.typed;
      this.feedback.dataset.ok = rec.ok ? "1" : "0";
      this.feedback.textContent = this.s(rec.ok ? "practice.right" : "practice.wrong", { value: this.expectedText(i) });
    } else {
      if (this.answerStep !== i) this.answer.value = "";
      this.feedback.textContent = "";
      delete this.feedback.dataset.ok;
    }
    this.answerStep = i;
    if (hidden && this.focusAnswerOnRender) this.answer.focus();
    this.focusAnswerOnRender = false;
  }

  expectedText(i) {
    return expectedText(this.T, this, i, this.decimals);
  }

  /** Right, wrong, or null (nothing numeric typed): see practice.js. */
  checkAnswer(text) {
    return checkAnswer(text, expectedValues(this.T, this, this.step), { isInt: this.isInt, decimals: this.decimals });
  }

  announceStep(text, hidden) {
    const say = () => {
      this.lastLive = performance.now();
      const flat = text.replace(/\n/g, "; ");
      this.live.textContent = this.s("live.step", { i: this.step + 1, n: this.N, text: flat });
    };
    if (this.playing) {
      if (performance.now() - this.lastLive >= LIVE_PLAYING_MS) say();
    } else {
      this.setTimer("live", say, LIVE_IDLE_MS);
    }
    void hidden;
  }

  // ---------------------------------------------------------------- navigation

  go(i, opts = {}) {
    if (!this.T) return;
    i = clamp(Math.round(i), 0, this.N - 1);
    if (i === this.step && !opts.force) return;
    if (opts.user && this.practice && this.isHidden(i)) this.focusAnswerOnRender = !!opts.focusAnswer;
    this.render(i, opts);
    this.scheduleUrl();
    if (!this.playing) this.schedulePersist();
  }

  onBarClick(e) {
    const b = e.target.closest("[data-act]");
    if (!b || !this.el.contains(b)) return;
    if (b.getAttribute("aria-disabled") === "true") return;
    const act = b.dataset.act;
    const keyboard = e.detail === 0; // Enter/Space on a focused button
    switch (act) {
      case "first":
        this.stopPlaying(true);
        this.go(0, { user: true });
        break;
      case "prev":
        this.stopPlaying(true);
        this.go(this.step - 1, { user: true });
        break;
      case "next":
        this.stopPlaying(true);
        this.go(this.step + 1, { user: true, focusAnswer: keyboard || this.practice });
        break;
      case "last":
        this.stopPlaying(true);
        this.go(this.N - 1, { user: true });
        break;
      case "play":
        this.togglePlay();
        break;
      case "zoom-in":
        this.setZoom(this.zoomIdx + 1);
        break;
      case "zoom-out":
        this.setZoom(this.zoomIdx - 1);
        break;
      case "zoom-fit":
        this.setZoom(0);
        break;
      case "keys":
        this.openKeys();
        break;
      case "keys-close":
        this.closeKeys();
        break;
      default:
        break;
    }
  }

  onSlider() {
    this.stopPlaying(true);
    this.go(Number(this.slider.value), { user: true });
  }

  onSpeed() {
    this.speed = Number(this.speedSel.value) || DEFAULT_SPEED;
  }

  onPracticeToggle() {
    this.practice = this.practiceToggle.checked;
    if (this.practice) this.stopPlaying(true);
    this.render(this.step, { force: true });
  }

  onKey(e) {
    const t = e.composedPath ? e.composedPath()[0] : e.target;
    const tag = t && t.tagName;
    if (e.key === "Escape") {
      if (this.hl) {
        this.clearHighlight();
        e.preventDefault();
        e.stopPropagation();
      }
      return;
    }
    const typing =
      (tag === "INPUT" && t.type !== "range" && t.type !== "checkbox") || tag === "SELECT" || tag === "TEXTAREA";
    if (typing) {
      // Typing an answer is ours: the app's own shortcuts never see these keys.
      e.stopPropagation();
      return;
    }
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const space = e.key === " " || e.key === "Spacebar";
    if (space && tag === "INPUT" && t.type === "checkbox") return; // Space ticks it
    if (this.command(e.key, e.repeat)) {
      e.preventDefault();
      e.stopPropagation();
    }
  }

  /** Do what `key` means to the stepper (focused or page-wide); true when it meant something. */
  command(key, repeat = false) {
    if (!this.T) return false;
    switch (commandFor(key)) {
      case "next":
        this.stopPlaying(true);
        this.go(this.step + 1, { user: true });
        return true;
      case "prev":
        this.stopPlaying(true);
        this.go(this.step - 1, { user: true });
        return true;
      case "first":
        this.stopPlaying(true);
        this.go(0, { user: true });
        return true;
      case "last":
        this.stopPlaying(true);
        this.go(this.N - 1, { user: true });
        return true;
      case "play":
        if (!repeat) this.togglePlay();
        return true;
      case "help":
        this.openKeys();
        return true;
      case "clear":
        if (!this.hl) return false;
        this.clearHighlight();
        return true;
      default:
        return false;
    }
  }

  /** The stepper last clicked or focused gets the page-wide keys. */
  onActivate() {
    setActive(this);
  }

  // ---------------------------------------------------------------- the shortcut list

  get keysOpen() {
    return !this.keysBackdrop.hidden;
  }

  openKeys() {
    if (this.keysOpen) return;
    const back = deepActive();
    this.keysReturn = back && back !== document.body ? back : null;
    this.keysBackdrop.hidden = false;
    this.el.dataset.keys = "1";
    setActive(this);
    this.keysClose.focus({ preventScroll: true });
  }

  closeKeys() {
    if (!this.keysOpen) return;
    this.keysBackdrop.hidden = true;
    this.el.dataset.keys = "0";
    const back = this.keysReturn;
    this.keysReturn = null;
    // Back where the focus was; opened from the page (nothing focused), back to nothing, so
    // the page-wide keys keep working as before.
    if (back && back.isConnected) back.focus({ preventScroll: true });
    else this.keysClose.blur();
  }

  onDialogKey(e) {
    // While the list is open, keys stay in it: the stepper behind it does not step.
    e.stopPropagation();
    if (e.key === "Escape") {
      e.preventDefault();
      this.closeKeys();
    } else if (e.key === "Tab") {
      // Focus trapped: Tab and Shift+Tab cycle through the dialog's controls.
      const items = Array.from(this.keysDialog.querySelectorAll("button, [href], input, select, textarea, [tabindex]:not([tabindex='-1'])"));
      if (!items.length) return;
      e.preventDefault();
      const at = items.indexOf(this.host.activeElement || deepActive());
      const next = e.shiftKey ? (at <= 0 ? items.length - 1 : at - 1) : (at + 1) % items.length;
      items[next].focus();
    }
  }

  onDialogKeyUp(e) {
    e.stopPropagation(); // let Space press the Close button (the stepper's keyup would stop it)
  }

  onBackdrop(e) {
    if (e.target === this.keysBackdrop) this.closeKeys();
  }

  onKeyUp(e) {
    // A focused button would otherwise also "click" on Space's keyup.
    const t = e.composedPath ? e.composedPath()[0] : e.target;
    if ((e.key === " " || e.key === "Spacebar") && t && t.tagName === "BUTTON") e.preventDefault();
  }

  onStageClick(e) {
    const cell = e.target.closest("[data-i]");
    const panelEl = e.target.closest("[data-p]");
    if (!cell || !panelEl) {
      this.clearHighlight();
      return;
    }
    const p = this.panels[Number(panelEl.dataset.p)];
    const idx = Number(cell.dataset.i);
    const r = Math.floor(idx / p.cols);
    const c = idx % p.cols;
    if (this.view !== "scatter" && p.role === "output") {
      this.clearHighlight();
      this.stopPlaying(true);
      this.go(this.chan * this.OH * this.OW + r * this.OW + c, { user: true });
    } else if (this.view === "scatter" && p.role === "input") {
      this.clearHighlight();
      this.stopPlaying(true);
      this.go((p.ch * this.H + r) * this.W + c, { user: true });
    } else if (p.role === "input" || p.role === "buffer") {
      const key = `${p.index}:${idx}`;
      if (this.hl && this.hl.key === key) this.clearHighlight();
      else if (p.role === "input") this.highlightInput(p, r, c, key);
      else this.highlightBuffer(p, r, c, key);
    }
    this.stage.focus({ preventScroll: true });
  }

  // ---------------------------------------------------------------- highlights

  clearHighlight() {
    if (!this.hl) return;
    for (const node of this.hl.nodes) node.remove();
    this.hl = null;
    this.contribEl.textContent = "";
    this.el.dataset.hl = "0";
  }

  addNodes(parent, markup) {
    const ns = "http://www.w3.org/2000/svg";
    const g = document.createElementNS(ns, "g");
    g.innerHTML = markup;
    parent.appendChild(g);
    return g;
  }

  /** Every output cell (of the channel on screen) whose window reads this input cell. */
  highlightInput(p, pr, pc, key) {
    const T = this.T;
    const s = this.s_;
    this.clearHighlight();
    const c = this.chan;
    // A cell copied into the padding (replicate, reflect, circular) is read there too.
    const { reads, copies, outs } = outputsReading(T, this, c, p.ch, pr, pc);
    const nodes = [];
    const out = this.panels.find((x) => x.role === "output");
    const lw = Math.max(2, 0.06 * s);
    let fills = "";
    let lines = "";
    for (const k of outs) {
      const r = Math.floor(k / this.OW);
      const q = k % this.OW;
      fills += `<rect class="hl-fill stp-hl-out" data-r="${r}" data-q="${q}" x="${q * s}" y="${r * s}" width="${s}" height="${s}"/>`;
      lines += `<rect class="hl-line" x="${q * s + lw}" y="${r * s + lw}" width="${s - 2 * lw}" height="${s - 2 * lw}" stroke-width="${lw}"/>`;
    }
    nodes.push(this.addNodes(out.under, fills), this.addNodes(out.over, lines));
    let wins = "";
    const spanR = T.tap_rows[T.tap_rows.length - 1] + 1;
    const spanC = T.tap_cols[T.tap_cols.length - 1] + 1;
    for (const k of outs) {
      const r = Math.floor(k / this.OW);
      const q = k % this.OW;
      wins += `<rect class="hl-win" x="${T.col_starts[q] * s + lw}" y="${T.row_starts[r] * s + lw}" width="${spanC * s - 2 * lw}" height="${spanR * s - 2 * lw}" stroke-width="${lw}"/>`;
    }
    let src = "";
    for (const [r2, c2] of copies) src += `<rect class="hl-src" x="${c2 * s + 3}" y="${r2 * s + 3}" width="${s - 6}" height="${s - 6}"/>`;
    src += `<rect class="hl-fill" x="${pc * s}" y="${pr * s}" width="${s}" height="${s}"/>`;
    nodes.push(this.addNodes(p.over, wins + src));
    const [top, left] = T.input_origin;
    let msg;
    if (!reads) msg = this.s("panel.other_channel", { k: c });
    else if (T.mask[pr][pc] === 0) msg = this.s("contrib.outputs", { r: pr - top, c: pc - left, n: outs.length });
    else msg = this.s("contrib.padding", { n: outs.length });
    this.contribEl.textContent = `${msg} ${this.s("contrib.clear")}`;
    this.hl = { key, nodes, count: outs.length };
    this.el.dataset.hl = String(outs.length);
  }

  /** Scatter view: the input cells whose products land in this buffer cell. */
  highlightBuffer(p, br, bc, key) {
    const T = this.T;
    const s = this.s_;
    this.clearHighlight();
    const nodes = [];
    const found = inputsFeeding(T, this, p.ch, br, bc);
    for (const ip of this.panels.filter((x) => x.role === "input")) {
      let m = "";
      for (const [c, r, q] of found) if (c === ip.ch) m += `<rect class="hl-fill stp-hl-in" data-r="${r}" data-q="${q}" x="${q * s}" y="${r * s}" width="${s}" height="${s}"/>`;
      nodes.push(this.addNodes(ip.under, m));
    }
    nodes.push(this.addNodes(p.over, `<rect class="hl-line" x="${bc * s + 2}" y="${br * s + 2}" width="${s - 4}" height="${s - 4}" stroke-width="3"/>`));
    const [top, left] = T.crop;
    this.contribEl.textContent = `${this.s("contrib.inputs", { r: br - top, c: bc - left, n: found.length })} ${this.s("contrib.clear")}`;
    this.hl = { key, nodes, count: found.length };
    this.el.dataset.hl = String(found.length);
  }

  // ---------------------------------------------------------------- play

  togglePlay() {
    if (this.playing) this.stopPlaying(true);
    else this.play();
  }

  play() {
    if (this.practice) {
      this.contribEl.textContent = this.s("practice.no_play");
      return;
    }
    if (this.N <= 1) return;
    if (this.step >= this.N - 1) this.render(0);
    this.clearTimer("persist");
    this.playing = true;
    this.el.dataset.playing = "1";
    this.btn.play.setAttribute("aria-label", this.s("pause"));
    this.btn.play.title = this.s("pause");
    this.live.textContent = this.s("live.playing");
    this.lastLive = performance.now();
    this.clock = { acc: 0, lastT: null };
    this.raf = requestAnimationFrame(this.tick);
  }

  tick(now) {
    if (!this.playing) return;
    this.clock = playAdvance(this.clock, now, this.speed);
    const k = this.clock.k;
    if (k >= 1) {
      const target = Math.min(this.step + k, this.N - 1);
      this.render(target);
      this.scheduleUrl();
      if (target >= this.N - 1) {
        this.stopPlaying(true);
        return;
      }
    }
    this.raf = requestAnimationFrame(this.tick);
  }

  /** Stop playing; `report` sends the step at once (a pause is when the server learns it). */
  stopPlaying(report) {
    if (!this.playing) return;
    this.playing = false;
    cancelAnimationFrame(this.raf);
    this.el.dataset.playing = "0";
    this.btn.play.setAttribute("aria-label", this.s("play"));
    this.btn.play.title = this.s("play");
    if (report) {
      this.writeUrl();
      this.persist();
      this.live.textContent = this.s("live.paused", { i: this.step + 1, n: this.N });
    }
  }

  // ---------------------------------------------------------------- what persists

  schedulePersist() {
    if (this.playing || this.cls.role === "follow") return; // a follower's step is the class's
    this.setTimer("persist", () => this.persist(), PERSIST_IDLE_MS);
  }

  persist() {
    this.clearTimer("persist");
    if (this.playing || !this.setStateValue) return;
    if (this.step !== this.persisted.step) {
      this.persisted.step = this.step;
      this.setStateValue("step", this.step);
    }
    const sc = this.score;
    if (sc.right !== this.persisted.right || sc.total !== this.persisted.total) {
      this.persisted.right = sc.right;
      this.persisted.total = sc.total;
      this.setStateValue("score", { right: sc.right, total: sc.total });
    }
  }

  scheduleUrl() {
    if (!this.urlParam || this.timers.url) return;
    this.setTimer("url", () => this.writeUrl(), this.playing ? URL_PLAYING_MS : URL_IDLE_MS);
  }

  /** Keep ?step= in the address bar (client-side only, no server traffic) for a copied link. */
  writeUrl() {
    this.clearTimer("url");
    if (!this.urlParam) return;
    try {
      const u = new URL(window.location.href);
      const v = String(this.step);
      if (u.searchParams.get(this.urlParam) === v) return;
      u.searchParams.set(this.urlParam, v);
      window.history.replaceState(window.history.state, "", u.href);
      this.urlPath = u.pathname;
    } catch (err) {
      // A sandboxed frame may refuse: the link then simply lacks the step.
    }
  }

  checkUrl() {
    if (!this.urlParam || !this.T || this.urlPath === undefined || this.timers.url) return;
    if (window.location.pathname !== this.urlPath) return;
    const now = new URLSearchParams(window.location.search).get(this.urlParam);
    if (now !== String(this.step)) this.writeUrl();
  }

  // ---------------------------------------------------------------- practice

  onCheck(e) {
    e.preventDefault();
    if (!this.practice || !this.isHidden(this.step)) return;
    const typed = this.answer.value;
    const ok = this.checkAnswer(typed);
    if (ok === null) {
      this.feedback.dataset.ok = "0";
      this.feedback.textContent = this.s("practice.invalid");
      return;
    }
    this.answered.set(this.step, { ok, typed });
    this.score = scored(this.score, ok);
    this.render(this.step, { force: true });
    this.schedulePersist();
    this.btn.next.focus();
  }

  // ---------------------------------------------------------------- zoom, resize

  setZoom(idx) {
    this.zoomIdx = clamp(idx, 0, ZOOMS.length - 1);
    this.applyZoom();
    if (this.zoomIdx > 0) this.follow();
  }

  applyZoom() {
    const z = ZOOMS[this.zoomIdx];
    this.el.style.setProperty("--stp-zoom", String(z));
    this.el.dataset.zoomed = z > 1 ? "1" : "0";
    this.btn.zoomOut.setAttribute("aria-disabled", String(this.zoomIdx === 0));
    this.btn.zoomFit.setAttribute("aria-disabled", String(this.zoomIdx === 0));
    this.btn.zoomIn.setAttribute("aria-disabled", String(this.zoomIdx === ZOOMS.length - 1));
  }

  /** Zoomed in: scroll so that the window (or the scatter stamp) stays in view. */
  follow() {
    const p = this.panels.find((x) => (x.role === "input" && x.win && x.win.over.style.display !== "none") || x.role === "buffer");
    const target = p && p.win ? p.win.over : null;
    if (!target) return;
    const box = target.getBoundingClientRect();
    const st = this.stage.getBoundingClientRect();
    const pad = 24;
    if (box.left < st.left + pad || box.right > st.right - pad) this.stage.scrollLeft += box.left - st.left - st.width / 3;
    if (box.top < st.top + pad || box.bottom > st.bottom - pad) this.stage.scrollTop += box.top - st.top - st.height / 3;
  }

  onResize() {
    const w = Math.floor(this.el.clientWidth || 0);
    if (!this.T || !w || !this.layoutWidth) return;
    if (Math.abs(w - this.layoutWidth) / this.layoutWidth < 0.12) return;
    this.setTimer("resize", () => {
      this.build();
      this.render(this.step, { force: true });
    }, 150);
  }
}
