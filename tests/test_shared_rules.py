"""The rules the issue "one idea, one place" put in one place each, checked where they
live: the CSV writer, the German wording of dates and numbers, the Markdown escaper, the
naming of nodes, and the key formats every loader takes from the model."""

from __future__ import annotations

import ast
import csv
import io
from pathlib import Path

from graph.core.model import AGS_KEY, AGS_SHAPE, ID_KEY, NODE_TYPES, PARTIAL_DATE
from graph.core.nodes import display_name, state_of
from graph.present.csv import to_csv
from graph.present.text import format_date, format_day, format_int, format_period
from kommunetz.safe_text import md

REPO = Path(__file__).resolve().parents[1]


def test_the_one_csv_writer() -> None:
    data = to_csv(
        [
            {"Name": "=1+1", "Zahl": -3, "Text": "+49 30", "Mehr": "@a"},
            {"Name": "\tTab", "Zahl": 2.5, "Text": "-x", "Ohne": None, "Zeile": "a\nb"},
        ]
    )
    text = data.decode("utf-8")
    assert text.startswith("\ufeffName;Zahl;Text;Mehr;Ohne;Zeile\r\n")
    assert text.count("\r\n") == 3, "every row ends in CRLF (a line break in a cell does not)"
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=";"))
    assert rows[1] == ["'=1+1", "-3", "'+49 30", "'@a", "", ""]  # numbers stay numbers
    assert rows[2] == ["'\tTab", "2.5", "'-x", "", "", "a\nb"]
    assert to_csv([], ["A", "B"]).decode("utf-8") == "\ufeffA;B\r\n", "a header without rows"
    assert to_csv([]) == "\ufeff".encode()


def test_the_one_german_date_and_number_wording() -> None:
    assert format_date("2014-08") == "August 2014"
    assert format_date("2013-12-12") == "12.12.2013"
    assert format_date("2014") == "2014"
    assert format_period("2014", "2016") == "2014 – 2016"
    assert format_period("2015-11-18", "2015-11-18") == "18.11.2015"
    assert format_period("2017", None) == "seit 2017"
    assert format_day("2025-06-20T22:30:00+00:00") == "21.06.2025", "German local time"
    assert format_int(10752) == "10.752"


def test_the_one_today() -> None:
    """ "Today" is the day in Berlin (`graph.core.validity.today`) everywhere: pages that
    asked the server's UTC clock wrote "Stand 2026-12-08" where the Stand was today, and
    named downloads after yesterday, between midnight and 01:00/02:00 in Berlin."""
    dirs = ("graph", "kommunetz", "pages", "loaders", "scripts")
    sources = [REPO / "app.py", *(f for d in dirs for f in (REPO / d).rglob("*.py"))]
    for source in sources:
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                call = node.func
                named = isinstance(call.value, ast.Name) and call.value.id in ("date", "datetime")
                assert not (named and call.attr == "today"), (
                    f"{source.relative_to(REPO)}:{node.lineno} asks the server's clock for "
                    "today; use graph.core.validity.today"
                )


def test_the_one_markdown_escaper() -> None:
    typed = "$x$ :red[rot] **fett** <script> [a](javascript:x) # _"
    escaped = md(typed)
    assert "\\$x\\$" in escaped and "\\:red\\[rot\\]" in escaped
    assert "\\*\\*fett\\*\\*" in escaped and "\\<script\\>" in escaped
    assert "\\[a\\]\\(javascript\\:x\\)" in escaped
    pages = [p for p in (REPO / "pages").glob("*.py")] + [REPO / "app.py"]
    for page in pages:
        defined = {
            n.name for n in ast.walk(ast.parse(page.read_text())) if isinstance(n, ast.FunctionDef)
        }
        assert "md" not in defined, f"{page.name} escapes Markdown its own way"


def test_the_one_naming_rule() -> None:
    assert display_name("Project", "p-1", {"title": "E-Akte"}) == "E-Akte"
    assert display_name("Topic", "t-1", {"name": "", "title": "Titel"}) == "Titel"
    assert display_name("Topic", "t-1", {}) == "t-1"
    assert state_of("Municipality", "05358008", {}) == "05"
    assert state_of("Organisation", "org-x", {"state_code": "07"}) == "07"
    assert state_of("Organisation", "org-x", {"state_code": "99"}) is None
    assert state_of("State", "09", {}) == "09"


def test_key_formats_come_from_the_model_only() -> None:
    assert NODE_TYPES["Municipality"].key_pattern is AGS_KEY
    assert AGS_SHAPE.match("99999") and not AGS_KEY.match("99999")
    assert ID_KEY.match("t-e-akte") and PARTIAL_DATE.fullmatch("2014-09")
    patterns = ("\\d{5}", "[a-z0-9][a-z0-9._-]", "\\d{4}(-", "(0[1-9]|1[0-6])")
    for loader in (REPO / "loaders").glob("*.py"):
        text = loader.read_text(encoding="utf-8")
        for pattern in patterns:
            assert pattern not in text, f"{loader.name} spells a key format itself: {pattern}"


def test_app_py_reaches_graph_only_through_kommunetz_ui() -> None:
    """app.py is a script, not a package, so import-linter cannot take it as a root; its
    imports are checked here: Streamlit and the app helper, nothing of graph/."""
    tree = ast.parse((REPO / "app.py").read_text())
    imported = {
        n.module if isinstance(n, ast.ImportFrom) else a.name
        for n in ast.walk(tree)
        if isinstance(n, ast.Import | ast.ImportFrom)
        for a in n.names
    }
    assert imported == {"__future__", "streamlit", "kommunetz.ui"}
