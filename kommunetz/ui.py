"""What every page of the app shares: the store (one per server process, cached as a
resource), the loaded graph with its index and layout (cached per data version), settings
read from the environment or Streamlit secrets. Pages call `graph/` through these (and
escape what they show with `kommunetz.safe_text.md`); they never talk to a database
themselves.

Importing this module is cheap (Streamlit and the settings only): app.py draws the
navigation before anything heavy is imported, and the graph libraries are loaded by the
page that needs them — or by `warm_up`, in the background, while the first page of a
fresh server is being drawn."""

from __future__ import annotations

import json
import os
import secrets
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from graph.core.errors import InvalidInput, QueryError, StoreUnavailable
from graph.core.store import GraphStore
from graph.core.validity import TODAY, as_of, resolve_stand, today
from graph.joining.limits import CLIENT_LIMIT, CONTACT_LIMIT, Limit, SubmissionLimits
from graph.joining.notify import Mailer
from graph.joining.proposals import ProposalOutbox, Proposals, deliver_proposals
from graph.joining.service import purge_unconfirmed
from graph.joining.workflow import registration_store
from graph.present.text import format_date
from graph.stores.open import StoreSettings, open_store
from kommunetz.auth import IDLE_TIMEOUT
from kommunetz.mail_settings import MailLimits, mailer_from, proposal_outbox_at
from kommunetz.safe_text import md

if TYPE_CHECKING:
    import networkx as nx

    from graph.joining.outbox import Outbox
    from graph.present import explore, layout

SETTING_NAMES = ("NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE", "KOMMUNETZ_DB")


def secret(name: str) -> str | None:
    """A setting from the environment, else from ``.streamlit/secrets.toml``."""
    leave_legacy_page_mode()  # every page asks for a setting or the store first
    value = os.environ.get(name)
    if value:
        return value
    try:
        found = st.secrets.get(name)
    except Exception:  # no secrets file at all: Streamlit raises, we just have no secret
        return None
    return str(found) if found else None


def settings() -> StoreSettings:
    return StoreSettings.from_mapping(
        {name: value for name in SETTING_NAMES if (value := secret(name))}
    )


@st.cache_resource(show_spinner=False)
def _store(current: StoreSettings) -> GraphStore:
    return open_store(current)


def leave_legacy_page_mode() -> None:
    """Make sure pages run inside app.py's navigation.

    Streamlit runs the first scripts of a fresh server in its old multipage mode when the
    app folder has a ``pages/`` directory: a visitor who lands on ``/netzwerk`` gets
    ``pages/netzwerk.py`` alone — without app.py's navigation, German page language and
    footer. This ends that mode for the process and runs such a page again, now inside
    app.py. Whether a page runs alone is read off the run itself (is app.py on the call
    stack?), not off a flag: several visitors arriving together at a fresh server start
    their runs before the first one has switched the mode, and each of them must rerun.
    (The mode flag is Streamlit-internal; should it disappear, nothing happens.)
    """
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None or not hasattr(PagesManager, "uses_pages_directory"):
        return  # not in a script run (the CLI, a test calling a helper)
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False  # every later run is app.py's
    if not _inside_main_script(ctx.main_script_path):
        st.rerun()


def _inside_main_script(main_script: str) -> bool:
    """Whether the main script (app.py) is running this code, somewhere up the stack."""
    wanted = os.path.abspath(main_script)
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        if os.path.abspath(frame.f_code.co_filename) == wanted:
            return True
        frame = frame.f_back
    return False


def warm_up() -> threading.Thread | None:
    """Load the store and the graph (with its index and layout), the explorer's first
    view and the questions' per-version data in a background thread, once per server
    process: the first visitor after a start then waits for the graph
    while the navigation is already drawn, and every page after finds it cached. Errors
    are left to the page that needs the store (it shows them in German). Returns the
    thread (None when it was started before)."""
    if _warming.is_set():
        return None
    _warming.set()
    current = settings()

    def work() -> None:
        from graph.present.explore import VIEW_LABELS, ViewFilter
        from graph.questions.metrics import network_metrics
        from graph.questions.recommend import prepare
        from kommunetz import views

        try:
            store = _store(current)
            version = store.version()
            # the explorer's first view, as a new session opens it: Stand heute
            stand = resolve_stand(TODAY)
            data = _loaded_as_of(current, version, stand)
            first = views.shown(data, ViewFilter(), None, 1)
            first.drawing(None)
            first.node_table()
            first.relation_table()
            first.choices()
            views.filter_choices(data)
            # the explorer's search: its name index is built on first use (a second at
            # Germany scale, the first search of the first session after a start); any
            # text builds it
            store.search("a", VIEW_LABELS)
            # then what the questions compute once per data version, on the store they
            # ask by default (Stand heute): the first partner suggestion and the first
            # key figures after a start then take as long as every later one
            questions = _as_of(current, stand)
            prepare(questions)
            network_metrics(questions)
        except Exception:  # the page that needs the store says what is wrong
            return

    thread = threading.Thread(target=work, name="kommunetz-warm-up", daemon=True)
    thread.start()
    return thread


_warming = threading.Event()


def get_store() -> GraphStore:
    """The configured store, or a German error on the page and a stop."""
    leave_legacy_page_mode()
    try:
        return _store(settings())
    except (StoreUnavailable, InvalidInput) as exc:  # down, or KOMMUNETZ_DB no database
        st.error(f"Die Datenbank ist nicht erreichbar. {exc}")
        st.stop()
        raise  # unreachable: st.stop() raises


def run_page(page: StreamlitPage) -> None:
    """Run the chosen page; if the store goes away while the page is being built (a
    server restart, a network cut), the visitor reads a German message instead of a
    traceback, and the next visit works again once the store is back."""
    try:
        page.run()
    except StoreUnavailable as exc:
        st.error(
            f"Die Datenbank ist nicht erreichbar. {exc} Bitte versuchen Sie es in einem "
            "Moment noch einmal; Registrierungen auf „Mitmachen“ gehen nicht verloren."
        )


def try_store() -> GraphStore | None:
    """The configured store, or None while it cannot be reached — for what must work
    anyway (the registration form keeps its submissions in the outbox then)."""
    leave_legacy_page_mode()  # Mitmachen may be the first page a fresh server shows
    try:
        return _store(settings())
    except (StoreUnavailable, InvalidInput):
        return None


def outbox() -> Outbox:
    """Where submissions wait while the store is unreachable (``KOMMUNETZ_OUTBOX``)."""
    from graph.joining.outbox import Outbox

    return Outbox(_outbox_dir())


def _outbox_dir() -> Path:
    from graph.joining.outbox import default_outbox_dir

    return Path(secret("KOMMUNETZ_OUTBOX") or default_outbox_dir())


def _count_setting(name: str, default: int) -> int:
    value = secret(name)
    try:
        return max(1, int(value)) if value else default
    except ValueError:
        return default


def submission_limits() -> SubmissionLimits:
    """The form's limits per client and per contact address, shared by all sessions in a
    file beside the outbox (``KOMMUNETZ_LIMITS_FILE``); the counts per hour and per day
    can be set with ``KOMMUNETZ_SUBMISSIONS_PER_CLIENT`` / ``…_PER_CONTACT``."""
    path = secret("KOMMUNETZ_LIMITS_FILE") or _outbox_dir().parent / "anmeldegrenzen.json"
    client = Limit(
        _count_setting("KOMMUNETZ_SUBMISSIONS_PER_CLIENT", CLIENT_LIMIT.count), CLIENT_LIMIT.window
    )
    contact = Limit(
        _count_setting("KOMMUNETZ_SUBMISSIONS_PER_CONTACT", CONTACT_LIMIT.count),
        CONTACT_LIMIT.window,
    )
    return SubmissionLimits(Path(path), client=client, contact=contact)


def client_address() -> str:
    """The address the visitor's browser connects from. Behind a reverse proxy that is the
    proxy's, unless ``KOMMUNETZ_CLIENT_HEADER`` names the header it sets (e.g.
    ``X-Forwarded-For``; its last entry is taken, the one the proxy added). Streamlit
    reports connections from the machine itself as no address: they count as one,
    ``lokal``."""
    header = secret("KOMMUNETZ_CLIENT_HEADER")
    if header:
        forwarded = st.context.headers.get(header)
        if isinstance(forwarded, str) and forwarded.strip():
            return forwarded.split(",")[-1].strip()
    try:
        ip = st.context.ip_address
    except Exception:  # outside a browser session (bare mode)
        return "lokal"
    return ip if isinstance(ip, str) and ip else "lokal"  # (a test harness may give a mock)


def mailer() -> Mailer:
    """The mail queue (beside the outbox), the SMTP server (``KOMMUNETZ_SMTP_*``), the
    app's public address for links (``KOMMUNETZ_BASE_URL``) and the coordinator's
    address for news (``KOMMUNETZ_COORDINATOR_EMAIL``)."""
    return mailer_from(secret, outbox().directory)


def proposal_outbox() -> ProposalOutbox:
    """Where proposals wait while the store is unreachable."""
    return proposal_outbox_at(outbox().directory)


@st.cache_resource(show_spinner=False)
def mail_limits() -> MailLimits:
    """One count for the whole app process: a new browser session starts no fresh one."""
    return MailLimits()


def client_key() -> str:
    """Who is asking, for the mail limits: the client's address where Streamlit knows it,
    else the browser session."""
    try:
        ip = st.context.ip_address
    except AttributeError:
        ip = None
    if ip:
        return f"ip:{ip}"
    session = st.session_state.setdefault("kn_client", secrets.token_hex(8))
    return f"session:{session}"


@st.cache_resource(show_spinner=False, ttl=3600)
def housekeeping(current: StoreSettings) -> str:
    """Once an hour per app process (and at its start): erase registrations left
    unconfirmed for seven days, hand waiting proposals over, send waiting mail."""
    store = try_store()
    if store is None:
        return "Datenbank nicht erreichbar"
    try:
        rs = registration_store(store)
        erased = purge_unconfirmed(rs, outbox(), mailer().queue)
        deliver_proposals(Proposals(rs), proposal_outbox())
    except StoreUnavailable:
        return "Datenbank nicht erreichbar"
    report = mailer().flush()
    return f"{len(erased)} unbestätigte gelöscht; {report.describe()}"


@dataclass(frozen=True)
class Loaded:
    """The public graph of one data version with what every view needs of it — the
    whole of it, or as of ``stand`` (a date or a year; "" for all times). Whatever is
    cached per graph is keyed by version *and* stand: both graphs share the version."""

    version: int
    graph: nx.MultiDiGraph
    index: explore.GraphIndex
    positions: dict[str, layout.Point]
    stand: str = ""


@st.cache_resource(show_spinner=False, max_entries=2)
def _loaded(current: StoreSettings, version: int) -> Loaded:
    # a resource, not cache_data: unpickling an 11,000-node graph on every rerun costs
    # about a second; the frozen graph is shared by all sessions and never changed
    from graph.present import explore, layout

    g = _store(current).graph()
    return Loaded(version, g, explore.index(g), layout.positions(g))


@st.cache_resource(show_spinner=False, max_entries=4)
def _loaded_as_of(current: StoreSettings, version: int, stand: str) -> Loaded:
    from graph.present import explore

    full = _loaded(current, version)
    g = as_of(full.graph, stand)
    return Loaded(version, g, explore.index(g), full.positions, stand)


@st.cache_resource(show_spinner=False, max_entries=8)
def _as_of(current: StoreSettings, when: str) -> GraphStore:
    # one object per Stand and process: the questions' caches live on it
    from graph.stores.as_of import StoreAsOf

    return StoreAsOf(_store(current), when)


def questions_store(stand: str) -> GraphStore:
    """The store the guided questions ask: the configured one, or — for a ``stand`` — the
    network as of then (`graph.stores.as_of.StoreAsOf`); a German error on the page and
    a stop for a ``stand`` that is no date."""
    store = get_store()
    if not stand:
        return store
    try:
        return _as_of(settings(), stand)
    except QueryError as exc:
        st.error(str(exc))
        st.stop()
        raise  # unreachable: st.stop() raises


def stand_input(key: str) -> str:
    """The "Stand" field in the sidebar (explorer, map and questions ask the same way);
    the date it stands for ("" for all times; "heute", the default, is today's date).
    `loaded` and `questions_store` turn it into the network as of then.

    Today by default: people ask who does this now. What has ended is one click away (an
    empty field: everything on record, also the pilot's end in 2016), and `stand_note`
    says on every page which Stand it shows. The default is set in the session state,
    not as the widget's ``value``: the explorer's reset sets it there as well, and
    Streamlit warns when a widget gets both."""
    st.session_state.setdefault(key, TODAY)
    with st.sidebar:
        text = st.text_input(
            "Stand",
            placeholder="leer: alle Zeiten; z. B. 2016 oder heute",
            help="Das Netzwerk, wie es an diesem Tag oder in diesem Jahr war (2016, 2016-06 "
            "oder 2016-06-30; „heute“, die Voreinstellung: wie es heute ist): "
            "Mitgliedschaften, Programmteilnahmen, Projekte und Kooperationen nach ihren "
            "Daten. Leer: alles, was erfasst ist, auch Beendetes. Ein unbekanntes Ende gilt "
            "als nicht beendet.",
            key=key,
        )
    return resolve_stand(text)


def stand_name(stand: str) -> str:
    """``Stand heute (04.12.2026)`` or ``Stand 2016`` (Markdown-escaped); "" for all times."""
    if not stand:
        return ""
    if stand == today().isoformat():
        return f"Stand heute ({format_date(stand)})"
    return f"Stand {md(stand)}"


def stand_note(stand: str) -> str:
    """The sentence that says which Stand a page shows (Markdown; "" for all times), the
    same on every page."""
    if not stand:
        return ""
    rule = (
        "Mitgliedschaften, Programmteilnahmen, Projekte und Kooperationen nach ihren Daten; "
        "ein unbekanntes Ende gilt als nicht beendet"
    )
    if stand == today().isoformat():
        return (
            f"**{stand_name(stand)}:** das Netzwerk, wie es heute ist ({rule}). "
            "Alles Erfasste, auch Beendetes wie das Pilotvorhaben 2014–2016: das Feld "
            "„Stand“ in der Seitenleiste leeren."
        )
    return f"**{stand_name(stand)}:** das Netzwerk, wie es damals war ({rule})."


def loaded(stand: str | None = None) -> Loaded:
    """The current graph (reloaded when a write has changed the data version) — as of
    ``stand`` (a date or a year, `graph.core.validity.as_of`) if given —, or a German error
    on the page and a stop (also for a ``stand`` that is no date)."""
    store = get_store()
    try:
        if stand:
            return _loaded_as_of(settings(), store.version(), stand.strip())
        return _loaded(settings(), store.version())
    except QueryError as exc:
        st.error(str(exc))
        st.stop()
        raise  # unreachable: st.stop() raises
    except StoreUnavailable as exc:
        st.error(f"Die Datenbank ist nicht erreichbar. {exc}")
        st.stop()
        raise  # unreachable: st.stop() raises


def housekeep() -> None:
    """`housekeeping` for the configured store (the app calls it on every run; the work is
    done once an hour per process)."""
    housekeeping(settings())


def active_session(key: str, expired_note: str) -> Any | None:
    """What this browser session keeps under ``key`` as ``(value, last click)``, unless
    idle longer than `IDLE_TIMEOUT` (then dropped, with ``expired_note`` shown); each
    call counts as a click."""
    kept = st.session_state.get(key)
    if kept is None:
        return None
    value, last = kept
    if time.monotonic() - last > IDLE_TIMEOUT:
        del st.session_state[key]
        st.info(expired_note)
        return None
    st.session_state[key] = (value, time.monotonic())
    return value


#: Streamlit's own widgets speak English in text, placeholders and accessible names
#: ("Select all", "Press Enter to submit form", "Download as CSV", "Collapse sidebar"),
#: and it offers no setting for most of them. These are their German words: exact texts,
#: then patterns with one part kept ("Help for Zeitraum" → "Hilfe zu Zeitraum").
GERMAN_WORDS: dict[str, str] = {
    "Skip to main content": "Zum Inhalt springen",
    "Sidebar": "Seitenleiste",
    "Collapse sidebar": "Seitenleiste einklappen",
    "Expand sidebar": "Seitenleiste ausklappen",
    "Open": "Öffnen",
    "Close": "Schließen",
    "Clear all": "Alle entfernen",
    "Clear": "Leeren",
    "Clear value": "Wert löschen",
    "Select all": "Alle auswählen",
    "Selected values": "Ausgewählte Werte",
    "Choose an option": "Bitte wählen",
    "Choose options": "Bitte wählen",
    "No results": "Keine Treffer",
    "No options to select": "Keine Auswahl möglich",
    "Increment": "Erhöhen",
    "Decrement": "Verringern",
    "Press Enter to submit form": "Mit der Eingabetaste absenden",
    "Press Enter to apply": "Mit der Eingabetaste übernehmen",
    "Press ⌘+Enter to apply": "Mit ⌘+Eingabetaste übernehmen",
    "Press Ctrl+Enter to apply": "Mit Strg+Eingabetaste übernehmen",
    "Show/hide columns": "Spalten ein- oder ausblenden",
    "Download as CSV": "Als CSV herunterladen",
    "Download as PNG": "Als PNG herunterladen",  # a chart's toolbar (Vega-Lite)
    "Download as SVG": "Als SVG herunterladen",
    "Show data": "Daten anzeigen",
    "Show chart": "Diagramm anzeigen",
    "Clear selection": "Auswahl aufheben",
    "Toggle fullscreen": "Vollbild ein/aus",
    "Search": "Tabelle filtern",  # the data grid's toolbar; "Suchen" is the explorer's button
    "Fullscreen": "Vollbild",
    "Close fullscreen": "Vollbild schließen",
    "Exit fullscreen": "Vollbild beenden",
    "View fullscreen": "Vollbild",
    "Show password": "Passwort anzeigen",
    "Hide password": "Passwort verbergen",
    "Copy to clipboard": "In die Zwischenablage kopieren",
    "Link to heading": "Link zu dieser Überschrift",
    "Main menu": "Hauptmenü",
    "Running...": "Wird ausgeführt …",
    "Stop": "Anhalten",
    "Loading...": "Wird geladen …",
}
GERMAN_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"^Help for (.+)$", "Hilfe zu $1"),
    (r"^Remove (.+)$", "$1 entfernen"),
    (r"^Select (\d+) matches$", "$1 Treffer auswählen"),
    (r"^(\d+) options? available\.?$", "$1 Einträge verfügbar."),
    (r"^(\d+) results? available\.?$", "$1 Treffer verfügbar."),
    (r"^option (.+), selected\.$", "$1 ausgewählt."),
    (r"^option (.+), deselected\.$", "$1 abgewählt."),
)

#: What every page gets (app.py adds it once): German words for Streamlit's widgets (see
#: `GERMAN_WORDS`), kept German as Streamlit redraws them; caption text dark enough for
#: WCAG 1.4.3 (Streamlit's grey is 3.88:1 on white, this one 6.6:1); a clear focus ring on
#: the navigation's links (2.4.7); skip links shown above everything when focused (2.4.1).
#: Constant code, no data in it.
PAGE_CHROME = (
    """
<style>
[data-testid="stCaptionContainer"] { color: #5c5b5a; opacity: 1; }
[data-testid="stSidebarNav"] a:focus-visible, [data-testid="stSidebarNavLink"]:focus-visible,
[data-testid="stSidebar"] a:focus-visible, [data-testid="stSidebar"] button:focus-visible {
  outline: 3px solid #1f5f99 !important; outline-offset: 2px; border-radius: 4px;
}
#kn-skip:focus, a[href="#main-content"]:focus, a[href^="#"]:focus-visible {
  position: fixed !important; left: 0.5rem !important; top: 0.5rem !important;
  z-index: 2147483647 !important; background: #ffffff; color: #1f5f99;
  outline: 3px solid #1f5f99; padding: 0.5rem 1rem;
}
</style>
<script>
(function () {
  if (window.__knGerman) { return; }
  window.__knGerman = true;
  var WORDS = """
    + json.dumps(GERMAN_WORDS, ensure_ascii=False)
    + """;
  var PATTERNS = """
    + json.dumps(GERMAN_PATTERNS, ensure_ascii=False)
    + """.map(function (p) { return [new RegExp(p[0]), p[1]]; });
  var ATTRS = ["aria-label", "title", "placeholder", "aria-placeholder", "alt"];
  function german(s) {
    var t = s.trim();
    if (!t) { return null; }
    if (Object.prototype.hasOwnProperty.call(WORDS, t)) { return s.replace(t, WORDS[t]); }
    for (var i = 0; i < PATTERNS.length; i++) {
      var p = PATTERNS[i];
      if (p[0].test(t)) { return s.replace(t, t.replace(p[0], p[1])); }
    }
    return null;
  }
  function fixElement(el) {
    for (var i = 0; i < ATTRS.length; i++) {
      var v = el.getAttribute(ATTRS[i]);
      if (v) { var g = german(v); if (g !== null && g !== v) { el.setAttribute(ATTRS[i], g); } }
    }
  }
  function fixText(node) {
    var g = german(node.nodeValue || "");
    if (g !== null && g !== node.nodeValue) { node.nodeValue = g; }
  }
  function fixTree(root) {
    if (root.nodeType === 3) { fixText(root); return; }
    if (root.nodeType !== 1) { return; }
    fixElement(root);
    var els = root.querySelectorAll("*");
    for (var i = 0; i < els.length; i++) { fixElement(els[i]); }
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) { fixText(walker.currentNode); }
  }
  fixTree(document.body);
  new MutationObserver(function (changes) {
    for (var i = 0; i < changes.length; i++) {
      var c = changes[i];
      if (c.type === "attributes") { fixElement(c.target); }
      else if (c.type === "characterData") { fixText(c.target); }
      else { for (var j = 0; j < c.addedNodes.length; j++) { fixTree(c.addedNodes[j]); } }
    }
  }).observe(document.body, {
    subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ATTRS
  });
})();
</script>
"""
)


def page_chrome() -> None:
    """Add `PAGE_CHROME` to the page (app.py, once per run, before the page)."""
    st.html(PAGE_CHROME, unsafe_allow_javascript=True)
