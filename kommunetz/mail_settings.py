"""Mail settings read at the edge (app and CLI alike) and the limits on mail a person
can cause: per recipient address and per client."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Final

from graph.joining.mail import MailQueue, MailSettings
from graph.joining.notify import Mailer
from graph.joining.proposals import ProposalOutbox
from kommunetz.auth import AttemptLimiter

DEFAULT_BASE_URL: Final[str] = "http://localhost:8501"
#: Mails a form may cause per recipient address and hour (confirmation, sign-in links).
PER_ADDRESS: Final[int] = 3
#: ... and per client (browser or address) and hour, whatever addresses it types.
PER_CLIENT: Final[int] = 5
WINDOW: Final[float] = 3600


def beside(outbox_dir: Path, what: str) -> Path:
    """A folder beside the outbox for another kind of waiting thing: ``outbox-mail``,
    ``outbox-vorschlaege`` (same parent, same protection)."""
    outbox_dir = Path(outbox_dir)
    return outbox_dir.with_name(f"{outbox_dir.name}-{what}")


def proposal_outbox_at(outbox_dir: Path) -> ProposalOutbox:
    """Where proposals wait while the store is unreachable."""
    return ProposalOutbox(beside(outbox_dir, "vorschlaege"))


def mailer_from(lookup: Callable[[str], str | None], outbox_dir: Path) -> Mailer:
    """The `Mailer` of these settings; its queue is the folder ``<outbox>-mail``."""
    return Mailer(
        MailQueue(beside(outbox_dir, "mail")),
        MailSettings.from_lookup(lookup),
        (lookup("KOMMUNETZ_BASE_URL") or DEFAULT_BASE_URL).strip(),
        (lookup("KOMMUNETZ_COORDINATOR_EMAIL") or "").strip() or None,
    )


class MailLimits:
    """At most `PER_ADDRESS` mails per address and `PER_CLIENT` per client and hour."""

    def __init__(self, clock: Callable[[], float] | None = None) -> None:
        kwargs = {"clock": clock} if clock else {}
        self.address = AttemptLimiter(PER_ADDRESS, WINDOW, **kwargs)
        self.client = AttemptLimiter(PER_CLIENT, WINDOW, **kwargs)

    def wait(self, address: str, client: str) -> float:
        """Seconds until this client may cause a mail to this address; 0: now."""
        return max(self.address.wait(address.strip().casefold()), self.client.wait(client))

    def record(self, address: str, client: str) -> None:
        self.address.record(address.strip().casefold())
        self.client.record(client)
