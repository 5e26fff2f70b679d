"""Search-as-you-type over the reference data (the port field offers matches as the user types,
instead of every page carrying all 261 ports)."""
from flask import Blueprint, render_template, request
from flask_babel import get_locale
from flask_login import login_required

from portal.core.search import fold
from portal.core.text import clean_text
from portal.reference import PORTS, localized_name

bp = Blueprint("reference", __name__, url_prefix="/reference")
LIMIT = 12


def _key(port) -> str:
    return fold(" ".join((port.code, port.name_en, port.name_zh_hant, port.name_zh_hans)))


_KEYS = [(_key(p), p) for p in PORTS]


def find_ports(typed: str, limit: int = LIMIT) -> list:
    """Ports whose code or name (English or Chinese, either script) holds what was typed; a code
    that starts with it first."""
    wanted = fold(clean_text(typed or "")[:40]).strip()
    if not wanted:
        return []
    starts = [p for key, p in _KEYS if key.startswith(wanted)]
    rest = [p for key, p in _KEYS if wanted in key and not key.startswith(wanted)]
    return (starts + rest)[:limit]


@bp.get("/ports")
@login_required
def ports():
    """<option>s for a <datalist>, from the last port field typed into (pol, pod or q)."""
    typed = next((request.args[name] for name in ("pol", "pod", "port", "q") if request.args.get(name)), "")
    locale = str(get_locale())
    return render_template("reference/_port_options.html", ports=find_ports(typed),
                           names={p.code: localized_name(p, locale) for p in find_ports(typed)})
