"""Telephone numbers: find them in a contact line and normalise them.

Landlines become `AREA-NUMBER` (`0990-6231723`), mobiles 11 digits. A local number without an
area code takes the previous landline's area code on the same line (`0990-6629656 6629660`), else
the guide's city area code (`3922117` in a 西宁 guide -> `0971-3922117`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# two- and three-digit area codes (the rest have four): 010 and 02X
_SHORT_AREAS = {"010", "020", "021", "022", "023", "024", "025", "027", "028", "029"}
PHONE = re.compile(
    r"(?<![\d.])(?:"
    r"(?P<mobile>1[3-9]\d{9})"
    r"|(?:[（(]\s*)?(?P<area>0\d{2,3})(?:\s*[)）])?\s*[-－—–]?\s*(?P<num>[2-9]\d{6,7})"
    r"|(?P<local>[2-9]\d{6,7})"
    r")(?![\d.])"
)


@dataclass(frozen=True)
class Phone:
    number: str  # normalised
    start: int
    end: int


def _split_area(area: str, num: str) -> tuple[str, str]:
    # "0990" + "6231723": when the area code is one of the short ones, it is 3 digits
    if area[:3] in _SHORT_AREAS and len(area) == 4:
        return area[:3], area[3:] + num
    return area, num


# a service hotline is kept as printed (`人社服务热线：12333`)
HOTLINE = re.compile(r"热线\s*[：:]?\s*(?P<n>\d{5})(?!\d)")


def find_phones(line: str, default_area: str | None = None) -> list[Phone]:
    out: list[Phone] = [Phone(m.group("n"), m.start("n"), m.end("n")) for m in HOTLINE.finditer(line)]
    last_area = None
    for m in PHONE.finditer(line):
        if m.group("mobile"):
            out.append(Phone(m.group("mobile"), m.start(), m.end()))
        elif m.group("area"):
            area, num = _split_area(m.group("area"), m.group("num"))
            last_area = area
            out.append(Phone(f"{area}-{num}", m.start("area"), m.end("num")))  # not the bracket before it
        else:
            area = last_area or default_area
            num = m.group("local")
            out.append(Phone(f"{area}-{num}" if area else num, m.start(), m.end()))
    return sorted(out, key=lambda p: p.start)


def dominant_area(text: str) -> str | None:
    """The area code most of a text's landlines carry: the default for its local numbers when the
    guide's own region has none (a provincial department's numbers are in its capital)."""
    counts: dict[str, int] = {}
    for m in PHONE.finditer(text):
        if m.group("area"):
            area, _ = _split_area(m.group("area"), m.group("num"))
            counts[area] = counts.get(area, 0) + 1
    return max(sorted(counts), key=counts.get) if counts else None
