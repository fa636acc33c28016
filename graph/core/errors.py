"""The exceptions kommunetz raises. Each carries a message a coordinator can act on (German,
because the CLI and the app show it as it is); the CLI prints it as one line, the app as a
notice, never as a traceback."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class KommunetzError(Exception):
    """Base class: everything the CLI and the app turn into a readable message (CLI exit
    code 1 unless a subclass below says otherwise)."""


class InvalidInput(KommunetzError):
    """What the user gave cannot be used as it is: a file with errors, an unknown or
    ambiguous name, a question asked in a way it cannot be answered (CLI exit code 2)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where (file, line or row, field) and what."""

    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", Zeile {self.line}"
        if self.field:
            where += f", Feld „{self.field}“"
        return f"{where}: {self.message}"


class ValidationFailed(InvalidInput):
    """An input file has errors; nothing of it was written."""

    def __init__(self, problems: Sequence[Problem], limit: int = 20) -> None:
        self.problems = list(problems)
        shown = "\n".join(f"  - {p}" for p in self.problems[:limit])
        more = len(self.problems) - limit
        tail = f"\n  … und {more} weitere Fehler" if more > 0 else ""
        n = len(self.problems)
        super().__init__(f"{n} Fehler in der Eingabe – nichts wurde gespeichert:\n{shown}{tail}")


class SchemaError(KommunetzError):
    """A record does not fit the graph model (unknown label, wrong ends, missing sources)."""


class MissingReference(ValidationFailed):
    """A relationship points to a node that is neither in the input nor in the store."""


class StoreUnavailable(KommunetzError):
    """The configured store cannot be reached (Neo4j down, wrong credentials, file locked;
    CLI exit code 3)."""


class UnusableStoreFile(InvalidInput):
    """``KOMMUNETZ_DB`` names a file that is no SQLite database (CLI exit code 2); the file
    is left as it is."""


class NotFound(InvalidInput):
    """A node asked for by name or key does not exist."""


class Ambiguous(InvalidInput):
    """A name matches several nodes; the message lists the candidates."""

    def __init__(self, message: str, candidates: Sequence[tuple[str, str]]) -> None:
        self.candidates = list(candidates)
        super().__init__(message)


class QueryError(InvalidInput):
    """A question cannot be answered as asked (the same place twice, no topic given...)."""
