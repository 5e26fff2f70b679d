"""Until a branch's new strings are merged into translations/*/messages.po, their Chinese waits
in translations/pending/<feature>.json ({"msgid": ["zh_Hant", "zh_Hans"]}, plurals keyed by the
singular). Tests that read a page in Chinese compile those into catalogs of their own and put them
after the real ones: the catalogs' own translations come first, the pending ones fill the gaps."""
import json
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo

ROOT = Path(__file__).resolve().parents[1]
PENDING = ROOT / "translations" / "pending"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
_compiled: dict[str, str] = {}


def _plural_ids() -> dict[str, tuple]:
    method_map = [("portal/**.py", "python"), ("templates/**.html", "jinja2")]
    found = {}
    for _f, _l, message, _c, _ctx in extract_from_dir(str(ROOT), method_map, keywords=KEYWORDS,
                                                      options_map={"templates/**.html": {"trimmed": "true"}}):
        if isinstance(message, tuple) and message[1]:
            found[message[0]] = message
    return found


def compile_pending() -> str | None:
    """A translations directory holding the pending strings, compiled (once per run); None if none wait."""
    files = sorted(PENDING.glob("*.json")) if PENDING.exists() else []
    if not files:
        return None
    if "dir" in _compiled:
        return _compiled["dir"]
    entries = {}
    for path in files:
        entries.update(json.loads(path.read_text(encoding="utf-8")))
    plurals = _plural_ids()
    target = Path(tempfile.mkdtemp(prefix="portal-pending-catalogs-"))
    for index, locale in enumerate(("zh_Hant", "zh_Hans")):
        catalog = Catalog(locale=locale, domain="messages")
        for msgid, texts in entries.items():
            text = texts[index]
            if msgid in plurals:
                catalog.add(plurals[msgid], string=(text,))
            else:
                catalog.add(msgid, string=text)
        folder = target / locale / "LC_MESSAGES"
        folder.mkdir(parents=True)
        with open(folder / "messages.mo", "wb") as fh:
            write_mo(fh, catalog)
    _compiled["dir"] = str(target)
    return _compiled["dir"]


def use_pending(app) -> None:
    """Serve the pending strings after the app's own catalogs (which win where both have one)."""
    folder = compile_pending()
    if folder is None:
        return
    babel = app.extensions["babel"]
    if folder not in babel.translation_directories:
        babel.translation_directories = [folder] + list(babel.translation_directories)
        with app.app_context():
            babel.instance.domain_instance.cache.clear()
