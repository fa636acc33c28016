"""Commands do what they say (issue 15, item 5): the focus for every export format, exit
codes per the README, the outbox in `registrations list`, members in `stats`, and no
deprecated Streamlit arguments."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import networkx as nx
import pytest

from graph.joining.form import new_submission
from graph.joining.outbox import Outbox
from kommunetz.cli import main
from tests.registration_helpers import CONTROLLER, make_form

REPO = Path(__file__).resolve().parents[1]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


READERS = {
    "graphml": nx.read_graphml,
    "gexf": nx.read_gexf,
    "json": lambda p: json.loads(Path(p).read_text(encoding="utf-8")),
}


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json"])
def test_export_focus_in_every_format(
    cli: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    whole, focused = cli / f"ganz.{fmt}", cli / f"dueren.{fmt}"
    assert run(capsys, "export", "--format", fmt, str(whole))[0] == 0
    assert run(capsys, "export", "--format", fmt, "--focus", "05358008", str(focused))[0] == 0
    deeper = cli / f"dueren2.{fmt}"
    assert (
        run(capsys, "export", "--format", fmt, "--focus", "05358008", "--depth", "2", str(deeper))[
            0
        ]
        == 0
    )

    def count(path: Path) -> int:
        data = READERS[fmt](path)
        return len(data["nodes"]) if isinstance(data, dict) else data.number_of_nodes()

    n_whole, n_focus, n_deeper = count(whole), count(focused), count(deeper)
    assert 1 < n_focus < n_deeper < n_whole
    text = focused.read_text(encoding="utf-8")
    assert "Municipality:05358008" in text


def test_export_focus_unknown_or_ambiguous_is_invalid_input(
    cli: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for fmt in ("graphml", "html"):
        code, _, err = run(capsys, "export", "--format", fmt, "--focus", "Atlantis", str(cli / "x"))
        assert code == 2 and err.startswith("Fehler: ") and "Atlantis" in err
        code, _, err = run(
            capsys, "export", "--format", fmt, "--focus", "Steinfurt", str(cli / "x")
        )
        assert code == 2 and "mehrdeutig" in err
    assert not (cli / "x").exists()


def test_exit_codes(
    cli: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(capsys, "query", "path", "Norderstedt", "Norderstedt")[0] == 2
    assert run(capsys, "query", "path", "05358008", "05358008")[0] == 2
    assert run(capsys, "query", "partners", "Steinfurt")[0] == 2  # ambiguous
    monkeypatch.setattr(sys, "stdin", io.StringIO("kurz\n"))
    code, _, err = run(capsys, "registrations", "hash-password")
    assert code == 2 and "mindestens 12 Zeichen" in err


def test_docs_agree_on_the_exit_code_of_an_ambiguous_name() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    queries = (REPO / "docs" / "queries.md").read_text(encoding="utf-8")
    assert "2 ungültige Eingabe (auch ein unbekannter oder mehrdeutiger" in readme
    assert re.search(r"ambiguous name ends\s+with exit code 2", queries)


def test_list_says_what_waits_in_the_outbox(cli: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Outbox(cli / "outbox").put(new_submission(make_form(), CONTROLLER))
    code, out, _ = run(capsys, "registrations", "list")
    assert code == 0
    assert "0 Registrierung(en)." in out
    assert "Dazu 1 im Postausgang" in out and "registrations deliver" in out


def test_stats_lists_members_per_network(cli: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "stats")
    assert code == 0
    assert "Mitglieder je Netzwerk:" in out
    assert re.search(r"Modellkommune E-Government: 18 Mitglieder", out), out


def test_no_deprecated_use_container_width() -> None:
    files = [
        REPO / "app.py",
        *REPO.glob("pages/*.py"),
        *REPO.glob("kommunetz/*.py"),
        *REPO.glob("graph/**/*.py"),
    ]
    assert [f.name for f in files if "use_container_width" in f.read_text(encoding="utf-8")] == []
