"""Search-as-you-type over the reference data: a port field offers matches as the user types
(instead of every page carrying all 261 ports), as <datalist> options for the list filters and as
a list of suggestions for the editors."""
import re

from flask import Blueprint, render_template, request
from flask_babel import get_locale
from flask_login import login_required

from portal.core.htmx import render_fragment
from portal.core.i18n import country_name
from portal.core.policy import require
from portal.core.search import fold
from portal.core.text import clean_text
from portal.reference import PORTS, localized_name

bp = Blueprint("reference", __name__, url_prefix="/reference")
LIMIT = 12


def _key(port) -> str:
    return fold(" ".join((port.code, port.name_en, port.name_zh_hant, port.name_zh_hans)))


_KEYS = [(_key(p), p) for p in PORTS]


def find_ports(typed: str, limit: int = LIMIT) -> list:
    """Ports whose code or name (English or Chinese, either script) holds what was typed: a code
    that starts with it first, then a name that does, then the rest (also by country code)."""
    wanted = fold(clean_text(typed or "")[:40]).strip()
    if not wanted:
        return []
    ranked = []
    for key, port in _KEYS:
        if port.code.lower().startswith(wanted):
            ranked.append((0, port.code, port))
        elif any(word.startswith(wanted) for word in key.split()[1:]) or key.split(" ", 1)[-1].startswith(wanted):
            ranked.append((1, port.code, port))
        elif wanted in key or (len(wanted) == 2 and port.country.lower() == wanted):
            ranked.append((2, port.code, port))
    return [port for _rank, _code, port in sorted(ranked)[:limit]]


@bp.get("/ports")
@login_required
def ports():
    """<option>s for a <datalist>, from the last port field typed into (pol, pod or q)."""
    require("reference.search")
    typed = next((request.args[name] for name in ("pol", "pod", "port", "q") if request.args.get(name)), "")
    locale = str(get_locale())
    return render_template("reference/_port_options.html", ports=find_ports(typed),
                           names={p.code: localized_name(p, locale) for p in find_ports(typed)})


@bp.get("/ports/suggest")
@login_required
def port_suggestions():
    """Suggestions under an editor's port field (the field named by `field`), to pick with a click
    or the keyboard."""
    require("reference.search")
    field = request.args.get("field", "")
    field = field if re.fullmatch(r"[a-z_]{1,20}", field) else "pol"
    term = clean_text(request.args.get(field) or request.args.get("q") or "")[:40]
    return render_fragment("reference/_port_suggestions.html", ports=find_ports(term, 8), field=field, term=term,
                           locale=str(get_locale()), name_of=localized_name, country_name=country_name)
