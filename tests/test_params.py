import datetime as dt

import pytest

from marketnotes.errors import ParamsError
from marketnotes.params import load_params, sanitise_name


def write(tmp_path, text):
    p = tmp_path / "x.yaml"
    p.write_text(text)
    return p


BASE = """
title: T
as_of: 2018-12-21
indices:
  - {symbol: "^GSPC", label: S&P 500}
  - {symbol: "^IXIC", label: NASDAQ}
"""


def test_shipped_params_files_validate(repo):
    demo = load_params(repo / "params" / "demo.yaml")
    assert demo.source == "sample" and demo.as_of == dt.date(2018, 12, 21)
    live = load_params(repo / "params" / "weekly-rotation.yaml")
    assert live.symbols == ["^RUT", "^NDX", "^GSPC"] and live.as_of == "last-friday"
    assert live.rotation_pair == ("^RUT", "^NDX")


def test_unknown_key_is_rejected_naming_file_and_field(tmp_path):
    p = write(tmp_path, BASE + "colour: blue\n")
    with pytest.raises(ParamsError) as exc:
        load_params(p)
    assert str(p) in str(exc.value) and "unknown field 'colour'" in str(exc.value)


def test_bad_value_names_field_value_and_what_is_allowed(tmp_path):
    p = write(tmp_path, BASE + "page_size: A3\n")
    with pytest.raises(ParamsError) as exc:
        load_params(p)
    msg = str(exc.value)
    assert "page_size" in msg and "'A3'" in msg and "A4" in msg and "Letter" in msg


def test_cli_override_is_typed_not_guessed(tmp_path):
    p = write(tmp_path, BASE)
    assert load_params(p, as_of="2018-12-24").as_of == dt.date(2018, 12, 24)
    # papermill's -p would turn this into an int; we refuse it with a clear message.
    with pytest.raises(ParamsError, match="YYYY-MM-DD"):
        load_params(p, as_of="20240614")
    # a numeric-looking title stays text
    assert load_params(p, ["title=2024"]).title == "2024"
    assert load_params(p, ["formats=[html]"]).formats == ("html",)


def test_rotation_must_name_listed_indices(tmp_path):
    p = write(tmp_path, BASE + "rotation: {lead: '^RUT', lag: '^GSPC'}\n")
    with pytest.raises(ParamsError, match="'\\^RUT' is not one of the indices"):
        load_params(p)


def test_missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(ParamsError, match="file not found"):
        load_params(tmp_path / "nope.yaml")
    with pytest.raises(ParamsError, match="not valid YAML at line"):
        load_params(write(tmp_path, "title: [unclosed\n"))


@pytest.mark.parametrize("raw,clean", [("../../etc/passwd", "etc-passwd"), ("a/b", "a-b"), ("weekly rotation", "weekly-rotation")])
def test_note_names_cannot_escape_the_output_folder(raw, clean):
    assert sanitise_name(raw) == clean


def test_rotation_pair_is_two_different_indices(tmp_path):
    p = write(tmp_path, BASE + "rotation: {lead: '^GSPC', lag: '^GSPC'}\n")
    with pytest.raises(ParamsError) as exc:
        load_params(p)
    assert str(exc.value) == f"{p}: field 'rotation': lead and lag are both '^GSPC'; the pair is two different indices"


@pytest.mark.parametrize(("lookback", "says"), [("[1d, 1m]", "must include 1w"), ("[]", "must include 1w"), ("[1d, 1w, 1w]", "a window listed twice")])
def test_lookback_holds_the_week_once(tmp_path, lookback, says):
    """The prose tells every note's lead from each index's 1w return, and each window's
    facts exist once: a lookback without 1w, or with a window twice, fails here, not later."""
    with pytest.raises(ParamsError, match=f"field 'lookback': {says}"):
        load_params(write(tmp_path, BASE + f"lookback: {lookback}\n"))
