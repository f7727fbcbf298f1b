"""Reading the stepper component in a Playwright page (browser tests and classroom benchmark).

Playwright's CSS locators pierce the component's open shadow root, so ``page.locator(
".stp-readout")`` finds the stepper's elements; :data:`ROOT` is the same root for code run
with ``page.evaluate``.
"""

from __future__ import annotations

#: A JS function returning the stepper's shadow root (or null), for ``page.evaluate``.
ROOT = """() => {
  for (const h of document.querySelectorAll('[data-testid="stBidiComponentIsolated"]')) {
    if (h.shadowRoot && h.shadowRoot.querySelector('.stp')) return h.shadowRoot;
  }
  return null;
}"""


def readout(page) -> str:
    """The step readout ("step 3 / 16", "3 / 16 단계")."""
    return page.locator(".stp-readout").text_content()


def arith(page) -> str:
    """The current step's arithmetic, as shown."""
    return page.locator(".stp-arith").text_content()


def step_of(page) -> int:
    """The current step (0-based), from the stepper's data attribute."""
    return int(page.locator(".stp").get_attribute("data-step"))
