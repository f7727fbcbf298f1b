// Class mode in the stepper: the teacher's lead secret kept in this browser, and what the
// stepper sends and follows. Pure functions over a Storage-like object (localStorage in the
// page, a Map-backed fake in tests/js/lead.test.mjs); no DOM.
//
// The lead secret reaches only the teacher's browser (in the stepper's data, right after
// "Start a class"), is kept here under `convlab.lead.<CODE>`, and goes back to the server
// with every step the teacher takes (one component event each) and once when the studio is
// opened again in this browser (resume). It is never put in the URL.

export const PREFIX = "convlab.lead.";
/** Forget a kept secret after this long (the server's room lives 3 h after the last action). */
export const MAX_AGE_MS = 3 * 3600 * 1000;
/** While playing, at most one step event per this many ms (the last step is always sent). */
export const PLAY_GAP_MS = 250;

const CODE = /^[A-Z0-9]{6}$/;

/** Keep `secret` for room `code` (refreshing its time). */
export function remember(storage, code, secret, now) {
  if (!storage || !CODE.test(String(code)) || typeof secret !== "string" || !secret) return false;
  try {
    storage.setItem(PREFIX + code, JSON.stringify({ secret, t: now }));
    return true;
  } catch (err) {
    return false; // storage full or refused (private mode): leading works until the tab closes
  }
}

/** The secret kept for `code`, or null (none, unreadable or older than MAX_AGE_MS). */
export function recall(storage, code, now) {
  if (!storage) return null;
  let entry;
  try {
    entry = JSON.parse(storage.getItem(PREFIX + code) || "null");
  } catch (err) {
    return null;
  }
  if (!entry || typeof entry.secret !== "string" || !(now - entry.t < MAX_AGE_MS)) return null;
  return entry.secret;
}

/** Refresh the kept secret's time (the teacher is active). */
export function refresh(storage, code, now) {
  const secret = recall(storage, code, now);
  if (secret) remember(storage, code, secret, now);
  return secret;
}

/** Drop the secret kept for `code`. */
export function forget(storage, code) {
  try {
    if (storage) storage.removeItem(PREFIX + code);
  } catch (err) {
    // nothing kept
  }
}

/** The newest kept secret still young enough: {code, secret} or null; old ones are dropped. */
export function newest(storage, now) {
  if (!storage) return null;
  let best = null;
  const keys = [];
  for (let i = 0; i < storage.length; i++) keys.push(storage.key(i));
  for (const key of keys) {
    if (!key || !key.startsWith(PREFIX)) continue;
    const code = key.slice(PREFIX.length);
    const secret = recall(storage, code, now);
    if (!secret) {
      forget(storage, code);
      continue;
    }
    const t = JSON.parse(storage.getItem(key)).t;
    if (!best || t > best.t) best = { code, secret, t };
  }
  return best ? { code: best.code, secret: best.secret } : null;
}

/** What a class-mode update asks of the stepper, from `data.classroom` (null: no class):
 *  role ('lead', 'follow' or null), the step to go to when it (or its goto_id) changed since
 *  `lastGoto` (the plan's previous gotoKey), the
 *  step whose value is hidden (-1: none), codes to forget, and whether to offer a resume. */
export function classPlan(classroom, lastGoto) {
  const c = classroom && typeof classroom === "object" ? classroom : {};
  const role = c.role === "lead" || c.role === "follow" ? c.role : null;
  const step = Number.isInteger(c.step) ? c.step : null;
  // A goto is told apart by its id (the teacher asks twice at one step) or else its step.
  const gotoKey = step === null ? null : `${c.goto_id ?? ""}:${step}`;
  return {
    role,
    code: typeof c.code === "string" ? c.code : null,
    secret: typeof c.secret === "string" ? c.secret : null,
    goto: gotoKey !== null && gotoKey !== lastGoto ? step : null,
    gotoKey,
    hide: Number.isInteger(c.hide) ? c.hide : -1,
    forget: Array.isArray(c.forget) ? c.forget.filter((x) => typeof x === "string") : [],
    resume: c.resume === true,
  };
}

/** Whether a step event goes now (`lastSent`: when the last went, ms): always when not
 *  playing, at most every PLAY_GAP_MS while playing. */
export function sendNow(playing, now, lastSent) {
  return !playing || now - lastSent >= PLAY_GAP_MS;
}
