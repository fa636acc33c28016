"""The curated data in data/ and the curated-YAML loader's answers to bad input."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from graph.core.errors import ValidationFailed
from graph.core.records import Batch, check_batch
from loaders.curated import read_curated

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def curated() -> Batch:
    return read_curated(DATA)


def _rels(batch: Batch, rtype: str, end: str | None = None) -> list[tuple[str, str]]:
    return [
        (r.start.key, r.end.key)
        for r in batch.rels
        if r.type == rtype and (end is None or r.end.key == end)
    ]


def test_curated_data_is_complete_and_sourced(curated: Batch) -> None:
    assert check_batch(curated) == []
    labels = Counter(n.label for n in curated.nodes)
    members = {s for s, _ in _rels(curated, "MEMBER_OF", "net-modellkommune")}
    assert members == {
        "05358008",
        "05754008",
        "07135",
        "15002000",
        "01060063",
        "03358",
        "08317",
        "mk-ibbenbueren-bg",
    }
    partners = {
        s: r.props.get("role")
        for r in curated.rels
        if r.type == "PARTNER_OF" and r.end.key == "net-modellkommune"
        for s in [r.start.key]
    }
    assert {"org-bmi", "org-dst", "org-dlt", "org-dstgb"} <= set(partners)
    bg = {s for s, _ in _rels(curated, "MEMBER_OF", "mk-ibbenbueren-bg")}
    assert len(bg - {"org-kaaw"}) == 9 and "org-kaaw" in bg
    pilot_projects = [
        n for n in curated.nodes if n.label == "Project" and n.props.get("phase") == "Pilotvorhaben"
    ]
    assert len(pilot_projects) == 34
    assert labels["Workshop"] == 13
    inferred = [n for n in curated.nodes if n.label == "Workshop" and n.props.get("inferred")]
    assert len(inferred) == 6
    # a placeholder has a host, but nobody is claimed to have attended it
    assert not {e for _, e in _rels(curated, "ATTENDED")} & {n.key for n in inferred}
    assert labels["Finding"] == 17
    assert labels["Source"] >= 118
    # every project has at least one topic; findings on acceptance and cooperation exist
    with_topic = {s for s, _ in _rels(curated, "ABOUT")}
    assert {n.key for n in pilot_projects} <= with_topic
    kinds = Counter(n.props["kind"] for n in curated.nodes if n.label == "Finding")
    assert kinds["Hindernis"] >= 3 and kinds["Erfolgsfaktor"] >= 3


def test_unknown_is_left_unknown(curated: Batch) -> None:
    by_key = {n.key: n.props for n in curated.nodes}
    # the dossier knows no date for the Düren workshop day, nor a status for Halle's E-Akte
    assert by_key["ws-dueren-2014"]["date"] == "2014-09"
    assert by_key["p-halle-eakte"].get("status", "unbekannt") == "unbekannt"
    assert all("egovg_sections" not in n.props for n in curated.nodes if n.label == "Project")


def test_no_personal_names_in_data(reference_research: Path) -> None:
    dossier = yaml.safe_load(reference_research.read_text(encoding="utf-8"))
    names: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key in ("people", "panel_people", "signatories", "pictured_representatives"):
                for person in node.get(key) or []:
                    name = person["name"] if isinstance(person, dict) else person.split(" (")[0]
                    names.add(name)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(dossier)
    assert len(names) > 30
    text = "\n".join(
        line
        for f in sorted(DATA.glob("*.yaml"))
        for line in f.read_text().splitlines()
        if "url:" not in line  # some source addresses contain a name; the text never does
    )
    found = sorted(n for n in names if n in text)
    assert found == []


# -- bad input -------------------------------------------------------------------------

SOURCE = "sources:\n- id: s1\n  url: https://example.org\n  title: Beispiel\n"


def _write(tmp_path: Path, text: str, name: str = "x.yaml", encoding: str = "utf-8") -> Path:
    f = tmp_path / name
    f.write_bytes(text.encode(encoding))
    return f


def _problems(path: Path) -> str:
    with pytest.raises(ValidationFailed) as info:
        read_curated(path)
    return str(info.value)


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    f = _write(tmp_path, SOURCE + "topics:\n- id: t1\n  name: [unclosed\n  facet: Baustein\n")
    msg = _problems(f)
    assert "x.yaml, Zeile" in msg and "YAML-Syntaxfehler" in msg


def test_wrong_encoding(tmp_path: Path) -> None:
    text = SOURCE + "topics:\n- id: t1\n  name: Bürgerportal\n  facet: Baustein\n  sources: [s1]\n"
    msg = _problems(_write(tmp_path, text, encoding="latin-1"))
    assert "x.yaml, Zeile 7" in msg and "nicht UTF-8" in msg


def test_fact_without_source(tmp_path: Path) -> None:
    f = _write(tmp_path, SOURCE + "topics:\n- id: t1\n  name: E-Akte\n  facet: Baustein\n")
    msg = _problems(f)
    assert "x.yaml, Zeile 6, Feld „sources“: Pflichtangabe fehlt" in msg


def test_invalid_ags_and_unknown_field(tmp_path: Path) -> None:
    text = SOURCE + (
        "municipalities:\n"
        "- ags: '0535800X'\n"
        "  name: Düren\n"
        "  kind: Stadt\n"
        "  einwohner: 5\n"
        "  sources: [s1]\n"
    )
    msg = _problems(_write(tmp_path, text))
    assert "x.yaml, Zeile 6, Feld „ags“: hat nicht das erwartete Format" in msg
    assert "x.yaml, Zeile 9, Feld „einwohner“: unbekanntes Feld" in msg


def test_unquoted_code_is_explained(tmp_path: Path) -> None:
    text = SOURCE + "states:\n- code: 5\n  name: NRW\n  abbr: NW\n  sources: [s1]\n"
    msg = _problems(_write(tmp_path, text))
    assert "Zeile 6, Feld „code“" in msg and "Anführungszeichen" in msg


def test_duplicate_id_across_files(tmp_path: Path) -> None:
    _write(tmp_path, SOURCE, "a.yaml")
    _write(tmp_path, "topics:\n- id: s1\n  name: X\n  facet: Baustein\n  sources: [s1]\n", "b.yaml")
    msg = _problems(tmp_path)
    assert "b.yaml, Zeile 2" in msg and "„s1“ ist schon vergeben" in msg and "a.yaml:2" in msg


def test_duplicate_key_in_entry(tmp_path: Path) -> None:
    f = _write(tmp_path, SOURCE + "topics:\n- id: t1\n  id: t2\n  name: X\n  facet: Baustein\n")
    msg = _problems(f)
    assert "x.yaml, Zeile 7" in msg and "doppelt" in msg


def test_wrong_choice_lists_allowed_values(tmp_path: Path) -> None:
    text = SOURCE + "topics:\n- id: t1\n  name: X\n  facet: Sonstiges\n  sources: [s1]\n"
    msg = _problems(_write(tmp_path, text))
    assert "Zeile 8, Feld „facet“: erlaubt sind: Baustein, OZG-Themenfeld" in msg


def test_relationship_inherits_entry_sources(tmp_path: Path) -> None:
    text = SOURCE + (
        "organisations:\n- id: o1\n  name: O\n  kind: Verein\n  sources: [s1]\n"
        "projects:\n- id: p1\n  title: P\n  run_by: [o1, {ref: o2, sources: [s2]}]\n"
        "  sources: [s1]\n"
    )
    batch = read_curated(_write(tmp_path, text))
    runs = {r.start.key: r.props["sources"] for r in batch.rels if r.type == "RUNS"}
    assert runs == {"o1": ["s1"], "o2": ["s2"]}
    # o2 is unknown here: left for the store to resolve (or refuse, with file and line)
    unresolved = [r for r in batch.rels if r.start.label is None]
    assert [r.where for r in unresolved] == [f"{tmp_path / 'x.yaml'}:13"]
