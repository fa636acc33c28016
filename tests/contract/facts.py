"""Facts of the curated data that several contract tests check, written down once."""

from __future__ import annotations

#: Who works on E-Akte in the pilot (2014–2016), most involved first: the projects
#: p-gt-steuerakte, p-halle-eakte, p-hk-bauen-planen, p-og-posteingang, p-later-ibbenbueren
#: and the cooperation of Halle with HS Harz and IT-Consult Halle.
E_AKTE_PILOT = [
    "Halle (Saale)",  # a project and the cooperation: most involved first
    "IT-Consult Halle GmbH",
    "Gütersloh",
    "Heidekreis",
    "Hochschule Harz, Fachbereich Verwaltungswissenschaften",
    "Ibbenbüren",
    "Ortenaukreis",
]
