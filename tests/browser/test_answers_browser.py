"""Issue 8 as a person meets it, in real headless Chromium on the app started by
`streamlit run`: every source link in every answer opens the stored address; the search
finds what people type ("LK Harburg", "Halle/Saale", an AGS without its leading zero, a
typo); no English in what is seen or read aloud; axe-core finds nothing serious or
critical on any page (counts printed in the CI log); the keyboard sees where it is."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from graph.stores.sqlite.store import EmbeddedStore
from kommunetz.ui import GERMAN_WORDS
from loaders.curated import read_curated
from loaders.destatis import read_directory
from tests.browser.conftest import REPO, Requests, built, running_app, widget_text

pytestmark = pytest.mark.browser

TIMEOUT = 60_000  # ms
AXE = REPO / "tests" / "browser" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
PAGES = ["", "netzwerk", "abfragen", "mitmachen", "verwaltung", "quellen", "daten"]
#: BITV 2.0 is WCAG 2.1 AA
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
#: Streamlit's sectioned page navigation puts <div>s between its <ul> and <li>s; its
#: markup cannot be changed from the app, so these are counted apart (and must stay
#: inside the navigation).
STREAMLIT_INTERNAL = {"list", "listitem"}


def stored_sources() -> dict[str, str]:
    """Title → URL of every curated source, as stored."""
    batch = read_curated(REPO / "data")
    return {
        str(n.props.get("title")): str(n.props["url"])
        for n in batch.nodes
        if n.label == "Source" and n.props.get("url")
    }


def open_page(tab: Any, url: str, heading: str) -> None:
    tab.goto(url)
    tab.get_by_role("heading", name=heading, exact=True).first.wait_for(timeout=TIMEOUT)
    built(tab)  # typing into a page that is still running can be lost


def links(tab: Any) -> list[tuple[str, str]]:
    """(text, href attribute) of every link in the page's main area."""
    found: list[list[str]] = tab.eval_on_selector_all(
        "[data-testid='stMain'] a[href]",
        "els => els.map(e => [e.textContent.trim(), e.getAttribute('href')])",
    )
    return [(text, href) for text, href in found if not href.startswith("#")]


def source_links(tab: Any, stored: dict[str, str]) -> list[tuple[str, str]]:
    """The links whose text is a stored source's title, once the answer's table shows
    them (it is drawn after the answer's first line, later on a busy machine)."""
    deadline = time.monotonic() + TIMEOUT / 1000
    while True:
        found = [(t, h) for t, h in links(tab) if t in stored]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def ask(
    tab: Any, tab_name: str, fields: dict[str, str], button_key: str, done: str | re.Pattern[str]
) -> None:
    """Open an Abfragen tab, fill its form, send it and wait for ``done``."""
    tab.get_by_role("tab", name=tab_name, exact=True).click()
    panel = tab.locator("[role='tabpanel']:visible")  # labels repeat across tabs
    for label, value in fields.items():
        panel.get_by_label(label, exact=True).fill(value)
    tab.locator(f".st-key-{button_key} button").click()
    tab.get_by_text(done).first.wait_for(timeout=TIMEOUT)
    tab.wait_for_timeout(500)


QUESTIONS: list[tuple[str, dict[str, str], str, str | re.Pattern[str]]] = [
    ("Thema", {}, "go-topic", "arbeiten daran"),
    ("Partner", {"Kommune oder Organisation (Name oder AGS)": "Norderstedt"}, "go-partners",
     "Partner von Norderstedt"),
    ("Verbindung", {"Von (Name oder AGS)": "Norderstedt", "Nach (Name oder AGS)": "Ortenaukreis"},
     "go-path", "sind über 2 Schritte verbunden"),
    ("Gemeinsame Themen", {"Erste Kommune oder Organisation": "Norderstedt",
     "Zweite Kommune oder Organisation": "Ortenaukreis"}, "go-shared", "gemeinsamen Themen"),
    ("Veranstaltungen", {}, "go-workshops", re.compile(r"^Veranstaltungen ?: \d+")),
]  # fmt: skip


def test_every_source_href_equals_the_stored_url(
    page: tuple[Any, Requests], app_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    tab, _ = page
    stored = stored_sources()
    checked = 0
    open_page(tab, f"{app_url}/abfragen", "Abfragen")
    for name, fields, key, done in QUESTIONS:
        ask(tab, name, fields, key, done)
        found = source_links(tab, stored)
        assert found, f"{name}: no source links"
        for text, href in found:
            assert href == stored[text], (name, text, href)
        checked += len(found)
    open_page(tab, f"{app_url}/quellen", "Datenquellen und Lizenzen")
    # the list of sources may still be arriving on a busy machine: wait for it, not a time
    deadline = time.monotonic() + TIMEOUT / 1000
    found = [(t, h) for t, h in links(tab) if t in stored]
    while {t for t, _ in found} != set(stored) and time.monotonic() < deadline:
        tab.wait_for_timeout(250)
        found = [(t, h) for t, h in links(tab) if t in stored]
    assert {t for t, _ in found} == set(stored)  # every source, each a working link
    assert all(href == stored[text] for text, href in found)
    checked += len(found)
    # and nowhere an address that Markdown escaping broke (https://www%5C.kaaw%5C.de)
    for text, href in links(tab):
        assert "%5C" not in href and "\\" not in href and "\\" not in text, (text, href)
    with capsys.disabled():
        print(f"\nSource links checked against the stored URL: {checked}")


@pytest.fixture(scope="module")
def directory_app(tmp_path_factory: pytest.TempPathFactory, reference_dir: Path) -> Iterator[str]:
    """The app on the curated data plus the whole Destatis directory."""
    db = tmp_path_factory.mktemp("dir") / "kommunetz.sqlite"
    store = EmbeddedStore(db)
    store.write(read_curated(REPO / "data"))
    store.write(read_directory(reference_dir / "AuszugGV4QAktuell_2024.xlsx"))
    store.close()
    extra = {"KOMMUNETZ_PRIVACY_CONTROLLER": "Stadt Musterdorf, Markt 1, 12345 Musterdorf"}
    with running_app(db, tmp_path_factory.mktemp("dir-log"), extra) as url:
        yield url


HARBURG = "Harburg (Landkreis, Niedersachsen, AGS 03353)"


@pytest.mark.reference_data
@pytest.mark.parametrize("typed", ["03353", "3353", "LK Harburg", "Landkreis Harburg"])
def test_mitmachen_search_variants_preselect_the_single_hit(
    page: tuple[Any, Requests], directory_app: str, typed: str
) -> None:
    tab, _ = page
    open_page(tab, f"{directory_app}/mitmachen", "Mitmachen im offenen Netzwerk")
    tab.get_by_label("Kommune suchen (Name oder AGS) *").fill(typed)
    tab.get_by_label("Kommune suchen (Name oder AGS) *").press("Enter")
    # the select box shows its choice in its input field
    chosen = tab.locator(".st-key-mm_choice input")
    expect(chosen).to_have_value(HARBURG, timeout=TIMEOUT)
    assert "Bitte wählen" not in widget_text(tab.locator(".st-key-mm_choice"))


@pytest.mark.reference_data
@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        ("Kreis Harburg", "Partnervorschläge für Harburg"),
        ("Stadt Düren", "Partnervorschläge für Düren"),
        ("Halle/Saale", "Partnervorschläge für Halle (Saale)"),
        ("Muenster", "mehrdeutig"),  # the city and the Gemeinde in Bayern: both offered
        ("Norderstet", "Partnervorschläge für Norderstedt"),  # one typo
        ("1060063", "Partnervorschläge für Norderstedt"),  # AGS without its leading zero
    ],
)
def test_question_forms_understand_search_variants(
    page: tuple[Any, Requests], directory_app: str, typed: str, answer: str
) -> None:
    tab, _ = page
    open_page(tab, f"{directory_app}/abfragen", "Abfragen")
    ask(tab, "Partnervorschläge", {"Kommune oder Organisation (Name oder AGS)": typed},
        "go-recommend", answer)  # fmt: skip
    if answer == "mehrdeutig":
        shown = tab.locator("[data-testid='stAlertContentError']").inner_text()
        assert "AGS 05515000" in shown and "AGS 09779187" in shown


@pytest.mark.reference_data
def test_explorer_search_understands_a_kind_word(
    page: tuple[Any, Requests], directory_app: str
) -> None:
    tab, _ = page
    open_page(tab, f"{directory_app}/netzwerk", "Netzwerk erkunden")
    tab.get_by_label("Suche nach Name oder AGS").fill("LK Harburg")
    tab.get_by_role("button", name="Suchen").click()
    tab.get_by_role("heading", name=re.compile(r"Umgebung von Harburg")).wait_for(timeout=TIMEOUT)


#: Streamlit's English, as text or accessible name (GERMAN_WORDS and their patterns).
ENGLISH_PHRASES = re.compile(
    r"Select all|Select \d+ matches|Choose an? option|Choose options|Press (Enter|⌘|Ctrl)"
    r"|Clear all|Collapse sidebar|Expand sidebar|Download as|Show/hide|Fullscreen"
    r"|Link to heading|Skip to main|Help for|No results|options? available|Increment"
    r"|Decrement|Show password|Hide password|Copy to clipboard|Main menu|^Sidebar$|^Remove "
)
#: Accessible names that are English only when they are the whole name ("Open Data" is a
#: topic, "Open" a button).
ENGLISH_NAMES = {w for w in GERMAN_WORDS if " " not in w} | {"Remove", "Select"}

SCAN = r"""() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    const s = walker.currentNode.textContent.trim();
    if (!el || !s || el.closest('script,style')) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    out.push(['text', s]);
  }
  const attrs = ['aria-label', 'title', 'placeholder', 'alt', 'aria-placeholder'];
  for (const el of document.querySelectorAll('*')) {
    for (const a of attrs) { const v = el.getAttribute(a); if (v) out.push([a, v.trim()]); }
  }
  return out;
}"""


def english(tab: Any) -> list[tuple[str, str]]:
    found: list[list[str]] = tab.evaluate(SCAN)
    return [
        (kind, s)
        for kind, s in found
        if ENGLISH_PHRASES.search(s) or (kind != "text" and s in ENGLISH_NAMES)
    ]


def test_no_english_in_visible_text_or_accessible_names(
    page: tuple[Any, Requests], app_url: str
) -> None:
    tab, _ = page
    seen: dict[str, list[tuple[str, str]]] = {}
    for path in PAGES:
        tab.goto(f"{app_url}/{path}")
        built(tab)  # all of the page, charts too (a chart's toolbar is Streamlit's English)
        tab.wait_for_timeout(1000)
        # what appears only on the way: a table's toolbar, a form field's hint, a list
        grids = tab.locator("[data-testid='stDataFrame']:visible").all()[:2]
        charts = tab.locator("[data-testid='stVegaLiteChart']:visible").all()[:2]
        for grid in grids + charts:
            grid.hover()
            tab.wait_for_timeout(300)
            seen.setdefault(path, []).extend(english(tab))
        field = tab.locator("[data-testid='stForm'] input[type='text']:visible").first
        if field.count():
            field.fill("x")
            tab.wait_for_timeout(300)
            seen.setdefault(path, []).extend(english(tab))
        for box in tab.locator("[data-testid='stMain'] [role='combobox']:visible").all()[:2]:
            box.click()
            tab.wait_for_timeout(400)
            seen.setdefault(path, []).extend(english(tab))
            tab.keyboard.press("Escape")
        seen.setdefault(path, []).extend(english(tab))
    found = {path: sorted(set(hits)) for path, hits in seen.items() if hits}
    assert found == {}, found


def axe_counts(tab: Any) -> tuple[dict[str, int], dict[str, int], list[str]]:
    """Serious and critical axe-core violations of the page: (own by rule, Streamlit's
    navigation by rule, details of the own ones)."""
    tab.add_script_tag(path=str(AXE))
    violations: list[dict[str, Any]] = tab.evaluate(
        """async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))
             .violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
             .map(v => ({id: v.id, nodes: v.nodes.map(n => ({
                 target: n.target.join(' '),
                 inNav: !!document.querySelector(n.target.join(' '))
                         ?.closest('[data-testid=stSidebarNav]'),
                 why: n.failureSummary}))}))""",
        AXE_TAGS,
    )
    own: dict[str, int] = {}
    internal: dict[str, int] = {}
    details = []
    for v in violations:
        for n in v["nodes"]:
            if v["id"] in STREAMLIT_INTERNAL and n["inNav"]:
                internal[v["id"]] = internal.get(v["id"], 0) + 1
            else:
                own[v["id"]] = own.get(v["id"], 0) + 1
                details.append(f"{v['id']}: {n['target']} – {n['why']}")
    return own, internal, details


def test_axe_core_finds_nothing_serious_on_any_page(
    page: tuple[Any, Requests], app_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if not AXE.is_file():
        pytest.skip(f"{AXE} fehlt (`make axe` installiert axe-core aus der npm-Registry)")
    tab, requests = page
    report, problems = [], []
    shots: list[tuple[str, Any]] = [(p or "start", None) for p in PAGES]
    shots.append(("abfragen mit Antwort", "answer"))
    for name, how in shots:
        path = "abfragen" if how else ("" if name == "start" else name)
        tab.goto(f"{app_url}/{path}")
        tab.locator("h1").first.wait_for(timeout=TIMEOUT)
        if how:
            ask(tab, *QUESTIONS[2])
        tab.wait_for_timeout(2000)
        own, internal, details = axe_counts(tab)
        report.append(
            f"  /{path:<11} {name:<22} serious/critical: {sum(own.values())} "
            f"(Streamlit-Navigation, nicht änderbar: {sum(internal.values())} "
            f"{', '.join(f'{k}={v}' for k, v in sorted(internal.items()))})"
        )
        problems += [f"/{path}: {d}" for d in details]
    with capsys.disabled():
        print("\naxe-core " + "(WCAG 2.1 A/AA, BITV 2.0) per page:\n" + "\n".join(report))
    assert problems == [], "\n".join(problems)
    assert requests.non_local == []


def test_keyboard_sees_where_it_is(page: tuple[Any, Requests], app_url: str) -> None:
    """The first Tab shows the skip link above everything; sidebar links get a clear
    focus ring; the public sees no Cypher-Konsole tab without Neo4j."""
    tab, _ = page
    open_page(tab, f"{app_url}/abfragen", "Abfragen")
    tab.keyboard.press("Tab")
    first = tab.evaluate(
        """() => { const a = document.activeElement; const r = a.getBoundingClientRect();
          const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
          return {text: a.textContent, visible: r.left >= 0 && r.top >= 0 && r.width > 0,
                  onTop: top === a || a.contains(top)}; }"""
    )
    assert first == {"text": "Zum Inhalt springen", "visible": True, "onTop": True}
    for _ in range(6):
        tab.keyboard.press("Tab")
        focused = tab.evaluate(
            """() => { const a = document.activeElement; const cs = getComputedStyle(a);
              // the app's own navigation: page links in the sidebar
              return {nav: a.tagName === 'A' && !!a.closest('[data-testid=stSidebar]'),
                      text: a.textContent,
                      outline: cs.outlineStyle === 'solid' ? parseFloat(cs.outlineWidth) : 0}; }"""
        )
        if focused["nav"]:
            assert focused["outline"] >= 2, focused
            break
    else:
        pytest.fail("Tab never reached the navigation")
    assert tab.get_by_role("tab", name="Cypher-Konsole").count() == 0
    assert tab.get_by_role("tab", name="Kennzahlen").count() == 1
