"""Every string marked for translation has a translation in each language.

A template or module that marks a new string without adding it to the
``.po`` files, translating it and compiling the ``.mo`` files fails here.
"""

from __future__ import annotations

import ast
import gettext
import io
import json
import re
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.utils.translation.template import templatize

from statuscms.languages import SHIPPED_LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
APPS = ("statuscms", "statuscore")
TRANSLATED = [language for language in SHIPPED_LANGUAGES if language != "en"]

# Templates of the Wagtail admin are for editors and are not translated.
EDITOR_TEMPLATES = (
    "statuscms/templates/statuscms/admin",
    "statuscms/templates/statuscms/drafts",
)

GETTEXT_FUNCTIONS = {
    "_": ("msgid",),
    "gettext": ("msgid",),
    "gettext_lazy": ("msgid",),
    "pgettext": ("context", "msgid"),
    "pgettext_lazy": ("context", "msgid"),
    "ngettext": ("msgid", "plural"),
    "ngettext_lazy": ("msgid", "plural"),
    "npgettext": ("context", "msgid", "plural"),
    "npgettext_lazy": ("context", "msgid", "plural"),
}
CALL = re.compile(r"\b(" + "|".join(GETTEXT_FUNCTIONS) + r")\(")


@dataclass(frozen=True)
class Message:
    context: str | None
    msgid: str
    plural: str | None
    source: str

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.context, self.msgid)


@dataclass
class Entry:
    context: str | None = None
    msgid: str = ""
    plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    fuzzy: bool = False


def parse_po(text: str) -> dict[tuple[str | None, str], Entry]:
    """Parse the entries of a ``.po`` file, obsolete ones left out."""
    entries: dict[tuple[str | None, str], Entry] = {}
    entry, target = Entry(), None

    def finish() -> None:
        if entry.msgid:
            entries[(entry.context, entry.msgid)] = entry

    for line in text.splitlines() + [""]:
        if not line.strip():
            finish()
            entry, target = Entry(), None
        elif line.startswith("#,"):
            entry.fuzzy = entry.fuzzy or "fuzzy" in line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            target(json.loads(line))
        else:
            keyword, _, literal = line.partition(" ")
            target = _setter(entry, keyword)
            target(json.loads(literal))
    return entries


def _setter(entry: Entry, keyword: str):
    def append(attribute):
        def add(text: str) -> None:
            setattr(entry, attribute, (getattr(entry, attribute) or "") + text)

        return add

    if keyword == "msgctxt":
        return append("context")
    if keyword == "msgid":
        return append("msgid")
    if keyword == "msgid_plural":
        return append("plural")
    index = int(keyword[7:-1]) if keyword.startswith("msgstr[") else 0

    def add_translation(text: str) -> None:
        entry.msgstr[index] = entry.msgstr.get(index, "") + text

    return add_translation


def _calls(source: str, origin: str) -> list[Message]:
    """Return the messages of the gettext calls in Python-like ``source``."""
    messages = []
    for match in CALL.finditer(source):
        names = GETTEXT_FUNCTIONS[match.group(1)]
        literals = _literal_arguments(source[match.end() :])
        if len(literals) < len(names):
            continue
        values = dict(zip(names, literals, strict=False))
        messages.append(
            Message(
                values.get("context"), values["msgid"], values.get("plural"), origin
            )
        )
    return messages


def _literal_arguments(rest: str) -> list[str]:
    """Return the leading string arguments of a call whose "(" was consumed."""
    literals: list[str] = []
    pending = ""
    tokens = tokenize.generate_tokens(io.StringIO(rest).readline)
    try:
        for token in tokens:
            if token.type == tokenize.STRING:
                pending += ast.literal_eval(token.string)
            elif token.string == "," and pending:
                literals.append(pending)
                pending = ""
            elif token.type in (tokenize.NL, tokenize.NEWLINE):
                continue
            else:
                break
    except tokenize.TokenError:
        pass
    if pending:
        literals.append(pending)
    return literals


def template_messages() -> list[Message]:
    messages = []
    for app in APPS:
        for path in sorted((ROOT / app / "templates").rglob("*")):
            relative = path.relative_to(ROOT).as_posix()
            if not path.is_file() or relative.startswith(EDITOR_TEMPLATES):
                continue
            text = path.read_text(encoding="utf-8")
            if "{% load i18n" not in text and " i18n " not in text:
                continue
            messages += _calls(templatize(text, origin=str(path)), relative)
    return messages


def python_messages() -> list[Message]:
    messages = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            if "gettext" not in text:
                continue
            messages += _calls(text, path.relative_to(ROOT).as_posix())
    return messages


def catalog_entries(language: str) -> dict[tuple[str | None, str], Entry]:
    entries: dict[tuple[str | None, str], Entry] = {}
    for app in APPS:
        po = ROOT / app / "locale" / language / "LC_MESSAGES" / "django.po"
        for key, entry in parse_po(po.read_text(encoding="utf-8")).items():
            if key not in entries or _is_translated(entry):
                entries[key] = entry
    return entries


def _is_translated(entry: Entry) -> bool:
    texts = list(entry.msgstr.values())
    return bool(texts) and all(texts) and not entry.fuzzy


MESSAGES = template_messages() + python_messages()


def test_sources_mark_messages():
    sources = {message.source for message in MESSAGES}

    assert "statuscms/templates/statuscms/status_page.html" in sources
    assert "statuscms/templates/statuscms/includes/subscribe.html" in sources
    assert "statuscms/labels.py" in sources


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated(language):
    entries = catalog_entries(language)

    missing = sorted(
        f"{message.source}: {message.key}"
        for message in MESSAGES
        if message.key not in entries or not _is_translated(entries[message.key])
    )

    assert missing == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_plural_messages_have_plural_forms(language):
    entries = catalog_entries(language)

    wrong = sorted(
        message.msgid
        for message in MESSAGES
        if message.plural and len(entries[message.key].msgstr) < 2
    )

    assert wrong == []


@pytest.mark.parametrize("app", APPS)
@pytest.mark.parametrize("language", TRANSLATED)
def test_compiled_catalog_matches_po(app, language):
    folder = ROOT / app / "locale" / language / "LC_MESSAGES"
    entries = parse_po((folder / "django.po").read_text(encoding="utf-8"))
    with (folder / "django.mo").open("rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)

    stale = []
    for (context, msgid), entry in entries.items():
        if not _is_translated(entry):
            continue
        key = msgid if context is None else f"{context}\x04{msgid}"
        found = catalog._catalog.get((key, 0) if entry.plural else key)
        if found != entry.msgstr[0]:
            stale.append(msgid)

    assert stale == []


@pytest.mark.parametrize("app", APPS)
@pytest.mark.parametrize("language", TRANSLATED)
def test_po_has_no_fuzzy_entries(app, language):
    po = ROOT / app / "locale" / language / "LC_MESSAGES" / "django.po"

    fuzzy = [
        entry.msgid for entry in parse_po(po.read_text("utf-8")).values() if entry.fuzzy
    ]

    assert fuzzy == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_placeholders_survive_translation(language):
    entries = catalog_entries(language)
    placeholder = re.compile(r"%\(\w+\)[sd]")

    changed = []
    for message in MESSAGES:
        entry = entries.get(message.key)
        if entry is None or not _is_translated(entry):
            continue
        expected = sorted(set(placeholder.findall(message.msgid)))
        for text in entry.msgstr.values():
            if sorted(set(placeholder.findall(text))) != expected:
                changed.append(message.msgid)

    assert changed == []
