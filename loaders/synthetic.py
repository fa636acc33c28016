"""A seeded, Germany-scale synthetic cooperation network for tests at scale and benchmarks.

The real network is small (the eight Modellkommunen and their partners); the queries must
stay fast when every municipality of Germany is in the store and tens of thousands of
projects, workshops and cooperations link them. `synthetic_batch` builds such a network:

* the municipalities of a Destatis directory batch (all 10,752 Gemeinden and their Kreise,
  with ``IN_STATE``/``PART_OF``), or — when no directory is given — synthetic ones with
  the same shape: Länder, Kreise, Gemeinden with population and coordinates, and names
  that repeat the way German place names do (``Neuenkirchen``);
* about 50,000 projects, workshops and cooperations at ``scale=1`` (36,000 / 5,000 /
  9,000) about a vocabulary of topics, plus networks and organisations (Zweckverbände,
  IT-Dienstleister, Bewerbergemeinschaften) with members;
* about 200,000 relationships in all, every one citing a (synthetic) source.

Everything is drawn from one `random.Random(seed)`: the same seed and scale give the same
batch, so tests and benchmark runs are comparable. Cooperation is local, as in reality:
co-runners, cooperation parties and most workshop guests come from the same Kreis or Land.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from graph.core.model import STATES
from graph.core.records import Batch, Node, Ref, Rel

#: Counts at ``scale=1``; the issue asks for about 50,000 projects, topics, workshops and
#: cooperations and about 200,000 relationships.
PROJECTS = 36_000
WORKSHOPS = 5_000
COOPERATIONS = 9_000
ORGANISATIONS = 300
GEMEINDEN = 10_752
KREISE = 400
SOURCES = 40

#: Share of Gemeinden that take part in cooperation at all (Kreise always do); larger
#: municipalities are more likely to, see `_active`.
ACTIVE_SHARE = 0.42

TOPICS = (
    "E-Akte",
    "ePayment",
    "Servicekonto/eID",
    "Portal (Bürger-/Serviceportal)",
    "Online-Formulare (Online-Anträge)",
    "Geodaten",
    "Open Data",
    "Prozessmanagement",
    "Ratsinformation",
    "Scan/Posteingang",
    "IT-Sicherheit und Datenschutz",
    "De-Mail/elektronischer Zugang",
    "Bürgerbeteiligung/E-Partizipation",
    "Termin- und Wartemanagement",
    "E-Rechnung",
    "Interkommunale Zusammenarbeit",
    "Akzeptanz und Öffentlichkeitsarbeit",
    "Bedarfs- und Bestandsanalyse",
    "Barrierefreiheit",
    "Arbeit & Ruhestand",
    "Bauen & Wohnen",
    "Bildung",
    "Ein- & Auswanderung",
    "Engagement & Hobby",
    "Familie & Kind",
    "Forschung & Förderung",
    "Gesundheit",
    "Mobilität & Reisen",
    "Querschnittsleistungen",
    "Recht & Ordnung",
    "Steuern & Zoll",
    "Umwelt",
    "Unternehmensführung & -entwicklung",
    "Digitale Schule",
    "Smart City",
    "KI in der Verwaltung",
    "Cloud und Rechenzentren",
    "Personalwesen digital",
)

NETWORKS = (
    ("syn-net-bund", "Synthetisches Bundesnetzwerk E-Government", "Netzwerk"),
    ("syn-net-nord", "Synthetisches Netzwerk Nord", "Netzwerk"),
    ("syn-net-sued", "Synthetisches Netzwerk Süd", "Netzwerk"),
    ("syn-net-ost", "Synthetisches Netzwerk Ost", "Netzwerk"),
    ("syn-net-west", "Synthetisches Netzwerk West", "Netzwerk"),
)
#: Länder whose members the regional networks recruit (codes).
REGIONS = {
    "syn-net-nord": ("01", "02", "03", "04", "13"),
    "syn-net-sued": ("08", "09"),
    "syn-net-ost": ("11", "12", "14", "15", "16"),
    "syn-net-west": ("05", "06", "07", "10"),
}

ORG_KINDS = (
    ("Zweckverband", 0.35),
    ("IT-Dienstleister", 0.3),
    ("Bewerbergemeinschaft", 0.2),
    ("Hochschule", 0.15),
)

_PREFIXES = ("Neu", "Alt", "Ober", "Unter", "Groß", "Klein", "Hohen", "Nieder", "Bad ", "")
_STEMS = (
    "kirchen",
    "dorf",
    "feld",
    "hausen",
    "heim",
    "stadt",
    "burg",
    "bach",
    "berg",
    "au",
    "rode",
    "hagen",
    "brück",
    "stein",
    "wald",
    "furt",
)
_ROOTS = ("Lin", "Wester", "Oster", "Sonnen", "Eichen", "Buchen", "Mühl", "Linden", "Rosen", "")

#: Rough centre (lat, lon) of each Land, for synthetic coordinates.
_CENTRES = {
    "01": (54.2, 9.8),
    "02": (53.55, 10.0),
    "03": (52.8, 9.2),
    "04": (53.1, 8.8),
    "05": (51.5, 7.6),
    "06": (50.6, 9.0),
    "07": (49.9, 7.4),
    "08": (48.6, 9.0),
    "09": (49.0, 11.4),
    "10": (49.4, 6.9),
    "11": (52.5, 13.4),
    "12": (52.4, 13.3),
    "13": (53.8, 12.5),
    "14": (51.0, 13.3),
    "15": (51.9, 11.7),
    "16": (50.9, 11.0),
}


@dataclass(frozen=True)
class _Muni:
    ags: str
    state: str
    kreis: str
    population: int


def synthetic_batch(seed: int = 1, *, scale: float = 1.0, directory: Batch | None = None) -> Batch:
    """The synthetic network as one batch (directory included), ready for `store.write`.

    ``directory`` is a batch from `loaders.destatis.read_directory`; without it, synthetic
    municipalities are made (``scale`` × 10,752 Gemeinden, at least one Kreis per Land).
    ``scale`` also scales the numbers of projects, workshops, cooperations and
    organisations, so that ``scale=0.01`` gives a small graph of the same shape for
    contract tests.
    """
    if scale <= 0:
        raise ValueError("scale must be positive")
    rng = random.Random(seed)
    batch = Batch(f"synthetisch (seed {seed}, scale {scale:g})")
    sources = [f"syn-src-{i:02d}" for i in range(SOURCES)]
    for i, sid in enumerate(sources):
        batch.nodes.append(
            Node(
                "Source",
                sid,
                {
                    "url": f"https://example.org/kommunetz/synthetisch/{i}",
                    "title": f"Synthetische Quelle {i}",
                    "publisher": "kommunetz (Testdaten)",
                },
            )
        )

    def src() -> dict[str, list[str]]:
        return {"sources": [rng.choice(sources)]}

    def link(rtype: str, start: tuple[str, str], end: tuple[str, str], **props: str) -> None:
        """A relationship between two (label, key) ends, citing a random source."""
        batch.rels.append(
            Rel(rtype, Ref(start[1], start[0]), Ref(end[1], end[0]), {**props, **src()})
        )

    if directory is not None:
        batch.extend(directory)
        munis = _directory_munis(directory)
    else:
        munis = _synthetic_directory(rng, scale, batch)

    kreise = sorted({m.kreis for m in munis if m.kreis})
    active = _active(rng, munis)
    by_kreis: dict[str, list[str]] = {}
    by_state: dict[str, list[str]] = {}
    for ags in active:
        by_state.setdefault(ags[:2], []).append(ags)
        if len(ags) == 8:
            by_kreis.setdefault(ags[:5], []).append(ags)
    actors = [("Municipality", a) for a in active]

    # topics
    topics = [f"syn-t-{i:02d}" for i in range(len(TOPICS))]
    for tid, name in zip(topics, TOPICS, strict=True):
        batch.nodes.append(Node("Topic", tid, {"name": name, "facet": "Baustein", **src()}))
    # popularity falls off like Zipf's law: a few topics carry most of the work
    topic_weights = [1 / (i + 1) ** 0.8 for i in range(len(topics))]

    def pick_topics(n: int) -> list[str]:
        chosen: list[str] = []
        while len(chosen) < n:
            t = rng.choices(topics, topic_weights)[0]
            if t not in chosen:
                chosen.append(t)
        return chosen

    # networks: the federal one recruits everywhere, the regional ones in their Länder
    for nid, name, kind in NETWORKS:
        batch.nodes.append(Node("Network", nid, {"name": name, "kind": kind, **src()}))
    members: set[tuple[str, str]] = set()
    for ags in active:
        if rng.random() < 0.55:
            members.add((ags, "syn-net-bund"))
        for nid, states in REGIONS.items():
            if ags[:2] in states and rng.random() < 0.25:
                members.add((ags, nid))
    for ags, nid in sorted(members):
        since = str(rng.randint(2014, 2024))
        link("MEMBER_OF", ("Municipality", ags), ("Network", nid), since=since)

    # organisations with members from one Kreis (Bewerbergemeinschaft, Zweckverband) or
    # one Land (IT-Dienstleister, Hochschule)
    n_orgs = max(4, round(ORGANISATIONS * scale))
    org_ids: list[str] = []
    for i in range(n_orgs):
        oid = f"syn-org-{i:04d}"
        kind = rng.choices([k for k, _ in ORG_KINDS], [w for _, w in ORG_KINDS])[0]
        state = rng.choice(sorted(by_state))
        pool = by_state[state]
        if kind in ("Bewerbergemeinschaft", "Zweckverband"):
            local = [k for k in kreise if k[:2] == state and by_kreis.get(k)]
            if local:
                pool = by_kreis[rng.choice(local)] + [a for a in pool if len(a) == 5]
        name = f"{kind} {_place_name(rng)} {i}"
        batch.nodes.append(
            Node("Organisation", oid, {"name": name, "kind": kind, "state_code": state, **src()})
        )
        org_ids.append(oid)
        size = min(len(pool), rng.randint(3, 25))
        for ags in sorted(rng.sample(pool, size)):
            link("MEMBER_OF", ("Municipality", ags), ("Organisation", oid))
        if kind == "Bewerbergemeinschaft" and rng.random() < 0.5:
            link("MEMBER_OF", ("Organisation", oid), ("Network", "syn-net-bund"))
    actors += [("Organisation", o) for o in org_ids]
    org_state = {n.key: n.props["state_code"] for n in batch.nodes if n.label == "Organisation"}

    def neighbour(ags: str) -> str:
        """Another active actor near ``ags``: same Kreis if possible, else same Land."""
        same = by_kreis.get(ags[:5]) if len(ags) == 8 else None
        if same and len(same) > 1 and rng.random() < 0.7:
            return rng.choice(same)
        return rng.choice(by_state[ags[:2]])

    def runner() -> tuple[str, str]:
        return rng.choice(actors)

    def home(actor: tuple[str, str]) -> str:
        return actor[1] if actor[0] == "Municipality" else rng.choice(by_state[org_state[actor[1]]])

    # projects
    for i in range(max(10, round(PROJECTS * scale))):
        pid = f"syn-p-{i:06d}"
        start = rng.randint(2012, 2025)
        batch.nodes.append(
            Node(
                "Project",
                pid,
                {
                    "title": f"Projekt {TOPICS[i % len(TOPICS)]} {i}",
                    "status": rng.choice(("abgeschlossen", "in Betrieb", "in Umsetzung")),
                    "start": str(start),
                    **src(),
                },
            )
        )
        lead = runner()
        runners = {lead}
        if rng.random() < 0.1:
            for _ in range(rng.randint(1, 2)):
                runners.add(("Municipality", neighbour(home(lead))))
        for label, key in sorted(runners):
            link("RUNS", (label, key), ("Project", pid))
        if rng.random() < 0.15:
            partner = rng.choice(org_ids)
            if ("Organisation", partner) not in runners:
                link(
                    "PARTNER_OF", ("Organisation", partner), ("Project", pid), role="Projektpartner"
                )
        for t in pick_topics(rng.choice((1, 1, 2, 2))):
            link("ABOUT", ("Project", pid), ("Topic", t))
        if rng.random() < 0.15:
            link("IN_PROGRAMME", ("Project", pid), ("Network", "syn-net-bund"))

    # workshops: a host, sometimes a co-host, guests mostly from the host's Land
    for i in range(max(4, round(WORKSHOPS * scale))):
        wid = f"syn-w-{i:05d}"
        year = rng.randint(2014, 2025)
        date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        host = runner()
        batch.nodes.append(
            Node(
                "Workshop",
                wid,
                {
                    "kind": rng.choice(("Workshop", "Workshop", "Barcamp", "Roundtable")),
                    "title": f"Workshop {i}",
                    "date": date,
                    "place": _place_name(rng),
                    **src(),
                },
            )
        )
        link("HOSTED", host, ("Workshop", wid), role="Gastgeber")
        taken = {host}
        if rng.random() < 0.1:
            co = runner()
            if co not in taken:
                taken.add(co)
                link("HOSTED", co, ("Workshop", wid), role="Mitveranstalter")
        for _ in range(rng.randint(3, 11)):
            guest = ("Municipality", neighbour(home(host))) if rng.random() < 0.75 else runner()
            if guest in taken:
                continue
            taken.add(guest)
            link("ATTENDED", guest, ("Workshop", wid))
        for t in pick_topics(rng.choice((1, 1, 2))):
            link("ABOUT", ("Workshop", wid), ("Topic", t))

    # cooperations: neighbours, sometimes with an organisation
    for i in range(max(6, round(COOPERATIONS * scale))):
        cid = f"syn-c-{i:05d}"
        batch.nodes.append(
            Node(
                "Cooperation",
                cid,
                {
                    "kind": rng.choice(
                        ("interkommunal", "ebenenübergreifend", "Kooperationsvereinbarung")
                    ),
                    "title": f"Kooperation {i}",
                    "since": str(rng.randint(2010, 2025)),
                    **src(),
                },
            )
        )
        first = ("Municipality", rng.choice(active))
        parties = {first}
        for _ in range(rng.randint(1, 3)):
            parties.add(("Municipality", neighbour(first[1])))
        if rng.random() < 0.2:
            parties.add(("Organisation", rng.choice(org_ids)))
        for label, key in sorted(parties):
            link("PARTY_TO", (label, key), ("Cooperation", cid))
        for t in pick_topics(rng.choice((1, 1, 2))):
            link("ABOUT", ("Cooperation", cid), ("Topic", t))
    return batch


def _directory_munis(directory: Batch) -> list[_Muni]:
    out = []
    for n in directory.nodes:
        if n.label != "Municipality":
            continue
        pop = n.props.get("population")
        out.append(
            _Muni(
                n.key,
                n.key[:2],
                n.key[:5] if len(n.key) == 8 else "",
                int(pop) if isinstance(pop, int) else 0,
            )
        )
    return sorted(out, key=lambda m: m.ags)


def _place_name(rng: random.Random) -> str:
    name = rng.choice(_ROOTS) + rng.choice(_PREFIXES).lower() + rng.choice(_STEMS)
    if name[0].islower():
        name = rng.choice(("Neuen", "Alten", "Hohen", "Ober", "Nieder")) + name
    return name[0].upper() + name[1:]


def _synthetic_directory(rng: random.Random, scale: float, batch: Batch) -> list[_Muni]:
    """Länder, Kreise and Gemeinden shaped like the Destatis directory."""
    source = {"sources": ["syn-src-00"]}
    for code, (name, abbr) in STATES.items():
        batch.nodes.append(Node("State", code, {"name": name, "abbr": abbr, **source}))
    n_gemeinden = max(16, round(GEMEINDEN * scale))
    n_kreise = max(16, round(KREISE * scale))
    codes = sorted(STATES)
    kreise: list[str] = []
    for i in range(n_kreise):
        state = codes[i % len(codes)]
        kreise.append(f"{state}{100 + i // len(codes):03d}")
    munis: list[_Muni] = []
    counter: dict[str, int] = {}
    for i in range(n_gemeinden):
        kreis = kreise[i % len(kreise)]
        counter[kreis] = counter.get(kreis, 0) + 1
        ags = f"{kreis}{counter[kreis]:03d}"
        population = int(min(3_500_000, rng.lognormvariate(8.2, 1.3)))
        lat0, lon0 = _CENTRES[kreis[:2]]
        kind = "Stadt" if population > 10_000 and rng.random() < 0.8 else "Gemeinde"
        batch.nodes.append(
            Node(
                "Municipality",
                ags,
                {
                    "name": _place_name(rng),
                    "kind": kind,
                    "level": "Gemeinde",
                    "state_code": ags[:2],
                    "population": population,
                    "population_date": "2023-12-31",
                    "lat": round(lat0 + rng.uniform(-0.8, 0.8), 5),
                    "lon": round(lon0 + rng.uniform(-1.0, 1.0), 5),
                    **source,
                },
            )
        )
        munis.append(_Muni(ags, ags[:2], kreis, population))
    for kreis in kreise:
        batch.nodes.append(
            Node(
                "Municipality",
                kreis,
                {
                    "name": f"Landkreis {_place_name(rng)}",
                    "kind": "Landkreis",
                    "level": "Kreis",
                    "state_code": kreis[:2],
                    **source,
                },
            )
        )
        munis.append(_Muni(kreis, kreis[:2], "", 0))
    for m in munis:
        batch.rels.append(
            Rel("IN_STATE", Ref(m.ags, "Municipality"), Ref(m.state, "State"), source)
        )
        if m.kreis:
            batch.rels.append(
                Rel("PART_OF", Ref(m.ags, "Municipality"), Ref(m.kreis, "Municipality"), source)
            )
    return sorted(munis, key=lambda m: m.ags)


def _active(rng: random.Random, munis: Sequence[_Muni]) -> list[str]:
    """The municipalities that cooperate at all: every Kreis, and Gemeinden with a chance
    that grows with their population (big cities almost always, villages rarely)."""
    out = []
    for m in munis:
        if len(m.ags) == 5:
            out.append(m.ags)
            continue
        size = math.log10(max(m.population, 100))  # 2 (village) … 6.5 (Berlin)
        chance = min(0.95, ACTIVE_SHARE * (size - 1.5) / 2.5)
        if rng.random() < chance:
            out.append(m.ags)
    return out
