"""Text that people typed, made safe for Streamlit's Markdown.

`st.markdown`, `st.table` cells, expander and widget labels all render Markdown; typed text
must show as typed — ``<script>`` as those characters, ``**`` as stars, ``$x$`` without
formula, ``[a](javascript:…)`` without link. Every page renders user text through `md`.
"""

from __future__ import annotations

import re

# Every ASCII punctuation character may be backslash-escaped in CommonMark; escaping all of
# them (not a hand-picked few) also covers Streamlit's extras ($…$ formulas, :red[…]).
_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")
#: A web address in running text; what ends a sentence after it is not part of it.
_URL = re.compile(r"https?://[^\s<>\"'`\\$]+?(?=[.,;:!?)\]]*(?:\s|$))", re.IGNORECASE)


def _escape(text: str) -> str:
    return _PUNCT.sub(r"\\\1", text)


def md(text: object) -> str:
    """``text`` as Markdown that renders to exactly ``text``; line breaks kept. A web
    address in it (http or https) renders as itself and links there: escaped like the
    rest, Markdown would turn it into a link to ``www%5C.…`` that opens nothing."""
    raw = str(text)
    parts, start = [], 0
    for m in _URL.finditer(raw):
        parts += [_escape(raw[start : m.start()]), f"<{m.group(0)}>"]
        start = m.end()
    escaped = "".join(parts) + _escape(raw[start:])
    return escaped.replace("\r\n", "\n").replace("\n", "  \n")


def md_link(title: object, url: str) -> str:
    """A Markdown link with an escaped title; ``url`` must be checked http(s) already
    (`graph.present.details.safe_url`). The address goes in angle brackets, where spaces
    and parentheses cannot end it early, so the link opens exactly the stored address;
    only ``<``, ``>`` and line breaks (which would end it) are percent-encoded."""
    target = url.replace("<", "%3C").replace(">", "%3E").replace("\n", "").replace("\r", "")
    return f"[{md(title)}](<{target}>)"


def source_md(title: object, url: str | None, note: object = "") -> str:
    """The one way a source is shown, on every page and in every answer: its title,
    linked to its address (checked http(s), `graph.present.details.safe_url`) when it has
    one, then the note (publisher, date) after a dash."""
    shown = md_link(title, url) if url else md(title)
    return shown + (f" – {md(note)}" if note else "")
