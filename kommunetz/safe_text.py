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


def md(text: object) -> str:
    """``text`` as Markdown that renders to exactly ``text``; line breaks kept."""
    escaped = _PUNCT.sub(r"\\\1", str(text))
    return escaped.replace("\r\n", "\n").replace("\n", "  \n")


def md_link(title: object, url: str) -> str:
    """A Markdown link with an escaped title; ``url`` must be checked http(s) already
    (`graph.present.details.safe_url`). Parentheses and spaces are percent-encoded so that the
    address cannot end the link early."""
    target = url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    return f"[{md(title)}]({target})"
