"""Removal of the characters that XML 1.0 and iCalendar cannot carry."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from statuscms.controlchars import strip_control_characters

REMOVED = [
    "\x00",
    "\x08",
    "\x0b",
    "\x0c",
    "\x1f",
    "\x7f",
    "\x85",
    "\x9f",
    "\ud800",
    "\udfff",
    "\ufffe",
    "\uffff",
]
KEPT = ["\t", "\n", "\r", " ", "é", "\u2028", "\ufffd", "🚨", "]]>", "&<"]


@pytest.mark.parametrize("char", REMOVED, ids=[f"U+{ord(c):04X}" for c in REMOVED])
def test_strips_forbidden_character(char):
    assert strip_control_characters(f"a{char}b") == "ab"


@pytest.mark.parametrize("text", KEPT)
def test_keeps_allowed_text(text):
    assert strip_control_characters(f"a{text}b") == f"a{text}b"


def test_empty_and_none_give_empty_string():
    assert strip_control_characters(None) == ""
    assert strip_control_characters("") == ""


def test_result_is_well_formed_xml():
    text = strip_control_characters("".join(chr(code) for code in range(0x10000)))
    element = ET.Element("t")
    element.text = text

    parsed = ET.fromstring(ET.tostring(element, encoding="utf-8"))

    # XML parsers turn a carriage return into a line feed.
    assert parsed.text == text.replace("\r", "\n")
