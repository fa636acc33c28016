"""A member's proposal as a store keeps it — a pending change to the member's own entries
(a project, a cooperation, an event) with its before/after — and an entry of the audit
log. Both stores keep the same fields (`PROPOSAL_FIELDS`, `AUDIT_FIELDS`); the
change and the before are JSON text on either store.

What a member may propose is checked here (`validate_change`, German messages); what an
approval writes is `graph.joining.proposals`'.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from graph.core.errors import KommunetzError, NotFound, Problem, ValidationFailed
from graph.core.model import AGS_KEY, ID_KEY, PARTIAL_DATE
from graph.joining.form import Line, Text, form_problems


class ProposalKind(StrEnum):
    PROJECT = "project"
    COOPERATION = "cooperation"
    EVENT = "event"

    @property
    def german(self) -> str:
        return {"project": "Projekt", "cooperation": "Kooperation", "event": "Veranstaltung"}[
            self.value
        ]


class ProposalStatus(StrEnum):
    #: a cooperation waits for the other member's confirmation first
    AWAITING_PARTNER = "awaiting_partner"
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"

    @property
    def german(self) -> str:
        return {
            "awaiting_partner": "wartet auf die Partnerkommune",
            "pending": "zur Prüfung",
            "approved": "übernommen",
            "rejected": "abgelehnt",
        }[self.value]


class NotConfirmed(KommunetzError):
    """A registration whose address has not been confirmed cannot be approved."""


class ProposalNotPending(KommunetzError):
    """A decision on a proposal that has been decided already."""


PROPOSAL_FIELDS: Final[tuple[str, ...]] = (
    "id",
    "kind",
    "ags",
    "municipality_name",
    "author",
    "status",
    "change",
    "before",
    "target",
    "partner_ags",
    "partner_confirmed_at",
    "submitted_at",
    "decided_at",
    "decided_by",
    "reason",
)
AUDIT_FIELDS: Final[tuple[str, ...]] = (
    "id",
    "at",
    "actor",
    "actor_ref",
    "action",
    "subject",
    "detail",
)

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_PROPOSAL_ID = re.compile(r"^v-\d{4}-[0-9a-hjkmnp-tv-z]{8}$")


def new_proposal_id(year: int) -> str:
    return f"v-{year}-{''.join(secrets.choice(_ALPHABET) for _ in range(8))}"


def parse_proposal_id(text: str) -> str:
    pid = text.strip().lower()
    if not _PROPOSAL_ID.match(pid):
        raise NotFound(f"„{text.strip()}“ ist keine Vorschlagsnummer (Form: V-2026-ABCD1234).")
    return pid


# --------------------------------------------------------------------------- the changes


def _date(value: str | None) -> str | None:
    if value is not None and not PARTIAL_DATE.match(value):
        raise ValueError("ist kein Datum (Form: 2024, 2024-09 oder 2024-09-22)")
    return value


def _keys(value: tuple[str, ...]) -> tuple[str, ...]:
    for key in value:
        if not (ID_KEY.match(key) or AGS_KEY.match(key)):
            raise ValueError(f"„{key}“ ist keine Kennung")
    return tuple(dict.fromkeys(value))


OptionalLine = Line | None


class _Change(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title: Line
    summary: Text = None
    topics: tuple[str, ...] = Field(default=(), max_length=20)

    @field_validator("topics")
    @classmethod
    def _topic_keys(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _keys(value)


class ProjectChange(_Change):
    status: OptionalLine = None
    start: str | None = None
    end: str | None = None
    partners: tuple[str, ...] = Field(default=(), max_length=20)

    @field_validator("start", "end")
    @classmethod
    def _dates(cls, value: str | None) -> str | None:
        return _date(value)

    @field_validator("partners")
    @classmethod
    def _partner_keys(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _keys(value)


class EventChange(_Change):
    date: str | None = None
    place: OptionalLine = None
    role: Literal["hosted", "attended"] = "attended"

    @field_validator("date")
    @classmethod
    def _dates(cls, value: str | None) -> str | None:
        return _date(value)


class CooperationChange(_Change):
    since: str | None = None

    @field_validator("since")
    @classmethod
    def _dates(cls, value: str | None) -> str | None:
        return _date(value)


CHANGE_MODELS: Final[dict[ProposalKind, type[_Change]]] = {
    ProposalKind.PROJECT: ProjectChange,
    ProposalKind.EVENT: EventChange,
    ProposalKind.COOPERATION: CooperationChange,
}

CHANGE_LABELS: Final[dict[str, str]] = {
    "title": "Titel",
    "summary": "Kurzbeschreibung",
    "topics": "Themen",
    "status": "Stand",
    "start": "Beginn",
    "end": "Ende",
    "partners": "Partner",
    "date": "Datum",
    "place": "Ort",
    "role": "Rolle",
    "since": "seit",
}


def validate_change(kind: ProposalKind, data: Mapping[str, Any]) -> dict[str, Any]:
    """The proposed fields, checked, as plain JSON-ready data (blank optional text as
    none); raises `ValidationFailed` with German messages."""
    cleaned = {
        k: (None if k != "title" and isinstance(v, str) and not v.strip() else v)
        for k, v in data.items()
    }
    try:
        model = CHANGE_MODELS[kind].model_validate(cleaned)
    except ValidationError as exc:
        problems = [
            Problem("Vorschlag", None, CHANGE_LABELS.get(p.field or "", p.field), p.message)
            for p in form_problems(exc, "Vorschlag")
        ]
        raise ValidationFailed(problems) from None
    out = model.model_dump(mode="json")
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in out.items()}


# --------------------------------------------------------------------------- stored view


@dataclass(frozen=True)
class Proposal:
    id: str
    kind: ProposalKind
    ags: str
    municipality_name: str
    author: str | None  # the registration whose contact proposed it; None once erased
    status: ProposalStatus
    change: dict[str, Any]
    before: dict[str, Any] | None
    target: str | None  # the project, event or cooperation changed; None for a new one
    partner_ags: str | None
    partner_confirmed_at: str | None
    submitted_at: str
    decided_at: str | None
    decided_by: str | None
    reason: str | None

    @property
    def reference(self) -> str:
        return self.id.upper()

    @property
    def title(self) -> str:
        return str(self.change.get("title") or "")

    def as_dict(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "kind": self.kind.value,
            "kind_de": self.kind.german,
            "status": self.status.value,
            "status_de": self.status.german,
            "ags": self.ags,
            "municipality_name": self.municipality_name,
            "target": self.target,
            "partner_ags": self.partner_ags,
            "change": self.change,
            "before": self.before,
            "submitted_at": self.submitted_at,
            "decided_at": self.decided_at,
            "decided_by": self.decided_by,
            "reason": self.reason,
        }


def proposal_props(p: Proposal) -> dict[str, Any]:
    """The stored fields (change and before as JSON text; absent values left out)."""
    props: dict[str, Any] = {
        "id": p.id,
        "kind": p.kind.value,
        "ags": p.ags,
        "municipality_name": p.municipality_name,
        "author": p.author,
        "status": p.status.value,
        "change": json.dumps(p.change, ensure_ascii=False, sort_keys=True),
        "before": None if p.before is None else json.dumps(p.before, ensure_ascii=False),
        "target": p.target,
        "partner_ags": p.partner_ags,
        "partner_confirmed_at": p.partner_confirmed_at,
        "submitted_at": p.submitted_at,
        "decided_at": p.decided_at,
        "decided_by": p.decided_by,
        "reason": p.reason,
    }
    return {k: v for k, v in props.items() if v is not None}


def proposal_from(props: Mapping[str, Any]) -> Proposal:
    before = props.get("before")
    return Proposal(
        id=props["id"],
        kind=ProposalKind(props["kind"]),
        ags=props["ags"],
        municipality_name=props["municipality_name"],
        author=props.get("author"),
        status=ProposalStatus(props["status"]),
        change=json.loads(props["change"]),
        before=json.loads(before) if before else None,
        target=props.get("target"),
        partner_ags=props.get("partner_ags"),
        partner_confirmed_at=props.get("partner_confirmed_at"),
        submitted_at=props["submitted_at"],
        decided_at=props.get("decided_at"),
        decided_by=props.get("decided_by"),
        reason=props.get("reason"),
    )


@dataclass(frozen=True)
class AuditEntry:
    """Who did what when, and the decision. ``actor_ref`` is the registration behind a
    member's action (so that an erase can find and scrub it); the coordinator's actions
    carry none."""

    id: str
    at: str
    actor: str
    action: str
    subject: str
    detail: str | None = None
    actor_ref: str | None = None


def audit_props(e: AuditEntry) -> dict[str, Any]:
    props = {f: getattr(e, f) for f in AUDIT_FIELDS}
    return {k: v for k, v in props.items() if v is not None}


def audit_from(props: Mapping[str, Any]) -> AuditEntry:
    return AuditEntry(
        id=props["id"],
        at=props["at"],
        actor=props["actor"],
        action=props["action"],
        subject=props["subject"],
        detail=props.get("detail"),
        actor_ref=props.get("actor_ref"),
    )


def new_audit_id(at: str) -> str:
    """Unique, and in the order written within one second (the log sorts by ``at``, then
    by id): ``a-<time>-<nanoseconds>-<random>``."""
    stamp = re.sub(r"[^0-9]", "", at)[:14]
    return f"a-{stamp}-{time.time_ns():020d}-{secrets.token_hex(3)}"


#: What an erased contact's audit entries say instead of who it was.
ERASED_ACTOR: Final[str] = "gelöschter Kontakt"
