"""The CAMEO event code table shipped in the package (timeline/data/cameo_events.tsv)."""

from __future__ import annotations

from pathlib import Path

import pytest

from timeline import (QUAD_CLASSES, CameoCode, ValidationError, cameo_code, cameo_codes,
                      describe_cameo)

DATA = Path(__file__).parent / "data" / "import"


def test_codes_and_descriptions_are_gdelts_with_044_repaired() -> None:
    original = [line.split("\t") for line in
                (DATA / "cameo-eventcodes.txt").read_text("utf-8").splitlines()[1:]]
    assert len(original) == 311
    assert dict(original)["044"] == "Meet at a \u00d2hird\u00d3location"  # garbled upstream
    shipped = {code: entry.description for code, entry in cameo_codes().items()}
    assert shipped == {**dict(original), "044": "Meet at a third location"}
    assert list(shipped) == [code for code, _ in original]  # table order kept


def test_entries() -> None:
    assert cameo_code("042") == CameoCode("042", "Make a visit", "04", 1, 1.9)
    assert describe_cameo("042") == "042 Make a visit"
    assert str(cameo_code("04")) == "04 CONSULT"
    assert cameo_code("0874") == CameoCode("0874", "Retreat or surrender militarily", "08", 2, 10.0)
    assert cameo_code("2042").goldstein == -10.0
    assert cameo_code("010") != cameo_code("10")  # the leading zero is part of the code
    assert cameo_code("10").description == "DEMAND"


def test_quad_class_follows_the_root_as_gdelt_assigns_it() -> None:
    by_root = {entry.root: entry.quad_class for entry in cameo_codes().values()}
    assert by_root == {f"{r:02d}": 1 if r <= 5 else 2 if r <= 9 else 3 if r <= 14 else 4
                       for r in range(1, 21)}
    assert QUAD_CLASSES == {1: "verbal cooperation", 2: "material cooperation",
                            3: "verbal conflict", 4: "material conflict"}


def test_table_agrees_with_real_gdelt_rows() -> None:
    """Every row of the GDELT slice carries its code's root, QuadClass and Goldstein value."""
    lines = (DATA / "gdelt1-mixed-slice.tsv").read_text("utf-8").splitlines()
    for line in lines:
        f = line.split("\t")
        entry = cameo_code(f[26])
        assert (entry.root, entry.quad_class, entry.goldstein) == (f[28], int(f[29]), float(f[30]))
    assert len(lines) == 191


@pytest.mark.parametrize("code", ["42", "0000", "21", "", None, 42])
def test_unknown_code_is_refused(code: object) -> None:
    with pytest.raises(ValidationError) as info:
        cameo_code(code)  # type: ignore[arg-type]
    assert str(info.value) == (
        f"cameo: {code!r} is not a CAMEO event code in the CAMEO 1.1b3 table. For example 042 "
        "(Make a visit); see timeline.cameo_codes().")
