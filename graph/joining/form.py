"""The registration form: what a municipality sends to join the open network, checked
with German messages, and the `Submission` it becomes — a validated form with its
reference number, time and consent record, which is what travels to a store or waits in
the outbox.

Personal data lives only in the contact (and the free texts); neither ever reaches
`store.graph()`, a search or a public export.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, Final

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

from graph.core.errors import NotFound, Problem, ValidationFailed
from graph.core.german import german_message
from graph.core.model import AGS_KEY, BERLIN, ID_KEY
from graph.core.text_rules import clean_text
from graph.joining.privacy import NOTICE_VERSION, notice_digest, privacy_notice

MAX_NAME = 120
MAX_EMAIL = 254
MAX_TEXT = 1000
MAX_PROJECTS = 2000
MAX_INTERESTS = 30
MAX_REASON = 1000

# --------------------------------------------------------------------------- reference numbers

#: Crockford's base-32: no I, L, O, U — nothing to misread on the phone.
_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_REFERENCE = re.compile(r"^r-\d{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$")


def new_reference(now: datetime) -> str:
    """A fresh registration id such as ``r-2025-7k3m-9qxa`` (shown as ``R-2025-7K3M-9QXA``).

    40 random bits per year: a clash is so unlikely that the store just refuses one
    (`ReferenceTaken`) and `graph.joining.service.register` draws again."""
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

_EMAIL = re.compile(
    r"^[^@\s<>()\[\]\\,;:\"]{1,64}@"
    r"(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,63}$"
)
_PHONE = re.compile(r"^\+?[0-9][0-9 ()/.-]{4,38}$")


def _text(value: Any) -> Any:
    """Strip and NFC-normalise a multi-line text; refuse invisible and direction-changing
    characters (`graph.core.text_rules`: they hide text from the coordinator and break
    CSV). HTML is kept as typed: it is text and shown escaped."""
    if not isinstance(value, str):
        return value
    return clean_text(value, multiline=True)


def _line(value: Any) -> Any:
    """A one-line field: as `_text`, but no line breaks or tabs either."""
    if not isinstance(value, str):
        return value
    return clean_text(value)


def _optional(value: Any) -> Any:
    """Blank optional text is the same as none (stored as absent on both stores)."""
    value = _text(value)
    return None if value == "" else value


def _optional_line(value: Any) -> Any:
    value = _line(value)
    return None if value == "" else value


# Length limits come first so that they apply to the text itself ("zu lang (höchstens 120
# Zeichen)"), after the BeforeValidator has stripped it.
Line = Annotated[str, Field(min_length=1, max_length=MAX_NAME), BeforeValidator(_line)]


def _check_ags(value: str) -> str:
    if not AGS_KEY.match(value):
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
        BeforeValidator(_line),
        AfterValidator(_check_email),
    ]
    phone: Annotated[
        Annotated[str, Field(max_length=40)] | None,
        BeforeValidator(_optional_line),
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

    ags: Annotated[str, BeforeValidator(_line), AfterValidator(_check_ags)]
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
            if not ID_KEY.match(topic):
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
        if not says_something(self.interests, self.offer, self.seek):
            raise ValueError(SAY_SOMETHING)
        return self


#: The form's one rule across fields (checked only when every field is valid by itself).
SAY_SOMETHING: Final[str] = (
    "Bitte wählen Sie mindestens ein Thema oder beschreiben Sie, was Sie anbieten oder suchen"
)


def says_something(interests: Sequence[str], offer: str | None, seek: str | None) -> bool:
    """Whether a registration names a topic or says what it offers or seeks."""
    return bool(interests or (offer or "").strip() or (seek or "").strip())


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
    #: sent through the web form: the address must be confirmed by a mailed link (double
    #: opt-in); ``False`` for registrations the coordinator enters (consent on paper)
    confirm: bool = False

    @property
    def reference(self) -> str:
        return show_reference(self.id)

    def fingerprint(self) -> str:
        """SHA-256 of the whole submission: tells a second delivery of the same
        submission (fine, nothing to do) from a clash of reference numbers (refused)."""
        # ``confirm`` left out while False: submissions from before it existed keep theirs
        exclude = None if self.confirm else {"confirm"}
        return hashlib.sha256(self.model_dump_json(exclude=exclude).encode("utf-8")).hexdigest()


def new_submission(
    form: RegistrationForm,
    controller: str | None,
    now: datetime | None = None,
    *,
    confirm: bool = False,
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
        confirm=confirm,
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
