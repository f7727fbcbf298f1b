"""Every control reachable by keyboard (issue 8, accessibility audit), in the real app in Chromium.

On each page of ``ui.frame.page_registry.PAGES`` the test lists the visible Streamlit controls in
the
sidebar and the main area (inputs, buttons, selects, sliders, segmented controls, radios,
checkboxes, links, expander summaries, data grids: anything natively focusable or with a
tabindex >= 0), then presses Tab up to :data:`MAX_TABS` times, recording every element that
receives the focus (a document-level ``focusin`` listener, through shadow roots). Every
listed control must have had the focus at least once; a radio group counts when one of its
radios did (Tab enters a radio group or segmented control once; the arrow keys move
within it, checked on the page's first group). The stepper component's own keys are covered by
test_stepper.py / test_keyboard_presenter_app.py. One screenshot with a visible focus ring:
test-artifacts/keyboard-focus-ring.png.
"""

from __future__ import annotations

import pytest

from ui.frame.page_registry import PAGES

pytestmark = pytest.mark.e2e

MAX_TABS = 200
VIEWPORT = {"width": 1280, "height": 900}

#: Marks every visible, enabled, keyboard-focusable control with data-kb="<n>" and returns
#: one description per control; installs the focusin recorder.
MARK = """() => {
  const roots = [...document.querySelectorAll('[data-testid="stSidebar"], [data-testid="stMain"]')];
  const sel = 'input:not([type=hidden]), textarea, select, button, summary, a[href], '
    + '[role=slider], [role=combobox], [role=checkbox], [role=switch], [role=radio], [tabindex]';
  const out = [];
  for (const root of roots) {
    for (const el of root.querySelectorAll(sel)) {
      if (el.closest('[data-kb]') && el.closest('[data-kb]') !== el) continue;
      if (el.getAttribute('tabindex') === '-1' || el.disabled) continue;
      if (el.closest('[aria-hidden="true"], [inert]')) continue;
      const r = el.getBoundingClientRect();
      const cs = getComputedStyle(el);
      if (!el.getClientRects().length || cs.visibility === 'hidden') continue;
      const box = el.type === 'radio' || el.type === 'checkbox';
      if (r.width === 0 && r.height === 0 && !box) continue;
      const n = out.length;
      const isRadio = el.type === 'radio' || el.getAttribute('role') === 'radio';
      const group = isRadio ? el.closest('[role=radiogroup]') : null;
      if (group && !group.hasAttribute('data-kbg')) {
        group.setAttribute('data-kbg', 'g' + document.querySelectorAll('[data-kbg]').length);
      }
      el.setAttribute('data-kb', String(n));
      const keyed = el.closest('[class*="st-key-"]');
      const key = keyed ? [...keyed.classList].find(c => c.startsWith('st-key-')) : '';
      out.push({n, tag: el.tagName, type: el.type || el.getAttribute('role') || '',
                name: group ? group.getAttribute('data-kbg') : (isRadio ? el.name : ''),
                label: (el.getAttribute('aria-label') || el.innerText || '').slice(0, 40),
                key});
    }
  }
  window.__kbSeen = new Set();
  window.__kbTrail = [];
  document.addEventListener('focusin', (e) => {
    const t = e.composedPath()[0];
    const m = t && t.closest ? t.closest('[data-kb]') : null;
    if (m) window.__kbSeen.add(Number(m.getAttribute('data-kb')));
    window.__kbTrail.push(t ? t.tagName : '?');
  }, true);
  return out;
}"""

SEEN = "() => [...window.__kbSeen]"


def _missed(controls: list[dict], seen: set[int]) -> list[dict]:
    radio_groups = {c["name"] for c in controls if c["name"] and c["n"] in seen}
    return [c for c in controls if c["n"] not in seen and c["name"] not in radio_groups]


def _open(page, app_url: str, url_path: str, wait_idle) -> None:
    page.goto(f"{app_url}/{url_path}")
    wait_idle(page)
    page.wait_for_timeout(400)  # components and charts settle
    wait_idle(page)


@pytest.mark.parametrize(
    "entry",
    PAGES,
    ids=[p.name for p in PAGES],
)
def test_every_control_takes_the_focus_by_tab(
    page, app_url, st_wait_idle, artifacts_dir, entry
) -> None:
    page.set_viewport_size(VIEWPORT)
    page.set_default_timeout(30_000)
    _open(page, app_url, entry.address, st_wait_idle)
    # The first page a fresh browser opens may still be drawing its widgets.
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid=stSidebar] button')]
                 .some(b => b.getClientRects().length > 0)"""
    )
    controls = page.evaluate(MARK)
    if not controls:  # what the browser had (a "Page not found" dialog once made this happen)
        shot = artifacts_dir / f"keyboard-reach-{entry.name}-no-controls.png"
        page.screenshot(path=str(shot), full_page=True)
        (artifacts_dir / f"keyboard-reach-{entry.name}-no-controls.html").write_text(page.content())
        counts = page.evaluate(
            """() => ({url: location.href,
                       sidebar: document.querySelectorAll('[data-testid=stSidebar] *').length,
                       main: document.querySelectorAll('[data-testid=stMain] *').length,
                       inert: document.querySelectorAll('[inert], [aria-hidden=true]').length,
                       buttons: document.querySelectorAll('button').length})"""
        )
        pytest.fail(f"no controls found: {counts}; see {shot}")
    page.locator("body").focus()
    pressed = 0
    seen: set[int] = set()
    while pressed < MAX_TABS:
        batch = min(40, MAX_TABS - pressed)
        for _ in range(batch):
            page.keyboard.press("Tab")
        pressed += batch
        seen = set(page.evaluate(SEEN))
        if not _missed(controls, seen):
            break
    missed = _missed(controls, seen)
    kinds = sorted({f"{c['tag']}:{c['type']}" for c in controls})
    print(f"{entry.name}: {len(controls)} controls ({', '.join(kinds)}), {pressed} Tabs")
    assert not missed, f"{entry.name}: {len(missed)} of {len(controls)} never focused: {missed}"
    groups = [c for c in controls if c["name"].startswith("g")]
    if len({c["n"] for c in groups if c["name"] == groups[0]["name"]}) > 1 if groups else False:
        first = page.locator(f'[data-kb="{groups[0]["n"]}"]')
        first.focus()
        page.keyboard.press("ArrowRight")
        moved = page.evaluate(
            "(n) => { const a = document.activeElement;"
            " return a.getAttribute('role') === 'radio' && a.getAttribute('data-kb') !== n; }",
            str(groups[0]["n"]),
        )
        assert moved, f"{entry.name}: ArrowRight does not move within {groups[0]}"


def test_focus_ring_is_visible(page, app_url, st_wait_idle, artifacts_dir) -> None:
    """Tab to the output-size page's first main-area number input and a segmented control;
    the screenshot is to look at (the focus ring must be visible)."""
    page.set_viewport_size(VIEWPORT)
    _open(page, app_url, "output_size", st_wait_idle)
    page.locator("body").focus()
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        in_main = page.evaluate(
            "() => !!document.activeElement.closest('[data-testid=\"stMain\"]')"
            " && document.activeElement.tagName === 'BUTTON'"
        )
        if in_main:
            break
    assert in_main, "Tab never reached a button in the main area"
    page.screenshot(path=str(artifacts_dir / "keyboard-focus-ring.png"))
    outline = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.outlineWidth, s.boxShadow]; }"
    )
    assert outline[0] != "none" or outline[2] != "none", outline
