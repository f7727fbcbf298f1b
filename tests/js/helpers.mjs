// Shared by the Node tests: the fixture (tests/js/fixtures.py writes it from conv_core).
import { readFileSync } from "node:fs";

import { tpl } from "../../ui/components/stepper/frontend/format.js";

export const FIXTURE = JSON.parse(readFileSync(new URL("fixtures/stepper.json", import.meta.url), "utf8"));
export const CASES = FIXTURE.cases;
export const DECIMALS = FIXTURE.decimals;

/** The stepper's s(key, params) on the English strings. */
export function s(key, params) {
  return tpl(FIXTURE.strings[key] ?? key, params);
}
