"""What the stepper sends to the browser (stepper_data), checked without a browser."""

import json
import re
import string
from pathlib import Path

import numpy as np
import pytest

import conv_core as cc
from ui.components.stepper import (
    COMPONENT_NAME,
    FRONTEND,
    StepperState,
    clamp_step,
    state_from_result,
    stepper_data,
    stepper_strings,
    trace_id,
)
from ui.frame.i18n import LANGUAGES, load_strings

REPO = Path(__file__).resolve().parents[2]
#: The stepper's ES modules (the entry, stepper.js, imports the others).
JS_FILES = sorted(FRONTEND.glob("*.js"))
RNG = np.random.default_rng(3)
X6 = [
    [1, 0, 0, 0, 0, 1], [0, 1, 0, 0, 1, 0], [0, 0, 1, 1, 0, 0],
    [1, 0, 0, 0, 1, 0], [0, 1, 0, 0, 1, 0], [0, 0, 1, 0, 1, 0],
]  # fmt: skip
K3 = [[1, 0, 1], [0, 1, 0], [1, 0, 1]]
RGB = RNG.integers(0, 256, (3, 5, 5))
W_RGB = RNG.integers(-1, 2, (4, 3, 3, 3))
W_GROUPS = RNG.integers(-2, 3, (4, 1, 2, 2))
GRID = RNG.integers(-9, 10, (5, 7))
FLOATS = RNG.random((4, 5)) * 10


def _json(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


# (case, trace, what conv_core's own operation returns for the same arguments)
CASES = [
    ("lecture", lambda: cc.trace_correlate2d(X6, K3), lambda: cc.correlate2d(X6, K3)),
    (
        "convolve_stride",
        lambda: cc.trace_convolve2d(GRID, K3, stride=2, padding=1),
        lambda: cc.convolve2d(GRID, K3, stride=2, padding=1),
    ),
    (
        "floats_bias",
        lambda: cc.trace_correlate2d(FLOATS, [[0.5, -0.25], [1, 0]], bias=0.1),
        lambda: cc.correlate2d(FLOATS, [[0.5, -0.25], [1, 0]]) + 0.1,
    ),
    (
        "rgb_multi",
        lambda: cc.trace_conv2d(RGB, W_RGB, bias=[1, 2, 3, 4], padding=1),
        lambda: cc.conv2d(RGB, W_RGB, bias=[1, 2, 3, 4], padding=1),
    ),
    (
        "groups",
        lambda: cc.trace_conv2d(RGB[:2], W_GROUPS, groups=2, padding_mode="replicate", padding=1),
        lambda: cc.conv2d(RGB[:2], W_GROUPS, groups=2, padding_mode="replicate", padding=1),
    ),
    (
        "oned",
        lambda: cc.trace_correlate1d([3, 1, 4, 1, 5, 9, 2, 6], [1, 0, -1], stride=2, padding=1),
        lambda: cc.correlate1d([3, 1, 4, 1, 5, 9, 2, 6], [1, 0, -1], stride=2, padding=1),
    ),
    (
        "pool_max_ceil",
        lambda: cc.trace_pool2d(GRID, 3, stride=2, padding=1, ceil_mode=True),
        lambda: cc.pool2d(GRID, 3, stride=2, padding=1, ceil_mode=True),
    ),
    (
        "pool_avg",
        lambda: cc.trace_pool2d(GRID, 2, method="avg"),
        lambda: cc.pool2d(GRID, 2, method="avg"),
    ),
    (
        "scatter",
        lambda: cc.trace_conv_transpose2d(GRID[:3, :3], K3, bias=[5], stride=2, padding=1),
        lambda: cc.conv_transpose2d(GRID[:3, :3], K3, bias=[5], stride=2, padding=1),
    ),
]
IDS = [c[0] for c in CASES]
STRINGS = stepper_strings("en")


@pytest.mark.parametrize(("name", "make", "reference"), CASES, ids=IDS)
def test_payload_numbers_are_conv_cores(name, make, reference):
    """The browser gets conv_core's numbers unchanged: output, per-step sums, sizes."""
    trace = make()
    compact = cc.to_compact(trace)
    data = stepper_data(compact, STRINGS)
    sent = json.loads(_json(data))  # what actually travels
    assert sent["trace"] == json.loads(_json(compact))
    out = np.array(sent["trace"]["output"], dtype=float)
    ref = np.asarray(reference(), dtype=float)
    np.testing.assert_allclose(out.reshape(ref.shape), ref, rtol=1e-12, atol=1e-9)
    assert sent["trace"]["n_steps"] == len(trace)
    if sent["trace"]["view"] != "scatter":
        assert len(trace) == out.size  # one step per output cell
    assert sent["trace"]["first_step_text"] == cc.format_step(trace.step(0))
    if sent["trace"]["view"] == "gather":
        # per step: the sum of its products is the value before the bias
        n = len(trace)
        prods = np.array(sent["trace"]["products"], dtype=float).reshape(n, -1)
        np.testing.assert_allclose(prods.sum(axis=1), sent["trace"]["sums"], rtol=1e-5)
    assert data["trace"] is compact  # handed on as it is: no copy, no re-rounding


@pytest.mark.parametrize(("name", "make", "reference"), CASES, ids=IDS)
def test_payload_size_stays_the_compact_size(name, make, reference):
    compact = cc.to_compact(make())
    data = stepper_data(compact, STRINGS, original_kernel=[[1, 2], [3, 4]])
    extra = len(_json(data)) - len(_json(compact)) - len(_json(STRINGS))
    assert 0 < extra < 600, extra


def test_payload_size_32x32_printed():
    rng = np.random.default_rng(0)
    trace = cc.trace_correlate2d(rng.integers(0, 256, (32, 32)), rng.integers(-2, 3, (3, 3)), 1, 1)
    compact = cc.to_compact(trace)
    data = stepper_data(compact, STRINGS)
    size_c, size_d = len(_json(compact)), len(_json(data))
    print(f"\n32x32, 3x3, padding 1: {len(trace)} steps, compact {size_c / 1024:.1f} KiB, "
          f"stepper data {size_d / 1024:.1f} KiB")  # fmt: skip
    assert size_d < 1.1 * size_c + 8192
    assert size_d < 120_000


def test_trace_id_stable_and_changes_with_settings():
    a = cc.to_compact(cc.trace_correlate2d(X6, K3))
    b = cc.to_compact(cc.trace_correlate2d([row[:] for row in X6], [r[:] for r in K3]))
    assert trace_id(a) == trace_id(b) == stepper_data(a, STRINGS)["trace_id"]
    assert re.fullmatch(r"[0-9a-f]{16}", trace_id(a))
    others = [
        cc.trace_correlate2d(X6, K3, stride=2),
        cc.trace_correlate2d(X6, K3, padding=1),
        cc.trace_correlate2d(X6, K3, padding=1, padding_mode="replicate"),
        cc.trace_convolve2d(X6, K3),  # the same numbers, but flipped: a different trace
        cc.trace_correlate2d(X6, K3, bias=1),
        cc.trace_correlate2d(X6, [[1, 0, 1], [0, 2, 0], [1, 0, 1]]),
    ]
    ids = {trace_id(cc.to_compact(t)) for t in others}
    assert len(ids) == len(others) and trace_id(a) not in ids
    # Display settings are not part of the trace: the browser keeps its step when they change.
    assert stepper_data(a, STRINGS, practice=True)["trace_id"] == trace_id(a)


@pytest.mark.parametrize(
    ("step", "expected"),
    [(0, 0), (5, 5), (15, 15), (16, 15), (10**9, 15), (-1, 0), (-(10**9), 0), (3.7, 3),
     (True, 0), (None, 0), ("7", 0), (float("nan"), 0)],
)  # fmt: skip
def test_initial_step_clamped(step, expected):
    compact = cc.to_compact(cc.trace_correlate2d(X6, K3))  # 16 steps
    assert stepper_data(compact, STRINGS, step=step)["step"] == expected
    assert clamp_step(step, 16) == expected


def test_settings_pass_through():
    compact = cc.to_compact(cc.trace_conv2d(RGB, W_RGB, padding=1))
    data = stepper_data(
        compact, STRINGS, 3, True, show_formula=False, original_kernel=np.eye(2, dtype=int),
        channel_names=("R", "G", "B"), url_param=None, score={"right": 2, "total": 3},
    )  # fmt: skip
    assert data["practice"] is True and data["show_formula"] is False and data["step"] == 3
    assert data["original_kernel"] == [[1, 0], [0, 1]]
    assert data["channel_names"] == ["R", "G", "B"]
    assert data["url_param"] is None and data["score"] == {"right": 2, "total": 3}
    assert data["decimals"] == 3
    for bad in ({"right": 4, "total": 3}, {"right": -1, "total": 3}, "x", {"right": 1}):
        assert stepper_data(compact, STRINGS, score=bad)["score"] == {"right": 0, "total": 0}


@pytest.mark.parametrize(
    "bad", [{}, {"schema_version": 2, "view": "gather"}, {"schema_version": 1, "view": "x"}, []]
)
def test_rejects_what_is_not_a_compact_trace(bad):
    with pytest.raises(ValueError, match="compact"):
        stepper_data(bad, STRINGS)


def test_state_from_result_defaults_and_clamps():
    assert state_from_result(None, 16, 4) == StepperState(4, 0, 0)
    assert state_from_result({"step": None, "score": None}, 16, 2) == StepperState(2, 0, 0)
    assert state_from_result({"step": 7, "score": {"right": 1, "total": 2}}, 16, 0) == (
        StepperState(7, 1, 2)
    )
    assert state_from_result({"step": 99}, 16, 0).step == 15  # a report from a longer trace


# ---------------------------------------------------------------- strings


def _placeholders(template):
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_strings_complete_in_both_languages():
    en = stepper_strings("en")
    assert len(en) > 40
    for lang in LANGUAGES:
        local = load_strings(lang)
        for key, template in en.items():
            assert f"stepper.{key}" in local, f"{lang}: stepper.{key} missing"
            assert _placeholders(local[f"stepper.{key}"]) == _placeholders(template), (lang, key)
            assert local[f"stepper.{key}"].strip(), (lang, key)
    ko = stepper_strings("ko")
    hangul = [k for k, v in ko.items() if re.search("[가-힣]", v)]
    assert len(hangul) > 0.8 * len(ko)  # translated, not copied
    for term in ("패딩", "커널", "편향", "풀링"):
        assert any(term in v for v in ko.values()), term


def test_every_key_the_js_uses_exists():
    """The JS looks strings up with this.s("key") / s("key"); each must be in the TOML files."""
    source = "\n".join(p.read_text(encoding="utf-8") for p in JS_FILES)
    used = set(re.findall(r'this\.s\(\s*"([\w.]+)"', source))
    # keys chosen at run time: `formula.unvisited_${axis}` and friends, ternaries
    used |= {f"formula.{k}_{axis}" for k in ("unvisited", "buffer") for axis in ("rows", "cols")}
    used |= set(
        re.findall(r'"((?:panel|legend|practice|formula|live|arith|contrib|keys)\.\w+)"', source)
    )
    used |= {"first", "prev", "next", "last", "play", "pause", "zoom_in", "zoom_out", "zoom_fit"}
    en = stepper_strings("en")
    missing = sorted(k for k in used if k not in en)
    assert not missing, missing
    assert len(used) > 40


def test_english_arithmetic_words_are_format_steps():
    """The words inside the arithmetic match conv_core.format_step, so the texts are equal."""
    en = stepper_strings("en")
    assert en["arith.channel"] == "channel {k}"
    assert en["arith.out_channel"] == "out channel {k}"
    assert en["arith.cropped"] == "{v} (cropped)"
    assert en["arith.target"] == "→ output rows {rows}; cols {cols}"
    assert en["readout"] == "step {i} / {n}"


def test_unknown_language():
    with pytest.raises(KeyError, match="unknown language"):
        stepper_strings("fr")


# ---------------------------------------------------------------- the wrapper in a script run


HARNESS = Path(__file__).resolve().parents[1] / "e2e" / "stepper_harness.py"


def test_wrapper_mounts_and_reads_state_back():
    """In a real script run (AppTest): the data sent, the clamped step, the state read back."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(HARNESS), default_timeout=30)
    at.query_params["case"] = "lecture"
    at.query_params["step"] = "40"  # beyond the 16 steps: clamped
    at.run()
    assert not at.exception
    (element,) = at.get("bidi_component")
    assert element.proto.component_name == COMPONENT_NAME == "convlab.stepper"
    sent = json.loads(element.proto.json)
    compact = cc.to_compact(cc.trace_correlate2d(X6, K3))
    assert sent == json.loads(_json(stepper_data(compact, STRINGS, step=15)))
    assert "state step=15 right=0 total=0" in at.text[0].value
    # what the browser reports (setStateValue) comes back as StepperState
    at.session_state["harness.stepper"] = {"step": 5, "score": {"right": 1, "total": 2}}
    at.run()
    assert not at.exception
    assert "state step=5 right=1 total=2" in at.text[0].value
    # the score goes back to the browser so a remount keeps it
    assert json.loads(at.get("bidi_component")[0].proto.json)["score"] == {"right": 1, "total": 2}


# ---------------------------------------------------------------- the code is served, not sent


def test_the_element_names_the_code_and_carries_data_only():
    """A rerun sends the data and the small HTML skeleton; the CSS and the JS modules are the
    component's asset files, fetched once per page (README, benchmarks row 4')."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(HARNESS), default_timeout=30)
    at.query_params["case"] = "big"  # 32x32, padding 1
    at.run()
    assert not at.exception
    (element,) = at.get("bidi_component")
    proto = element.proto
    assert (proto.js_source_path, proto.css_source_path) == ("stepper.js", "stepper.css")
    assert proto.js_content == proto.css_content == ""
    assert proto.html_content == (FRONTEND / "stepper.html").read_text(encoding="utf-8")
    code = len(proto.html_content.encode())
    data = len(proto.json.encode())
    assert code < 4_000 < 40_000 < data
    assert proto.ByteSize() < data + code + 200


def test_streamlit_finds_the_asset_folder_through_the_installed_project():
    """pyproject.toml declares the folder; Streamlit reads it from the installed `convlab`
    distribution (`pip install -r requirements.txt` installs it, editable)."""
    from streamlit.components.v2.manifest_scanner import scan_component_manifests

    found = {
        f"{manifest.name}.{comp.name}": (root / comp.asset_dir).resolve()
        for manifest, root in scan_component_manifests()
        for comp in manifest.components
        if comp.asset_dir
    }
    assert found.get(COMPONENT_NAME) == FRONTEND, found


IMPORT = re.compile(r"""^\s*(?:import|export)\b[^;]*?\bfrom\s*"([^"]+)";""", re.M | re.S)


def test_every_module_imports_only_its_siblings():
    """The browser loads stepper.js from the asset folder and the modules it imports from
    beside it: every import is a relative path to a file there (nothing from npm or a CDN)."""
    graph = {}
    for path in JS_FILES:
        targets = IMPORT.findall(path.read_text(encoding="utf-8"))
        for target in targets:
            assert target.startswith("./") and "/" not in target[2:], (path.name, target)
            assert (FRONTEND / target).is_file(), (path.name, target)
        graph[path.name] = {t[2:] for t in targets}
    reached, todo = set(), ["stepper.js"]
    while todo:
        name = todo.pop()
        if name not in reached:
            reached.add(name)
            todo += graph[name]
    assert reached == set(graph), f"not imported by stepper.js: {set(graph) - reached}"


def test_the_node_tests_fixture_is_up_to_date():
    """tests/js/fixtures/stepper.json is what conv_core says now (regenerate it with
    `.venv/bin/python -m tests.js.fixtures`)."""
    from tests.js.fixtures import FIXTURE, dumps, fixture

    assert FIXTURE.read_text(encoding="utf-8") == dumps(fixture())
