"""URL state: every parameter type decoded with defaults and notices, encoded back short."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import conv_core as cc
from ui.frame import url_state as us

LECTURE_K = ((1, 0, 1), (0, 1, 0), (1, 0, 1))

SCHEMA = us.Schema(
    us.IntParam("size", 6, low=3, high=16),
    us.FloatParam("bias", 0.0, low=-100, high=100),
    us.ChoiceParam("mode", "zeros", cc.CONV_PADDING_MODES),
    us.BoolParam("flip", False),
    us.PairParam("stride", (1, 1), low=1, high=8),
    us.PaddingParam("padding", 0, max_pad=8),
    us.KernelParam("kernel", LECTURE_K),
    us.GridParam("grid", ((0, 1), (1, 0)), low=0, high=255, max_rows=16, max_cols=16),
)
DEFAULTS = us.defaults(SCHEMA)


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return a.shape == b.shape and bool(np.array_equal(a, b))
    return a == b


def _assert_settings(got: dict, want: dict) -> None:
    assert set(got) == set(want)
    for name in want:
        assert _same(got[name], want[name]), (name, got[name], want[name])


def test_missing_params_give_defaults_silently() -> None:
    settings, notices = us.decode(SCHEMA, {})
    _assert_settings(settings, DEFAULTS)
    assert notices == []
    assert DEFAULTS["kernel"].dtype == np.int64 and DEFAULTS["kernel"].tolist()[0] == [1, 0, 1]


def test_unknown_params_are_ignored() -> None:
    settings, notices = us.decode(SCHEMA, {"lang": "ko", "step": "7", "x": "<script>"})
    _assert_settings(settings, DEFAULTS)
    assert notices == []


@pytest.mark.parametrize(
    ("name", "raw", "expected"),
    [
        ("size", "3", 3),
        ("size", " 16 ", 16),
        ("size", "+7", 7),
        ("bias", "0.5", 0.5),
        ("bias", "-1e1", -10.0),
        ("bias", "100", 100.0),
        ("mode", "replicate", "replicate"),
        ("mode", "Circular", "circular"),
        ("flip", "1", True),
        ("flip", "true", True),
        ("flip", "off", False),
        ("stride", "2", (2, 2)),
        ("stride", "2,3", (2, 3)),
        ("padding", "1", 1),
        ("padding", "valid", "valid"),
        ("padding", "SAME", "same"),
        ("padding", "full", "full"),
        ("padding", "1,2", (1, 2)),
        ("padding", "0,1,2,3", ((0, 1), (2, 3))),
        ("kernel", "1/9,1/9;1/9,1/9", np.full((2, 2), 1 / 9)),
        ("kernel", "-1,0,1;-2,0,2;-1,0,1", np.array(cc.KERNELS["sobel_x"].matrix)),
        ("kernel", "0.5", np.array([[0.5]])),
        ("grid", "0,255;7,8;9,10", np.array([[0, 255], [7, 8], [9, 10]])),
    ],
)
def test_valid_values(name: str, raw: str, expected) -> None:
    settings, notices = us.decode(SCHEMA, {name: raw})
    assert notices == []
    assert _same(settings[name], expected), settings[name]
    if isinstance(expected, tuple):
        assert isinstance(settings[name], tuple)


def test_kernel_keeps_exact_fractions_and_int_dtype() -> None:
    settings, _ = us.decode(SCHEMA, {"kernel": "1/9,-2/16"})
    assert settings["kernel"].tolist() == [[1 / 9, -2 / 16]]
    settings, _ = us.decode(SCHEMA, {"kernel": "1,2;3,4"})
    assert settings["kernel"].dtype == np.int64


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("size", "abc"),
        ("size", ""),
        ("size", "2"),  # below range
        ("size", "17"),  # above range
        ("size", "6.0"),
        ("size", "1_0"),
        ("size", "9" * 400),
        ("bias", "nan"),
        ("bias", "inf"),
        ("bias", "1e309"),
        ("bias", "101"),
        ("bias", "__import__('os')"),
        ("mode", "mirror"),
        ("mode", ""),
        ("flip", "maybe"),
        ("stride", "0"),
        ("stride", "9"),
        ("stride", "1,2,3"),
        ("stride", "a,b"),
        ("stride", "-1"),
        ("padding", "-1"),
        ("padding", "9"),
        ("padding", "1,2,3"),
        ("padding", "tight"),
        ("padding", "1.5"),
        ("kernel", ""),
        ("kernel", "1,0;1"),  # ragged
        ("kernel", "1,x;0,1"),
        ("kernel", "1/0"),
        ("kernel", "nan,1"),
        ("kernel", "1e7"),  # beyond MAX_KERNEL_VALUE
        ("kernel", ";".join([",".join(["1"] * 8)] * 8)),  # 8x8 > 7x7
        ("kernel", "__import__('os').system('ls')"),
        ("grid", "0,256"),
        ("grid", "0,-1"),
        ("grid", "0.5,1"),
        ("grid", "1/2"),
        ("grid", ";".join(["0"] * 17)),  # 17 rows > 16
        ("grid", "0,1;1"),
    ],
)
def test_bad_values_fall_back_with_a_notice(name: str, raw: str) -> None:
    settings, notices = us.decode(SCHEMA, {name: raw})
    _assert_settings(settings, DEFAULTS)
    assert [n.name for n in notices] == [name]
    notice = notices[0]
    assert len(notice.value) <= 41
    assert notice.fallback == SCHEMA.params[name].format(SCHEMA.params[name].default)
    for lang in ("en", "ko"):
        text = notice.text(lang)
        assert name in text and notice.fallback in text and "{" not in text


def test_notice_text_reads_well() -> None:
    _, notices = us.decode(SCHEMA, {"stride": "abc"})
    assert notices[0].text("en") == (
        "The link's stride=abc is not valid (a whole number from 1 to 8, or two of them as "
        "rows,cols); using 1."
    )
    assert "stride=abc" in notices[0].text("ko") and "1부터 8까지" in notices[0].text("ko")


def test_long_bad_values_are_cut_in_the_notice() -> None:
    _, notices = us.decode(SCHEMA, {"size": "x" * 500})
    assert notices[0].value == "x" * 40 + "…"


def test_several_bad_params_give_notices_in_schema_order() -> None:
    _, notices = us.decode(SCHEMA, {"padding": "??", "size": "0", "mode": "nope"})
    assert [n.name for n in notices] == ["size", "mode", "padding"]


def test_repeated_params_use_the_last_value() -> None:
    settings, notices = us.decode(SCHEMA, {"size": ["4", "5"]})
    assert settings["size"] == 5 and notices == []
    settings, notices = us.decode(SCHEMA, {"size": []})
    assert settings["size"] == 6 and [n.name for n in notices] == ["size"]


def test_encode_writes_only_non_defaults() -> None:
    assert us.encode(SCHEMA, DEFAULTS) == {}
    settings = dict(DEFAULTS, stride=(2, 2), padding="same", kernel=np.full((3, 3), 1 / 9))
    assert us.encode(SCHEMA, settings) == {
        "stride": "2",
        "padding": "same",
        "kernel": "1/9,1/9,1/9;1/9,1/9,1/9;1/9,1/9,1/9",
    }
    # A kernel equal to the default, even as floats, is not written.
    assert us.encode(SCHEMA, dict(DEFAULTS, kernel=np.array(LECTURE_K, float))) == {}
    # Names missing from the settings are left out.
    assert us.encode(SCHEMA, {"size": 7}) == {"size": "7"}


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (3, "3"),
        (-2.0, "-2"),
        (0.5, "0.5"),
        (1 / 9, "1/9"),
        (-2 / 16, "-1/8"),
        (1 / 16, "1/16"),
        (0.37, "0.37"),
        (0.07511360795411207, "0.07511360795411207"),
        (np.int64(4), "4"),
        (np.float32(0.25), "1/4"),
    ],
)
def test_format_number_is_short_and_exact(value, text) -> None:
    assert us.format_number(value) == text
    assert cc.parse_kernel_cell(text) == float(value)


def test_format_number_rejects_non_numbers() -> None:
    with pytest.raises(ValueError):
        us.format_number(float("nan"))
    with pytest.raises(TypeError):
        us.format_number(True)


@pytest.mark.parametrize("spec", [0, 3, "valid", "same", "full", (1, 2), (0, 0), ((0, 1), (2, 3))])
def test_padding_spec_round_trip(spec) -> None:
    text = us.format_padding_spec(spec)
    assert us.parse_padding_spec(text) == spec
    # What conv_core accepts.
    cc.resolve_padding(spec, (8, 8), 3)


def test_parse_padding_spec_errors_are_conv_core_errors() -> None:
    with pytest.raises(cc.ArgumentError) as info:
        us.parse_padding_spec("1;2")
    assert info.value.key == "bad_padding"
    with pytest.raises(cc.ArgumentError):
        us.parse_padding_spec("65")


def test_schema_rejects_duplicates_and_bad_defaults() -> None:
    with pytest.raises(ValueError, match="twice"):
        us.Schema(us.IntParam("a", 1, low=0, high=2), us.IntParam("a", 1, low=0, high=2))
    with pytest.raises(ValueError):
        us.Schema(us.IntParam("a", 5, low=0, high=2))
    with pytest.raises(ValueError):
        us.Schema(us.ChoiceParam("m", "x", ("a", "b")))
    assert SCHEMA.names[:3] == ("size", "bias", "mode")
    assert "size" in repr(SCHEMA)


# Valid settings for the whole schema, for the round-trip property.
cells = st.one_of(
    st.integers(-20, 20),
    st.fractions(min_value=-4, max_value=4, max_denominator=32).map(
        lambda f: f.numerator / f.denominator
    ),
    st.floats(-100, 100, allow_nan=False, allow_infinity=False),
)
kernels = st.tuples(st.integers(1, 7), st.integers(1, 7)).flatmap(
    lambda shape: st.lists(cells, min_size=shape[0] * shape[1], max_size=shape[0] * shape[1]).map(
        lambda values: np.array(values, dtype=float).reshape(shape)
    )
)
grids = st.tuples(st.integers(1, 16), st.integers(1, 16)).flatmap(
    lambda shape: st.lists(
        st.integers(0, 255), min_size=shape[0] * shape[1], max_size=shape[0] * shape[1]
    ).map(lambda values: np.array(values, dtype=np.int64).reshape(shape))
)
pads = st.integers(0, 8)
paddings = st.one_of(
    pads,
    st.sampled_from(["valid", "same", "full"]),
    st.tuples(pads, pads),
    st.tuples(st.tuples(pads, pads), st.tuples(pads, pads)),
)
settings_strategy = st.fixed_dictionaries(
    {
        "size": st.integers(3, 16),
        "bias": st.floats(-100, 100, allow_nan=False),
        "mode": st.sampled_from(cc.CONV_PADDING_MODES),
        "flip": st.booleans(),
        "stride": st.tuples(st.integers(1, 8), st.integers(1, 8)),
        "padding": paddings,
        "kernel": kernels,
        "grid": grids,
    }
)


@given(settings_strategy)
def test_round_trip(settings: dict) -> None:
    query = us.encode(SCHEMA, settings)
    decoded, notices = us.decode(SCHEMA, query)
    assert notices == []
    for name, value in settings.items():
        if name == "kernel":
            # parse_kernel returns int64 when every weight is whole: same values.
            assert np.array_equal(decoded[name], value) and decoded[name].shape == value.shape
        else:
            assert _same(decoded[name], value), (name, decoded[name], value)
    # Encoding again gives the same link.
    assert us.encode(SCHEMA, decoded) == query


@given(st.dictionaries(st.sampled_from((*SCHEMA.names, "lang")), st.text(max_size=60)))
def test_decode_never_raises(query: dict) -> None:
    settings, notices = us.decode(SCHEMA, query)
    assert set(settings) == set(SCHEMA.names)
    assert len(notices) <= len(query)
