"""Registrations of interest: a municipality asks to join the open network, the
coordinator reviews it, an approval makes the municipality a member.

This module holds what both stores and every caller share:

* the form as pydantic models with German messages (`RegistrationForm`, `ContactForm`),
* a `Submission` (a validated form with its reference number, time and consent record) —
  what travels to a store or waits in the outbox,
* the stored view (`Registration` with its `Contact`), the results, the errors,
* the `RegistrationStore` protocol both stores implement (mixins in
  `graph.stores.sqlite.registrations` and `graph.stores.neo4j.registrations`),
* the public facts an approval writes (`admission_batch`) and the CSV export.

Personal data lives only in `Contact` (and the free texts of a registration); neither ever
reaches `store.graph()`, a search or a public export.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import secrets
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Any, Final, Protocol, runtime_checkable
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from graph.core.errors import KommunetzError, NotFound, Problem, ValidationFailed
from graph.core.german import german_message
from graph.core.model import NODE_TYPES, STATES
from graph.core.records import Batch, Node, Ref, Rel
from graph.core.store import GraphStore
from graph.joining.privacy import NOTICE_VERSION, notice_digest, privacy_notice

#: The open network municipalities join (curated in data/netzwerk.yaml).
OPEN_NETWORK_ID: Final[str] = "net-offenes-netzwerk"
#: The federal pilot programme whose members founded the open network.
PILOT_NETWORK_ID: Final[str] = "net-modellkommune"

#: Dates and times are shown and membership dates counted in German local time.
BERLIN: Final[ZoneInfo] = ZoneInfo("Europe/Berlin")

MAX_NAME = 120
MAX_EMAIL = 254
MAX_TEXT = 1000
MAX_PROJECTS = 2000
MAX_INTERESTS = 30
MAX_REASON = 1000

# --------------------------------------------------------------------------- errors


class DuplicatePending(KommunetzError):
    """A registration for the same municipality is still waiting for a decision.

    The message names the municipality only — never who registered it — because anyone
    can try any AGS."""


class NotPending(KommunetzError):
    """An approval or rejection of a registration that has already been decided."""


class ReferenceTaken(KommunetzError):
    """A reference number is already used by a different registration (a random clash)."""


class NetworkMissing(KommunetzError):
    """An approval needs the open network's node, and the graph lacks it."""


# --------------------------------------------------------------------------- status


class Status(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"

    @property
    def german(self) -> str:
        return STATUS_GERMAN[self]


STATUS_GERMAN: Final[dict[Status, str]] = {
    Status.PENDING: "offen",
    Status.APPROVED: "aufgenommen",
    Status.REJECTED: "abgelehnt",
}


def parse_status(text: str) -> Status:
    """``pending``/``offen``, ``approved``/``aufgenommen``, ``rejected``/``abgelehnt``."""
    t = text.strip().lower()
    for status, german in STATUS_GERMAN.items():
        if t in (status.value, german):
            return status
    allowed = ", ".join(STATUS_GERMAN.values())
    raise ValidationFailed([Problem("--status", None, None, f"„{text}“: erlaubt sind {allowed}")])


# --------------------------------------------------------------------------- reference numbers

#: Crockford's base-32: no I, L, O, U — nothing to misread on the phone.
_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_REFERENCE = re.compile(r"^r-\d{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$")


def new_reference(now: datetime) -> str:
    """A fresh registration id such as ``r-2025-7k3m-9qxa`` (shown as ``R-2025-7K3M-9QXA``).

    40 random bits per year: a clash is so unlikely that the store just refuses one
    (`ReferenceTaken`) and `graph.joining.register` draws again."""
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"r-{now.astimezone(BERLIN).year}-{chars[:4]}-{chars[4:]}"


def parse_reference(text: str) -> str:
    """The id behind a reference number as a person types it (any case, spaces around).

    Raises `NotFound` with the expected form when ``text`` cannot be a reference."""
    ref = text.strip().lower()
    if not _REFERENCE.match(ref):
        raise NotFound(f"„{text.strip()}“ ist keine Referenznummer (Form: R-2025-ABCD-EFGH).")
    return ref


def show_reference(reg_id: str) -> str:
    """``r-2025-7k3m-9qxa`` → ``R-2025-7K3M-9QXA``."""
    return reg_id.upper()


# --------------------------------------------------------------------------- the form

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_EMAIL = re.compile(
    r"^[^@\s<>()\[\]\\,;:\"]{1,64}@"
    r"(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,63}$"
)
_PHONE = re.compile(r"^\+?[0-9][0-9 ()/.-]{4,38}$")
_TOPIC_ID = NODE_TYPES["Topic"].key_pattern


def _text(value: Any) -> Any:
    """Strip and NFC-normalise text; reject control characters (they hide text from the
    coordinator and break CSV). HTML is kept as typed: it is text and shown escaped."""
    if not isinstance(value, str):
        return value
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").strip()
    if _CONTROL.search(value):
        raise ValueError("enthält unzulässige Steuerzeichen")
    return value


def _one_line(value: str) -> str:
    if "\n" in value or "\t" in value:
        raise ValueError("darf nur eine Zeile umfassen")
    return value


def _optional(value: Any) -> Any:
    """Blank optional text is the same as none (stored as absent on both stores)."""
    value = _text(value)
    return None if value == "" else value


# Length limits come first so that they apply to the text itself ("zu lang (höchstens 120
# Zeichen)"), after the BeforeValidator has stripped it.
Line = Annotated[
    str,
    Field(min_length=1, max_length=MAX_NAME),
    BeforeValidator(_text),
    AfterValidator(_one_line),
]


def _check_ags(value: str) -> str:
    if not NODE_TYPES["Municipality"].key_pattern.match(value):
        raise ValueError(
            "Der Gemeindeschlüssel (AGS) hat 8 Ziffern (Gemeinde) oder 5 Ziffern (Kreis) und "
            "beginnt mit dem Länderschlüssel 01–16, z. B. 05358008"
        )
    return value


def _check_email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError("ist keine gültige E-Mail-Adresse (Form: name@kommune.de)")
    return value.lower() if value.isascii() else value


def _check_phone(value: str | None) -> str | None:
    if value is not None and not _PHONE.match(value):
        raise ValueError("ist keine Telefonnummer (Ziffern, Leerzeichen, + / ( ) - erlaubt)")
    return value


class ContactForm(BaseModel):
    """The contact person of a registration: personal data, never public."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Line
    function: Line
    email: Annotated[
        str,
        Field(min_length=1, max_length=MAX_EMAIL),
        BeforeValidator(_text),
        AfterValidator(_check_email),
    ]
    phone: Annotated[
        Annotated[str, Field(max_length=40)] | None,
        BeforeValidator(_optional),
        AfterValidator(_check_phone),
    ] = None


Text = Annotated[Annotated[str, Field(max_length=MAX_TEXT)] | None, BeforeValidator(_optional)]
LongText = Annotated[
    Annotated[str, Field(max_length=MAX_PROJECTS)] | None, BeforeValidator(_optional)
]


class RegistrationForm(BaseModel):
    """What a municipality sends: who it is, who to talk to, what it is interested in,
    and its consent to the privacy notice. Field names are those of the JSON file that
    `kommunetz registrations submit` reads (see docs/registrations.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ags: Annotated[str, BeforeValidator(_text), AfterValidator(_check_ags)]
    municipality_name: Line
    contact: ContactForm
    interests: tuple[str, ...] = Field(default=(), max_length=MAX_INTERESTS)
    offer: Text = None
    seek: Text = None
    projects: LongText = None
    consent: bool

    @field_validator("interests")
    @classmethod
    def _topic_ids(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for topic in value:
            if not _TOPIC_ID.match(topic):
                raise ValueError(f"„{topic}“ ist keine Themen-Kennung (z. B. t-e-akte)")
        return tuple(dict.fromkeys(value))  # drop repeats, keep the order

    @field_validator("consent")
    @classmethod
    def _consented(cls, value: bool) -> bool:
        if value is not True:
            raise ValueError("Ohne Einwilligung in den Datenschutzhinweis geht es nicht")
        return value

    @model_validator(mode="after")
    def _says_something(self) -> RegistrationForm:
        if not (self.interests or self.offer or self.seek):
            raise ValueError(
                "Bitte wählen Sie mindestens ein Thema oder beschreiben Sie, was Sie "
                "anbieten oder suchen"
            )
        return self


#: German names of the form's fields, for messages a person can map to the form.
FIELD_LABELS: Final[dict[str, str]] = {
    "ags": "Gemeindeschlüssel (AGS)",
    "municipality_name": "Name der Kommune",
    "contact": "Kontaktperson",
    "contact.name": "Name der Kontaktperson",
    "contact.function": "Funktion",
    "contact.email": "E-Mail",
    "contact.phone": "Telefon",
    "interests": "Themen",
    "offer": "Was wir anbieten",
    "seek": "Was wir suchen",
    "projects": "Aktuelle Projekte",
    "consent": "Einwilligung",
}


def form_problems(exc: ValidationError, where: str = "Formular") -> list[Problem]:
    """German problems for a rejected form, one per field, named as the form names it."""
    out = []
    for err in exc.errors():
        path = ".".join(str(p) for p in err["loc"] if isinstance(p, str))
        index = next((p for p in err["loc"] if isinstance(p, int)), None)
        label = FIELD_LABELS.get(path, path) if path else None
        if label and index is not None:
            label += f" (Eintrag {index + 1})"
        out.append(Problem(where, None, label, german_message(err)))
    return out


def validate_form(data: Mapping[str, Any], where: str = "Formular") -> RegistrationForm:
    """A `RegistrationForm` from raw input, or `ValidationFailed` with German problems."""
    try:
        return RegistrationForm.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(form_problems(exc, where)) from None


# --------------------------------------------------------------------------- submissions


class Submission(BaseModel):
    """A validated form on its way to a store: with its id (the reference number), the
    time it was sent and the record of the consent. The outbox keeps exactly this."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, Field(pattern=_REFERENCE.pattern)]
    submitted_at: str
    consent_version: str
    consent_digest: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    form: RegistrationForm

    @property
    def reference(self) -> str:
        return show_reference(self.id)

    def fingerprint(self) -> str:
        """SHA-256 of the whole submission: tells a second delivery of the same
        submission (fine, nothing to do) from a clash of reference numbers (refused)."""
        return hashlib.sha256(self.model_dump_json().encode("utf-8")).hexdigest()


def new_submission(
    form: RegistrationForm, controller: str | None, now: datetime | None = None
) -> Submission:
    """A submission of ``form`` with a fresh reference number; the consent refers to the
    current privacy notice as shown with ``controller``."""
    now = now or datetime.now(UTC)
    return Submission(
        id=new_reference(now),
        submitted_at=now.astimezone(UTC).isoformat(timespec="seconds"),
        consent_version=NOTICE_VERSION,
        consent_digest=notice_digest(privacy_notice(controller)),
        form=form,
    )


# --------------------------------------------------------------------------- stored view


@dataclass(frozen=True)
class Contact:
    name: str
    function: str
    email: str
    phone: str | None = None


@dataclass(frozen=True)
class Registration:
    """A registration as stored, with its contact (``None`` only if the store lost it)."""

    id: str
    status: Status
    ags: str
    municipality_name: str
    interests: tuple[str, ...]
    offer: str | None
    seek: str | None
    projects: str | None
    consent_version: str
    consent_digest: str
    submitted_at: str
    decided_at: str | None
    decided_by: str | None
    reason: str | None
    contact: Contact | None

    @property
    def reference(self) -> str:
        return show_reference(self.id)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, with the reference as shown and the status in English and German."""
        out = asdict(self)
        out["reference"] = self.reference
        out["status"] = self.status.value
        out["status_de"] = self.status.german
        out["interests"] = list(self.interests)
        return out


@dataclass(frozen=True)
class SubmitReceipt:
    """What a store answers to a submission: ``created`` is False when the very same
    submission was delivered before (the outbox delivering twice creates nothing)."""

    id: str
    created: bool

    @property
    def reference(self) -> str:
        return show_reference(self.id)


@dataclass(frozen=True)
class Admission:
    """The result of an approval: the decided registration, since when the municipality is
    a member, and whether its node had to be created (no directory loaded)."""

    registration: Registration
    since: str
    municipality_created: bool
    was_member: bool


# Registration and Contact properties as both stores keep them (SQLite columns, Neo4j
# properties): one list, so the two stores cannot drift apart.
REGISTRATION_FIELDS: Final[tuple[str, ...]] = (
    "id",
    "status",
    "ags",
    "municipality_name",
    "interests",
    "offer",
    "seek",
    "projects",
    "consent_version",
    "consent_digest",
    "submitted_at",
    "decided_at",
    "decided_by",
    "reason",
    "fingerprint",
)
CONTACT_FIELDS: Final[tuple[str, ...]] = ("name", "function", "email", "phone")


def contact_id(reg_id: str) -> str:
    """The Contact key of a registration (one contact per registration)."""
    return f"c-{reg_id}"


def registration_props(sub: Submission) -> dict[str, Any]:
    """The stored properties of a new, pending registration (absent values left out)."""
    f = sub.form
    props: dict[str, Any] = {
        "id": sub.id,
        "status": Status.PENDING.value,
        "ags": f.ags,
        "municipality_name": f.municipality_name,
        "interests": list(f.interests),
        "offer": f.offer,
        "seek": f.seek,
        "projects": f.projects,
        "consent_version": sub.consent_version,
        "consent_digest": sub.consent_digest,
        "submitted_at": sub.submitted_at,
        "fingerprint": sub.fingerprint(),
    }
    return {k: v for k, v in props.items() if v is not None}


def contact_props(sub: Submission) -> dict[str, Any]:
    c = sub.form.contact
    props = {"name": c.name, "function": c.function, "email": c.email, "phone": c.phone}
    return {k: v for k, v in props.items() if v is not None}


def registration_from(props: Mapping[str, Any], contact: Mapping[str, Any] | None) -> Registration:
    """The stored view from a store's row/property map (both stores use the same names)."""
    return Registration(
        id=props["id"],
        status=Status(props["status"]),
        ags=props["ags"],
        municipality_name=props["municipality_name"],
        interests=tuple(props.get("interests") or ()),
        offer=props.get("offer"),
        seek=props.get("seek"),
        projects=props.get("projects"),
        consent_version=props["consent_version"],
        consent_digest=props["consent_digest"],
        submitted_at=props["submitted_at"],
        decided_at=props.get("decided_at"),
        decided_by=props.get("decided_by"),
        reason=props.get("reason"),
        contact=Contact(
            contact["name"], contact["function"], contact["email"], contact.get("phone")
        )
        if contact
        else None,
    )


def sort_registrations(regs: Iterable[Registration]) -> list[Registration]:
    """Oldest first, so the coordinator works through them in order of arrival."""
    return sorted(regs, key=lambda r: (r.submitted_at, r.id))


def duplicate_message(sub: Submission) -> str:
    f = sub.form
    return (
        f"Für {f.municipality_name} (AGS {f.ags}) liegt bereits eine Registrierung vor, über "
        "die noch nicht entschieden ist. Eine weitere ist erst nach dieser Entscheidung "
        "möglich; bei Fragen wenden Sie sich bitte an die Koordination."
    )


def not_found_message(reg_id: str) -> str:
    return f"Registrierung {show_reference(reg_id)} gibt es nicht (mehr)."


def check_pending(reg: Registration) -> None:
    """Raise `NotPending` unless ``reg`` still waits for a decision."""
    if reg.status is not Status.PENDING:
        raise NotPending(
            f"Registrierung {reg.reference} ist bereits entschieden ({reg.status.german}"
            f"{', am ' + local_date(reg.decided_at) if reg.decided_at else ''})."
        )


def check_reason(reason: str) -> str:
    """A rejection's reason: required, at most `MAX_REASON` characters, no control chars."""
    try:
        text = _text(reason)
    except ValueError as exc:
        raise ValidationFailed([Problem("Begründung", None, None, str(exc))]) from None
    if not text:
        raise ValidationFailed(
            [Problem("Begründung", None, None, "Bitte geben Sie einen Grund für die Ablehnung an")]
        )
    if len(text) > MAX_REASON:
        raise ValidationFailed(
            [Problem("Begründung", None, None, f"ist zu lang (höchstens {MAX_REASON} Zeichen)")]
        )
    return str(text)


def state_name(ags: str) -> str:
    """The Land of an AGS by its first two digits (empty if unknown)."""
    return STATES.get(ags[:2], ("", ""))[0]


#: How long a rejected registration is kept (the privacy notice promises six months).
KEEP_REJECTED_DAYS: Final[int] = 183


def erasure_due(reg: Registration, now: datetime) -> bool:
    """True for a rejected registration kept longer than the privacy notice allows."""
    if reg.status is not Status.REJECTED or not reg.decided_at:
        return False
    return (now - datetime.fromisoformat(reg.decided_at)).days >= KEEP_REJECTED_DAYS


def utc_text(now: datetime) -> str:
    return now.astimezone(UTC).isoformat(timespec="seconds")


def local_date(stamp: str) -> str:
    """``2025-06-12T08:00:00+00:00`` → ``12.06.2025`` (German local date)."""
    return datetime.fromisoformat(stamp).astimezone(BERLIN).strftime("%d.%m.%Y")


def local_time(stamp: str) -> str:
    """``2025-06-12T08:00:00+00:00`` → ``12.06.2025, 10:00 Uhr``."""
    return datetime.fromisoformat(stamp).astimezone(BERLIN).strftime("%d.%m.%Y, %H:%M Uhr")


# --------------------------------------------------------------------------- the protocol


@runtime_checkable
class RegistrationStore(GraphStore, Protocol):
    """A store with the registration workflow (both stores are). Every method below is
    one transaction."""

    def submit_registration(self, sub: Submission) -> SubmitReceipt:
        """Store ``sub`` as a pending registration with its contact kept apart.

        Idempotent on ``sub.id``: the same submission again creates nothing. Raises
        `DuplicatePending` (nothing stored) while another registration for the same AGS
        is pending — race-free: a unique index / constraint decides, not a prior read —
        and `ReferenceTaken` if the id belongs to a different submission."""
        ...

    def registrations(self, status: Status | None = None) -> list[Registration]:
        """All registrations (or those of ``status``), oldest first, with contacts."""
        ...

    def registration(self, reg_id: str) -> Registration | None: ...

    def approve_registration(
        self, reg_id: str, *, now: datetime, decided_by: str | None = None
    ) -> Admission:
        """Admit the municipality: in one transaction, write the public facts of
        `admission_batch` through the normal batch path and mark the registration
        approved. Raises `NotFound`, `NotPending` or `NetworkMissing`."""
        ...

    def reject_registration(
        self, reg_id: str, reason: str, *, now: datetime, decided_by: str | None = None
    ) -> Registration:
        """Mark a pending registration rejected, with its reason."""
        ...

    def erase_registration(self, reg_id: str) -> bool:
        """Delete the registration and its contact for good (Art. 17 DSGVO); the public
        facts of an approval stay. False if there was nothing to erase."""
        ...


def registration_store(store: GraphStore) -> RegistrationStore:
    """``store`` as a `RegistrationStore` (both stores are; a third-party one may not be)."""
    if not isinstance(store, RegistrationStore):
        raise KommunetzError(f"Dieser Speicher ({store.kind}) kennt keine Registrierungen.")
    return store


# --------------------------------------------------------------------------- admission


def admission_source_id(reg_id: str) -> str:
    return f"reg-{reg_id}"


def admission_refs(reg: Registration) -> set[tuple[str, str]]:
    """The nodes an approval looks for before it builds its batch."""
    refs = {
        ("Municipality", reg.ags),
        ("State", reg.ags[:2]),
        ("Network", OPEN_NETWORK_ID),
    }
    if len(reg.ags) == 8:
        refs.add(("Municipality", reg.ags[:5]))
    return refs


def member_since(now: datetime) -> str:
    return now.astimezone(BERLIN).date().isoformat()


def admission_batch(
    reg: Registration, now: datetime, present: set[tuple[str, str]], was_member: bool
) -> Batch:
    """The public facts of an approval, none of them personal: a `Source` for this
    decision, the municipality if no directory knows it yet (name and AGS from the
    registration, linked to its Land and Kreis when those exist), and its ``MEMBER_OF``
    the open network with ``since`` — unless it was a member already, whose date stays.

    Raises `NetworkMissing` when the open network itself is missing from the graph."""
    if ("Network", OPEN_NETWORK_ID) not in present:
        raise NetworkMissing(
            f"Das offene Netzwerk ({OPEN_NETWORK_ID}) fehlt im Graphen, die Aufnahme ist "
            "nicht möglich. Laden Sie zuerst die kuratierten Daten: kommunetz load"
        )
    since = member_since(now)
    src = admission_source_id(reg.id)
    sources = [src]
    where = f"Registrierung {reg.reference}"
    batch = Batch(where)
    batch.nodes.append(
        Node(
            "Source",
            src,
            {
                "title": f"Registrierung {reg.reference}, geprüft und aufgenommen am "
                f"{date.fromisoformat(since).strftime('%d.%m.%Y')}",
                "publisher": "Koordination des offenen Netzwerks",
                "date": since,
                "kind": "Registrierung",
            },
            where,
        )
    )
    this = Ref(reg.ags, "Municipality")
    if ("Municipality", reg.ags) not in present:
        props: dict[str, Any] = {
            "name": reg.municipality_name,
            "level": "Kreis" if len(reg.ags) == 5 else "Gemeinde",
            "state_code": reg.ags[:2],
            "sources": sources,
        }
        batch.nodes.append(Node("Municipality", reg.ags, props, where))
        if ("State", reg.ags[:2]) in present:
            batch.rels.append(
                Rel("IN_STATE", this, Ref(reg.ags[:2], "State"), {"sources": sources}, where)
            )
        kreis = reg.ags[:5]
        if len(reg.ags) == 8 and ("Municipality", kreis) in present:
            batch.rels.append(
                Rel("PART_OF", this, Ref(kreis, "Municipality"), {"sources": sources}, where)
            )
    if not was_member:
        batch.rels.append(
            Rel(
                "MEMBER_OF",
                this,
                Ref(OPEN_NETWORK_ID, "Network"),
                {"since": since, "role": "Mitglied", "sources": sources},
                where,
            )
        )
    return batch


# --------------------------------------------------------------------------- CSV export

CSV_COLUMNS: Final[tuple[tuple[str, str], ...]] = (
    ("reference", "Referenz"),
    ("status_de", "Status"),
    ("submitted", "Eingegangen"),
    ("decided", "Entschieden"),
    ("decided_by", "Entschieden von"),
    ("municipality_name", "Kommune"),
    ("ags", "AGS"),
    ("contact_name", "Kontaktperson"),
    ("contact_function", "Funktion"),
    ("contact_email", "E-Mail"),
    ("contact_phone", "Telefon"),
    ("interests", "Themen"),
    ("offer", "Was wir anbieten"),
    ("seek", "Was wir suchen"),
    ("projects", "Aktuelle Projekte"),
    ("reason", "Begründung der Ablehnung"),
    ("consent_version", "Datenschutzhinweis (Fassung)"),
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    """A CSV cell that a spreadsheet shows as text: free text starting with = + - @ would
    otherwise run as a formula when the coordinator opens the file (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def registrations_csv(regs: Sequence[Registration], topic_names: Mapping[str, str]) -> str:
    """The registrations as CSV for a German spreadsheet: semicolons, a BOM so Excel reads
    UTF-8, German headers, local times, topic names instead of ids. Holds personal data:
    for the coordinator only."""
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow([title for _, title in CSV_COLUMNS])
    for reg in regs:
        c = reg.contact
        row = {
            **reg.as_dict(),
            "submitted": local_time(reg.submitted_at),
            "decided": local_time(reg.decided_at) if reg.decided_at else "",
            "contact_name": c.name if c else "",
            "contact_function": c.function if c else "",
            "contact_email": c.email if c else "",
            "contact_phone": (c.phone or "") if c else "",
            "interests": ", ".join(topic_names.get(t, t) for t in reg.interests),
        }
        writer.writerow([_cell(row.get(key)) for key, _ in CSV_COLUMNS])
    return buf.getvalue()
