"""The offline bulk path of the Neo4j ecosystem, for comparison: ``neo4j-admin database
import full`` of the same rows kommunetz writes through Bolt.

The test server (``tests/neo4j_server``) is Neo4j from Maven Central, not a server
distribution, so there is no ``bin/neo4j-admin`` script; but the ``neo4j`` artifact pulls
in ``neo4j-import-tool`` and ``neo4j-command-line``, and ``org.neo4j.cli.AdminTool`` (what
the script starts) finds the import command on that class path. So the same jars import
CSV files into the server's home while the server is stopped.

What is timed, apart: writing the CSV files (import's input format: one file per label
and per relationship group, typed headers), the import itself (a separate JVM, offline),
the server's restart, and `ensure_schema` (the uniqueness constraints kommunetz needs;
the import does not create them, so their indexes are populated here). The import checks
no model rule, merges nothing (a second import replaces the database) and needs the
database offline: it is a first-load tool, not an upsert.
"""

from __future__ import annotations

import csv
import os
import subprocess
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from graph.core.model import key_property
from graph.core.records import Batch, group_nodes, group_rels
from tests.neo4j_server import server as neo4j_server

ADMIN_TOOL = "org.neo4j.cli.AdminTool"
ARRAY_DELIMITER = "\x1f"  # never in our values


def _type_of(values: Iterable[Any]) -> str:
    kinds = set()
    for v in values:
        if isinstance(v, bool):
            kinds.add("boolean")
        elif isinstance(v, int):
            kinds.add("long")
        elif isinstance(v, float):
            kinds.add("double")
        elif isinstance(v, list | tuple):
            kinds.add("string[]")
        else:
            kinds.add("string")
    if kinds <= {"long", "double"} and kinds:
        return "double" if "double" in kinds else "long"
    return kinds.pop() if len(kinds) == 1 else "string"


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list | tuple):
        return ARRAY_DELIMITER.join(str(x) for x in v)
    return str(v)


def write_csv(batch: Batch, out: Path) -> list[str]:
    """The import's CSV files for ``batch`` in ``out``; returns the command-line options
    that name them."""
    out.mkdir(parents=True, exist_ok=True)
    options = []
    for label, nodes in group_nodes(batch.nodes).items():
        props = sorted({k for n in nodes for k, v in n.props.items() if v is not None})
        types = {
            p: _type_of(n.props[p] for n in nodes if n.props.get(p) is not None) for p in props
        }
        path = out / f"nodes-{label}.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow([f"{key_property(label)}:ID({label})", *(f"{p}:{types[p]}" for p in props)])
            w.writerows([n.key, *(_cell(n.props.get(p)) for p in props)] for n in nodes)
        options.append(f"--nodes={label}={path}")
    for (rtype, start, end), rels in group_rels(batch.rels).items():
        props = sorted({k for r in rels for k, v in r.props.items() if v is not None})
        types = {p: _type_of(r.props[p] for r in rels if r.props.get(p) is not None) for p in props}
        path = out / f"rels-{rtype}-{start}-{end}.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(
                [f":START_ID({start})", f":END_ID({end})", *(f"{p}:{types[p]}" for p in props)]
            )
            w.writerows(
                [r.start.key, r.end.key, *(_cell(r.props.get(p)) for p in props)] for r in rels
            )
        options.append(f"--relationships={rtype}={path}")
    return options


def admin_import(
    batch: Batch, srv: neo4j_server.Server, work: Path
) -> tuple[dict[str, float], Any]:
    """Stop ``srv``, import ``batch`` into its home with neo4j-admin, start it again on the
    same port. Returns the timings and the restarted server (the caller stops it)."""
    t0 = time.perf_counter()
    options = write_csv(batch, work / "csv")
    timings = {"csv": time.perf_counter() - t0}
    port = int(srv.uri.rsplit(":", 1)[1])
    srv.stop()
    classpath = os.pathsep.join(
        [str(neo4j_server.TARGET / "classes"), str(neo4j_server.TARGET / "lib" / "*")]
    )
    conf = work / "conf"
    conf.mkdir(exist_ok=True)
    (conf / "neo4j.conf").write_text("")
    env = dict(os.environ, NEO4J_HOME=str(srv.home), NEO4J_CONF=str(conf))
    cmd = [
        "java",
        f"-Xmx{os.environ.get('KOMMUNETZ_NEO4J_HEAP', '2g')}",
        "-cp",
        classpath,
        ADMIN_TOOL,
        "database",
        "import",
        "full",
        "neo4j",  # before the file options, which take several values each
        "--overwrite-destination=true",
        f"--array-delimiter={ARRAY_DELIMITER}",
        f"--report-file={work / 'import.report'}",  # not into the caller's folder
        *options,
    ]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    timings["import"] = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(
            f"neo4j-admin import failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}"
        )
    t0 = time.perf_counter()
    restarted = neo4j_server.start(srv.home, port, srv.password)
    timings["restart"] = time.perf_counter() - t0
    return timings, restarted
