"""Strings waiting in translations/pending/*.json ({"msgid": ["zh_Hant", "zh_Hans"]}) until they are
merged into the catalogs: tests read them behind the compiled catalogs, so Chinese pages can be
checked before the merge (tests/core/test_catalogs.py still reports them missing until then)."""
import gettext
import json
from pathlib import Path

PENDING = Path(__file__).resolve().parents[1] / "translations" / "pending"


class _Pending(gettext.NullTranslations):
    def __init__(self, strings: dict[str, str]):
        super().__init__()
        self._strings = strings

    def gettext(self, message):
        return self._strings.get(message) or message

    def ngettext(self, singular, plural, n):
        found = self._strings.get(singular)
        return found if found else (singular if n == 1 else plural)


def install(app) -> None:
    """Put the pending strings behind each Chinese catalog the app serves."""
    files = sorted(PENDING.glob("*.json"))
    if not files:
        return
    from flask_babel import force_locale, get_translations
    merged: dict[str, list[str]] = {}
    for path in files:
        merged.update(json.loads(path.read_text(encoding="utf-8")))
    with app.test_request_context():
        for index, locale in enumerate(("zh_Hant", "zh_Hans")):
            with force_locale(locale):
                catalog = get_translations()
                catalog.add_fallback(_Pending({k: v[index] for k, v in merged.items() if v and v[index]}))
