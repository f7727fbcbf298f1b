"""Translations: both languages complete, placeholders agree, conv_core's texts covered."""

import string

import pytest

import conv_core as cc
from ui.frame.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    error_text,
    load_strings,
    placeholders,
    translate,
)

EN = load_strings("en")
KO = load_strings("ko")
# English shows conv_core's own error text, so errors.* exists in Korean only.
ERROR_PREFIX = "errors."
# conv_core.errors' doctest registers this key when the doctests run in the same session.
DOCTEST_ONLY_KEYS = {"example_key"}


def _error_keys() -> list[str]:
    return sorted(set(cc.ERROR_MESSAGES) - DOCTEST_ONLY_KEYS)


def _format_fields(template: str) -> list[tuple[str, str | None, str]]:
    """(name, conversion, format spec) of every field, for comparing templates exactly."""
    return sorted(
        (name, conv or "", spec or "")
        for _, name, spec, conv in string.Formatter().parse(template)
        if name is not None
    )


def test_languages_are_en_and_ko() -> None:
    assert set(LANGUAGES) == {"en", "ko"} and DEFAULT_LANGUAGE == "en"


def test_both_languages_have_the_same_keys() -> None:
    ko_keys = {k for k in KO if not k.startswith(ERROR_PREFIX)}
    assert sorted(set(EN) - ko_keys) == [], "keys missing in Korean"
    assert sorted(ko_keys - set(EN)) == [], "keys missing in English"


def test_english_has_no_error_templates() -> None:
    assert not [k for k in EN if k.startswith(ERROR_PREFIX)]


@pytest.mark.parametrize("key", sorted(EN))
def test_same_placeholders_per_key(key: str) -> None:
    assert placeholders(EN[key]) == placeholders(KO[key]), key


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_no_empty_strings(lang: str) -> None:
    assert [k for k, v in load_strings(lang).items() if not v.strip()] == []


@pytest.mark.parametrize("key", _error_keys())
def test_every_error_has_a_korean_template_with_the_same_fields(key: str) -> None:
    template = KO.get(f"{ERROR_PREFIX}{key}")
    assert template is not None, f"ko/errors.toml has no errors.{key}"
    # Same names, conversions (!r) and format specs ({nbytes:,}) as conv_core's template.
    assert _format_fields(template) == _format_fields(cc.ERROR_MESSAGES[key]), key


def test_no_korean_error_template_for_an_unknown_key() -> None:
    keys = {k.removeprefix(ERROR_PREFIX) for k in KO if k.startswith(ERROR_PREFIX)}
    assert sorted(keys - set(cc.ERROR_MESSAGES)) == []


def _raise(func, *args, **kwargs) -> cc.ConvLabError:
    with pytest.raises(cc.ConvLabError) as info:
        func(*args, **kwargs)
    return info.value


REAL_ERRORS = [
    pytest.param(lambda: _raise(cc.conv_output_size, 5, 3, stride=0), id="stride0"),
    pytest.param(lambda: _raise(cc.conv_output_size, 2, 5), id="output_empty"),
    pytest.param(lambda: _raise(cc.parse_kernel, [["1", "x"]]), id="kernel_cell"),
    pytest.param(lambda: _raise(cc.parse_kernel, [["1", ""]]), id="kernel_cell_empty"),
    pytest.param(lambda: _raise(cc.load_image, b""), id="image_empty"),
    pytest.param(lambda: _raise(cc.load_image, b"not an image at all"), id="image_not_supported"),
    pytest.param(
        lambda: _raise(cc.correlate2d, [[1, 2]], [[1]], padding_mode="mirror"), id="bad_choice"
    ),
    pytest.param(lambda: _raise(cc.random_kernel, 9), id="kernel_size_limits"),
]


@pytest.mark.parametrize("make", REAL_ERRORS)
def test_real_errors_format_in_korean(make) -> None:
    err = make()
    text = error_text("ko", err)
    assert text != str(err), "fell back to English: the Korean template did not format"
    assert "{" not in text and text.strip()
    assert error_text("en", err) == str(err)


def test_kernel_cell_error_names_the_cell_in_korean() -> None:
    err = _raise(cc.parse_kernel, [["1", "2"], ["3", "abc"]])
    assert "2행, 2열" in error_text("ko", err)


def test_error_text_falls_back_to_english() -> None:
    err = _raise(cc.conv_output_size, 5, 3, stride=0)
    assert error_text("en", err) == str(err)  # English has no errors.*: the error's own text

    class Fake(cc.ConvLabError):
        pass

    fake = Fake("not_int", arg="x", value=1)
    fake.key = "no_such_key"
    assert error_text("ko", fake) == str(fake)
    # A template whose fields the error does not have falls back instead of raising.
    broken = Fake("not_int", arg="x", value=1)
    broken.params = {}
    assert error_text("ko", broken) == str(broken)


def test_translate_falls_back_to_english_and_raises_for_unknown_keys() -> None:
    assert translate("ko", "app.name") == "ConvLab"
    with pytest.raises(KeyError):
        translate("en", "no.such.key")


@pytest.mark.parametrize("name", list(cc.KERNELS))
def test_every_kernel_is_translated_and_english_matches_conv_core(name: str) -> None:
    kernel = cc.KERNELS[name]
    assert EN[kernel.title_key] == kernel.title
    assert EN[kernel.explain_key] == kernel.explanation
    assert KO[kernel.title_key] and KO[kernel.explain_key]


@pytest.mark.parametrize("name", list(cc.PRESETS))
def test_every_preset_is_translated_and_english_matches_conv_core(name: str) -> None:
    preset = cc.PRESETS[name]
    assert EN[preset.title_key] == preset.title
    assert EN[preset.description_key] == preset.description
    assert KO[preset.title_key] and KO[preset.description_key]


@pytest.mark.parametrize("name", list(cc.DISPLAY_MODES))
def test_every_display_mode_is_translated(name: str) -> None:
    mode = cc.DISPLAY_MODES[name]
    assert EN[mode.key] == mode.explanation
    assert KO[mode.key]
    assert EN[f"display_mode_names.{name}"] and KO[f"display_mode_names.{name}"]


@pytest.mark.parametrize("key", list(cc.IMAGE_NOTE_MESSAGES))
def test_every_image_note_is_translated(key: str) -> None:
    assert EN[f"image_notes.{key}"] == cc.IMAGE_NOTE_MESSAGES[key]
    assert _format_fields(KO[f"image_notes.{key}"]) == _format_fields(cc.IMAGE_NOTE_MESSAGES[key])


def test_image_notes_format_with_real_params() -> None:
    info = cc.ImageInfo("GIF", "I", (4, 4), True, 6, True, True, (-1.5, 3.0))
    for note in info.notes:
        assert translate("ko", f"image_notes.{note.key}", **note.params)
        assert translate("en", f"image_notes.{note.key}", **note.params) == note.text


@pytest.mark.parametrize("name", list(cc.PADDING_MODES))
def test_padding_modes_are_translated_and_english_matches_conv_core(name: str) -> None:
    assert EN[f"padding_modes.{name}.explain"] == cc.PADDING_MODES[name].explanation
    assert KO[f"padding_modes.{name}.title"] and KO[f"padding_modes.{name}.explain"]


def test_samples_and_pages_have_strings() -> None:
    from ui.frame.page_registry import PAGES
    from ui.teaching.samples import SAMPLES

    for sample in SAMPLES.values():
        assert EN[sample.title_key] and KO[sample.title_key]
        assert EN[sample.description_key] and KO[sample.description_key]
    for page in PAGES:
        assert EN[page.title_key] and KO[page.title_key]
        assert EN[page.description_key] and KO[page.description_key]


def test_korean_uses_the_course_terms() -> None:
    text = "\n".join(KO.values())
    for term in (
        "합성곱",
        "패딩",
        "스트라이드",
        "풀링",
        "특성 맵",
        "필터",
        "커널",
        "편향",
        "팽창",
        "출력",
    ):
        assert term in text, term


def test_english_refuses_a_second_copy_of_conv_cores_text(tmp_path, monkeypatch) -> None:
    """Kernel, preset, padding-mode, display-mode and image-note texts live in conv_core:
    an English TOML file that repeats one is refused, not silently kept in step."""
    from ui.frame import strings

    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "kernels.toml").write_text('[kernels.identity]\ntitle = "Identity"\n')
    monkeypatch.setattr(strings, "I18N_DIR", tmp_path)
    with pytest.raises(KeyError, match="conv_core's own text"):
        strings.load_strings.__wrapped__("en")
