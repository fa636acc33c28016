"""What counts as what in the guided questions: which relationships tie an actor to a
project, a workshop or a topic, which ones a connection path may use, how far it looks.

The questions (`graph.questions`) and both stores' raw reads (`graph.stores.*.questions`)
read these constants, so that "works on", "partner" and "path" mean the same on Neo4j and
on the embedded store. Cypher that needs a type in its text builds it from here.
"""

from __future__ import annotations

from graph.core.model import ACTOR_LABELS, ADMINISTRATIVE_RELS, PRIVATE_RELS, REL_TYPES

#: Relationship types by which an actor works on a project or cooperation (→ its topics).
WORK_RELS: tuple[str, ...] = ("RUNS", "PARTNER_OF", "PARTY_TO")
WORK_ITEMS: tuple[str, ...] = ("Project", "Cooperation")
#: Relationship types by which an actor takes part in a shared item (a "hub"): two actors
#: at the same hub are partners.
HUB_RELS: tuple[str, ...] = ("RUNS", "PARTNER_OF", "PARTY_TO", "HOSTED", "ATTENDED")
HUB_ITEMS: tuple[str, ...] = ("Project", "Cooperation", "Workshop")
ACTORS: tuple[str, ...] = tuple(sorted(ACTOR_LABELS))

#: Relationship types a connection path may use: everything public, administrative links
#: only when asked for (a Land has up to ~2,000 members: a path through it says nothing).
PATH_RELS: tuple[str, ...] = tuple(
    sorted(t for t in REL_TYPES if t not in PRIVATE_RELS and t not in ADMINISTRATIVE_RELS)
)
PATH_RELS_ADMIN: tuple[str, ...] = tuple(sorted(t for t in REL_TYPES if t not in PRIVATE_RELS))
#: What an incidence (see `Incidence`) may be: these types, ending at these labels.
INCIDENCE_RELS: tuple[str, ...] = (*HUB_RELS, "MEMBER_OF")
INCIDENCE_HUBS: tuple[str, ...] = (*HUB_ITEMS, *ACTORS)
#: Properties `QuestionReads.q_actor_facts` reads.
FACT_PROPS: tuple[str, ...] = ("level", "population", "lat", "lon")
#: Longest path a connection search looks for, and how many equally short paths it
#: collects before it stops (then the answer says that it is incomplete).
MAX_HOPS = 8
PATH_CAP = 2_000
