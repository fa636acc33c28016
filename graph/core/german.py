"""German, plain-words messages for pydantic validation errors.

Loaders and forms validate with pydantic; a coordinator reads the result, so each error
type gets a sentence in German instead of pydantic's English. Validators raise
``ValueError("…")`` with German text, which is passed through as it is.
"""

from __future__ import annotations

from typing import Any

from pydantic_core import ErrorDetails

_BY_TYPE: dict[str, str] = {
    "missing": "Pflichtangabe fehlt",
    "extra_forbidden": "unbekanntes Feld (Tippfehler?)",
    "string_type": "Text erwartet{quote}",
    "int_type": "ganze Zahl erwartet",
    "int_parsing": "ganze Zahl erwartet",
    "int_from_float": "ganze Zahl erwartet",
    "float_type": "Zahl erwartet",
    "float_parsing": "Zahl erwartet",
    "bool_type": "ja/nein (true/false) erwartet",
    "bool_parsing": "ja/nein (true/false) erwartet",
    "list_type": "Liste erwartet",
    "dict_type": "Abschnitt mit Feldern erwartet",
    "model_type": "Abschnitt mit Feldern erwartet",
    "model_attributes_type": "Abschnitt mit Feldern erwartet",
    "too_short": "darf nicht leer sein",
    "string_too_short": "darf nicht leer sein",
    "string_too_long": "ist zu lang (höchstens {max_length} Zeichen)",
    "too_long": "hat zu viele Einträge (höchstens {max_length})",
    "string_pattern_mismatch": "hat nicht das erwartete Format",
    "literal_error": "erlaubt sind: {expected}",
    "enum": "erlaubt sind: {expected}",
    "greater_than_equal": "muss mindestens {ge} sein",
    "less_than_equal": "darf höchstens {le} sein",
    "greater_than": "muss größer als {gt} sein",
    "less_than": "muss kleiner als {lt} sein",
    "url_parsing": "ist keine gültige Adresse (URL)",
    "url_scheme": "Adresse muss mit http:// oder https:// beginnen",
    "value_error": "{error}",
    "assertion_error": "{error}",
}


def german_message(err: ErrorDetails) -> str:
    """One German sentence for one pydantic error."""
    kind = err["type"]
    ctx: dict[str, Any] = dict(err.get("ctx") or {})
    if kind in ("value_error", "assertion_error"):
        text = str(ctx.get("error", err["msg"]))
        for prefix in ("Value error, ", "Assertion failed, "):
            text = text.removeprefix(prefix)
        return text
    if kind == "too_short" and int(ctx.get("min_length", 1)) > 1:
        return f"mindestens {ctx['min_length']} Einträge nötig"
    template = _BY_TYPE.get(kind)
    if template is None:
        return f"ungültiger Wert ({err['msg']})"
    if kind == "string_type":
        value = err.get("input")
        ctx["quote"] = (
            " – Schlüssel und Datumsangaben in Anführungszeichen setzen"
            if isinstance(value, int | float)
            else ""
        )
    if kind in ("literal_error", "enum"):
        ctx["expected"] = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template


def field_path(loc: tuple[int | str, ...]) -> str:
    """``('run_by', 0, 'ref')`` → ``run_by[0].ref``: how a user finds the field in the file."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out
