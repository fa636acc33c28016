"""The one rule for text that people and files hand to kommunetz: NFC-normalised, and no
invisible or direction-changing characters.

Refused are the Unicode categories Cc (control: NUL, ESC, U+0085 NEXT LINE, …), Cf
(format: U+202E RIGHT-TO-LEFT OVERRIDE and the other bidi controls, U+200B ZERO WIDTH
SPACE, U+FEFF, U+00AD SOFT HYPHEN, …), Zl and Zp (U+2028/U+2029 line and paragraph
separators) and Cs (lone surrogates, which no file can hold). They hide or reorder text:
``"Max\\u202efdp.exe"`` reads "Maxexe.pdf" in the coordinator's list and in a CSV.

Allowed where a language needs them: U+200C ZERO WIDTH NON-JOINER and U+200D ZERO WIDTH
JOINER, which Persian, Hindi and other scripts use inside ordinary words and names (and
emoji sequences use too); they do not reorder or hide text. Multi-line texts (free texts
of the form, descriptions in the data) may also contain line breaks (``\\n``) and tabs.

The form (`graph.joining.form`), every loader (through `loaders.fields`) and the write
path (`graph.core.records.check_batch`, the last line of defence) apply this module.
"""

from __future__ import annotations

import unicodedata
from typing import Final

#: Categories refused in every text.
REFUSED_CATEGORIES: Final[frozenset[str]] = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
#: Format characters that scripts need inside words (see the module's docstring).
LANGUAGE_JOINERS: Final[frozenset[str]] = frozenset({"\u200c", "\u200d"})
#: What a multi-line text may contain on top.
MULTILINE_EXTRA: Final[frozenset[str]] = frozenset({"\n", "\t"})
_LINE_BREAKS: Final[frozenset[str]] = frozenset(
    {"\n", "\r", "\x0b", "\x0c", "\x85", "\u2028", "\u2029"}
)


#: Properties of graph records that hold free, multi-line text; every other text property
#: (names, titles, kinds, dates, …) is one line.
MULTILINE_PROPS: Final[frozenset[str]] = frozenset(
    {"summary", "statement", "note", "goals", "description", "offer", "seek", "projects", "reason"}
)


def is_multiline_prop(prop: str) -> bool:
    """Whether the graph property ``prop`` may hold several lines."""
    return prop in MULTILINE_PROPS or prop.endswith("_note")


class TextRefused(ValueError):
    """A text breaks the rule; the message is German and names the character."""


def _describe(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" {name}" if name else "")


def hidden_character(value: str, *, multiline: bool = False) -> str | None:
    """The first character of ``value`` that the rule refuses, or None."""
    if value.isprintable():  # fast path: no Cc/Cf/Zl/Zp/Cs at all (nor Zs other than space)
        return None
    allowed = LANGUAGE_JOINERS | MULTILINE_EXTRA if multiline else LANGUAGE_JOINERS
    for ch in value:
        if ch not in allowed and unicodedata.category(ch) in REFUSED_CATEGORIES:
            return ch
    return None


def problem_of(value: str, *, multiline: bool = False) -> str | None:
    """Why ``value`` is refused (German, for a message after the field's name), or None."""
    ch = hidden_character(value, multiline=multiline)
    if ch is None:
        return None
    if ch in _LINE_BREAKS or ch == "\t":
        return f"darf nur eine Zeile umfassen (enthält {_describe(ch)})"
    return f"enthält unzulässige Steuerzeichen oder unsichtbare Zeichen ({_describe(ch)})"


def clean_text(value: str, *, multiline: bool = False) -> str:
    """``value`` NFC-normalised, with CRLF as LF and stripped; raises `TextRefused` with a
    German message when it holds a refused character."""
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n")).strip()
    problem = problem_of(text, multiline=multiline)
    if problem is not None:
        raise TextRefused(problem)
    return text
