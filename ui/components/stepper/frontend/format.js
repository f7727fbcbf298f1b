// Numbers and text as the stepper writes them: pure functions, no DOM (tests/js/format.test.mjs).

/** A number as conv_core.format_step writes it (conv_core.trace._num): ints as they are,
 *  floats with at most `decimals` decimals, trailing zeros and point trimmed, -0 as 0. */
export function fmtNum(v, decimals = 3) {
  if (v === null || v === undefined) return "inf"; // the compact form's stand-in for an overflow
  if (typeof v !== "number") return String(v);
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (Number.isInteger(v)) return Math.abs(v) >= 1e21 ? BigInt(v).toString() : String(v);
  const neg = v < 0;
  const a = Math.abs(v);
  let s;
  const scaled = a * 2 ** (decimals + 1);
  if (Number.isInteger(scaled) && scaled % 2 === 1) {
    // An exact tie (a = odd / 2^(d+1)): Python rounds it to even, toFixed away from zero.
    const n = Math.floor(a * 10 ** decimals); // exact for such an a
    const m = n % 2 === 0 ? n : n + 1;
    const digits = String(m).padStart(decimals + 1, "0");
    s = decimals > 0 ? `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}` : digits;
  } else {
    s = a.toFixed(decimals);
  }
  if (decimals > 0) s = s.replace(/0+$/, "").replace(/\.$/, "");
  if (neg) s = `-${s}`;
  return s === "-0" || s === "" ? "0" : s;
}

/** A number after an operator: negative ones in parentheses. */
export function operand(s) {
  return s.startsWith("-") ? `(${s})` : s;
}

/** `a + b + (-c)`: every part after the first as an operand. */
export function joinSum(parts) {
  return parts.length ? [parts[0], ...parts.slice(1).map(operand)].join(" + ") : "0";
}

/** `[[a, b], [c, d]]`: a flat list of formatted numbers as rows of `nCols`. */
export function matrix(values, nCols) {
  const rows = [];
  for (let i = 0; i < values.length; i += nCols) rows.push(`[${values.slice(i, i + nCols).join(", ")}]`);
  return `[${rows.join(", ")}]`;
}

/** Fill a translation's `{placeholders}`; unknown ones stay as they are. */
export function tpl(template, params) {
  return String(template ?? "").replace(/\{(\w+)\}/g, (m, k) =>
    params && Object.prototype.hasOwnProperty.call(params, k) ? String(params[k]) : m,
  );
}

/** Text safe inside HTML/SVG markup and attribute values. */
export function esc(s) {
  return String(s).replace(/[&<>"]/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[ch]);
}

export function clamp(v, lo, hi) {
  return Math.max(lo, Math.min(hi, v));
}

/** Parse conv_core's exact fraction string ('5/2', '4') to a number. */
export function fraction(text) {
  const [a, b] = String(text).split("/");
  return b === undefined ? Number(a) : Number(a) / Number(b);
}

/** Decimals typed in an answer ('0.25' -> 2). */
export function typedDecimals(text) {
  const m = /\.(\d+)/.exec(text);
  return m ? m[1].length : 0;
}

/** The numbers in a typed answer, as strings ('−3', '0,5' and '1.25' all count). */
export function parseNumbers(text) {
  const cleaned = String(text).replace(/[−–]/g, "-").replace(/,(?=\d{1,2}(\D|$))/g, ".");
  const found = cleaned.match(/-?\d+(?:\.\d+)?|-?\.\d+/g);
  return found ? found : [];
}
