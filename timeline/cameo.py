"""The CAMEO event codes as data: code, description, root, QuadClass and Goldstein value.

The table ships with the package as ``timeline/data/cameo_events.tsv``
(tab-separated, UTF-8, one header line, 311 codes). Its sources:

- codes and descriptions: GDELT's CAMEO event code lookup
  (``CAMEO.eventcodes.txt``, as kept in mpiccirilli/UNDP-BCPR-Project), which
  follows the CAMEO codebook 1.1b3. One line is fixed: the original garbles 044
  as "Meet at a \\xd2hird\\xd3location"; the table says "Meet at a third location"
  (the codebook's wording).
- Goldstein values: GDELT's ``CAMEO.goldsteinscale.txt`` from the same place:
  the Goldstein (1992) conflict-cooperation scale, -10.0 to +10.0, as GDELT
  assigns it to each CAMEO code.
- QuadClass, from the root code, as GDELT's own event rows assign it (checked
  against all 710 rows of the GDELT 1.0 sample, 1982 and 2016 alike): 1 verbal
  cooperation (roots 01-05), 2 material cooperation (06-09), 3 verbal conflict
  (10-14), 4 material conflict (15-20). Root 09 (Investigate) is material
  cooperation in GDELT's data, although some descriptions of the quad classes
  put it with verbal conflict.

Codes are strings with their leading zero (``"042"``): 010 (Make statement)
and 10 (DEMAND) are different codes. Root-level descriptions are in capitals,
as in the source (``"04"`` is ``"CONSULT"``).

The table is read on first use, not on ``import timeline``.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

import attrs

from .errors import ValidationError

__all__ = ["CameoCode", "QUAD_CLASSES", "cameo_codes", "cameo_code", "describe_cameo"]

#: GDELT's QuadClass numbers and what they mean.
QUAD_CLASSES: dict[int, str] = {1: "verbal cooperation", 2: "material cooperation",
                                3: "verbal conflict", 4: "material conflict"}


@attrs.frozen(slots=True)
class CameoCode:
    """One CAMEO event code.

    - ``code``: 2 to 4 digits, leading zero kept (``"042"``).
    - ``description``: ``"Make a visit"``.
    - ``root``: the two-digit root code (``"04"``, CONSULT).
    - ``quad_class``: 1 to 4, see :data:`QUAD_CLASSES`.
    - ``goldstein``: the Goldstein scale value, -10.0 (most conflictual) to +10.0.

    ``str(code)`` is ``"042 Make a visit"``.
    """

    code: str
    description: str
    root: str
    quad_class: int
    goldstein: float

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


@lru_cache(maxsize=1)
def cameo_codes() -> dict[str, CameoCode]:
    """Every CAMEO event code in the shipped table, by code, in table order."""
    text = files("timeline").joinpath("data", "cameo_events.tsv").read_text(encoding="utf-8")
    table: dict[str, CameoCode] = {}
    for line in text.splitlines()[1:]:
        code, description, root, quad, goldstein = line.split("\t")
        table[code] = CameoCode(code, description, root, int(quad), float(goldstein))
    return table


def cameo_code(code: str) -> CameoCode:
    """The table entry for ``code``; raises :class:`~timeline.errors.ValidationError`
    (field ``cameo``) for a code that is not in the table."""
    found = cameo_codes().get(code) if isinstance(code, str) else None
    if found is None:
        raise ValidationError("cameo", code, "is not a CAMEO event code in the CAMEO 1.1b3 "
                              "table",
                              "For example 042 (Make a visit); see timeline.cameo_codes().")
    return found


def describe_cameo(code: str) -> str:
    """``"042 Make a visit"``: the code and its description; raises like :func:`cameo_code`."""
    return str(cameo_code(code))
