"""The privacy notice (Datenschutzhinweis) a municipality consents to when it registers.

A registration stores the version and a SHA-256 digest of the exact text the applicant
saw, so that the network can show which notice a consent refers to (Art. 7 (1) DSGVO)
even after the text has changed. A changed text gets a new `NOTICE_VERSION`; old versions
stay in git history, the digest proves which one was shown.
"""

from __future__ import annotations

import hashlib
from typing import Final

NOTICE_VERSION: Final[str] = "2025-1"

#: Shown when no controller is configured: visibly incomplete rather than made up.
CONTROLLER_MISSING: Final[str] = (
    "[Verantwortliche Stelle noch nicht eingetragen – die Koordination setzt sie in der "
    "Einstellung KOMMUNETZ_PRIVACY_CONTROLLER]"
)

_NOTICE: Final[str] = """\
**Datenschutzhinweis zur Registrierung im offenen kommunalen E-Government-Netzwerk \
(Fassung {version})**

**Verantwortlich** für die Verarbeitung ist: {controller}

**Zweck.** Wir verarbeiten Ihre Angaben, um über die Aufnahme Ihrer Kommune in das \
Netzwerk zu entscheiden, Sie dazu zu kontaktieren und – nach der Aufnahme – den Austausch \
im Netzwerk zu organisieren (Einladungen, Vermittlung passender Ansprechpartner).

**Welche Daten.** Name der Kommune und Gemeindeschlüssel, Name, Funktion, dienstliche \
E-Mail-Adresse und (freiwillig) Telefonnummer der Kontaktperson, Ihre Interessen sowie \
Ihre Freitexte zu Angebot, Bedarf und laufenden Projekten.

**Rechtsgrundlage** ist Ihre Einwilligung nach Art. 6 Abs. 1 Buchst. a DSGVO.

**Wer sieht die Daten.** Nur die Koordination des Netzwerks. Öffentlich angezeigt werden \
nach der Aufnahme allein der Name der Kommune und das Datum der Aufnahme; Kontaktdaten \
werden nie veröffentlicht und nicht an Dritte weitergegeben.

**Speicherdauer.** Bis zur Entscheidung über die Aufnahme. Nach einer Aufnahme, solange \
Ihre Kommune Mitglied ist und Sie Ansprechperson sind; nach einer Ablehnung höchstens \
sechs Monate. Danach oder auf Ihren Wunsch löschen wir die Registrierung samt \
Kontaktdaten.

**Ihre Rechte.** Sie können Ihre Einwilligung jederzeit mit Wirkung für die Zukunft \
widerrufen (Art. 7 Abs. 3 DSGVO) und Auskunft (Art. 15), Berichtigung (Art. 16), \
Löschung (Art. 17), Einschränkung der Verarbeitung (Art. 18) und Datenübertragbarkeit \
(Art. 20) verlangen. Eine formlose Nachricht an die Koordination mit Ihrer \
Referenznummer genügt. Sie haben außerdem das Recht, sich bei einer \
Datenschutz-Aufsichtsbehörde zu beschweren (Art. 77 DSGVO).

Die Angabe ist freiwillig; ohne Einwilligung können wir die Registrierung nicht \
bearbeiten.
"""


def privacy_notice(controller: str | None) -> str:
    """The notice (Markdown) of the current version, naming ``controller`` as the
    responsible body; `CONTROLLER_MISSING` stands in while none is configured."""
    named = (controller or "").strip() or CONTROLLER_MISSING
    return _NOTICE.format(version=NOTICE_VERSION, controller=named)


def notice_digest(text: str) -> str:
    """SHA-256 (hex) of the notice text as shown: what a registration's consent refers to."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
