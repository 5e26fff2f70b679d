"""Every marked string is translated in both Chinese catalogs, nothing fuzzy, terms per the glossary."""
import csv
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "translations" / "glossary.csv"  # a copy of the department glossary, kept identical
LOCALES = ("zh_Hant", "zh_Hans")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def marked_strings() -> set[str]:
    """What the code and templates mark, extracted as `make extract-messages` does."""
    method_map = [("portal/**.py", "python"), ("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"trimmed": "true"}}
    found = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(
            str(ROOT), method_map, options_map=options, keywords=KEYWORDS):
        found.add(message[0] if isinstance(message, tuple) else message)
    return {m for m in found if m}


def catalog(locale):
    with open(ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return {(m.id[0] if isinstance(m.id, tuple) else m.id): m for m in read_po(fh) if m.id}


@pytest.fixture(scope="module")
def marked():
    return marked_strings()


@pytest.mark.parametrize("locale", LOCALES)
def test_every_marked_string_is_in_the_catalog(marked, locale):
    missing = sorted(marked - catalog(locale).keys())
    assert not missing, f"{len(missing)} strings missing from {locale}: {missing[:10]}"


@pytest.mark.parametrize("locale", LOCALES)
def test_no_untranslated_or_fuzzy_entries(locale):
    problems = []
    for msgid, message in catalog(locale).items():
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(msgid)
            continue
        wanted = set(PLACEHOLDER.findall(message.id[-1] if isinstance(message.id, tuple) else message.id))
        if any(set(PLACEHOLDER.findall(s)) != wanted for s in strings):
            problems.append(msgid)
    assert not problems, f"{locale}: {problems[:10]}"


def test_taiwan_and_mainland_vocabulary_differ_where_the_glossary_says():
    """Spot-check glossary terms the screens use: each catalog uses its own region's word."""
    with open(GLOSSARY, encoding="utf-8") as fh:
        rows = {row["en"]: row for row in csv.DictReader(fh)}
    hant, hans = catalog("zh_Hant"), catalog("zh_Hans")
    for msgid, term in (("Peer forwarder", "peer forwarder"), ("Direct customer", "direct customer"),
                        ("New hire", "new hire"), ("Credit limit", "credit limit"), ("Credit terms", "credit terms"),
                        ("Supervisor", "supervisor")):
        assert rows[term]["zh_Hant"] in hant[msgid].string, msgid
        assert rows[term]["zh_Hans"] in hans[msgid].string, msgid


def test_compiled_catalogs_are_what_the_app_serves(app):
    from flask_babel import force_locale, gettext
    with app.test_request_context():
        with force_locale("zh_Hant"):
            assert gettext("Customers") == catalog("zh_Hant")["Customers"].string
        with force_locale("zh_Hans"):
            assert gettext("Customers") == catalog("zh_Hans")["Customers"].string


def glossary_terms(en: str) -> dict[str, set[str]]:
    """The glossary's Chinese for an English term, per locale (a term listed twice allows both)."""
    with open(GLOSSARY, encoding="utf-8") as fh:
        rows = [row for row in csv.DictReader(fh) if row["en"] == en]
    assert rows, f"{en!r} is not in the glossary"
    return {loc: {part for row in rows for part in row[loc].split("/")} for loc in LOCALES}


# One Chinese term per glossary entry: wherever a marked string says the English term, its
# translation uses the glossary's word, and never one of the words that used to stand in for it.
KEY_TERMS = (
    # (English in the msgid, glossary entry, {locale: words that must not stand in for it})
    (r"\bunacknowledged\b", "unacknowledged (handover)", {}),
    (r"(?<!un)\backnowledg", "acknowledge (handover)", {"zh_Hant": {"確認收到"}, "zh_Hans": {"确认收到"}}),
    (r"\bfollow[- ]?ups?\b", "follow up / follow-up", {"zh_Hant": {"跟進", "追踪"}, "zh_Hans": {"跟進", "追踪", "跟踪"}}),
    (r"\bapprov(e|es|ed|ing)\b", "approve (a quote)", {"zh_Hant": {"審核", "批准"}, "zh_Hans": {"审核", "核准"}}),
    (r"\bchang(e|es|ed|ing)\b", "change (a record)",
     {"zh_Hant": {"修改", "調整", "變動", "更改"}, "zh_Hans": {"修改", "调整", "变动", "更改"}}),
    (r"\bremov(e|es|ed|ing)\b", "remove", {"zh_Hant": {"刪除"}, "zh_Hans": {"删除"}}),
    (r"\bhandover notes?\b", "handover note", {"zh_Hant": {"交接單", "交接紀錄"}, "zh_Hans": {"交接单"}}),
    (r"\bsupervisors?\b", "supervisor", {}),
    (r"\bquotations?\b", "quotation", {}),
    (r"\brate cards?\b", "rate card", {}),
    (r"\bstatus links?\b", "status link", {}),
    (r"\bnew hires?\b", "new hire", {}),
    (r"\boverdue\b", "overdue", {}),
    (r"\bcredit limit\b", "credit limit", {}),
    (r"\bcredit terms\b", "credit terms", {}),
    (r"\bpeer forwarders?\b", "peer forwarder", {}),
)


# Where the English word means something else than the glossary's term (a vessel changed at a
# transshipment port is 改配船/換船, not a record's 變更).
OTHER_SENSE = {"Change of vessel", "This shipment is transshipped: it changes vessel on the way."}

# Words a region's catalog never uses, whatever the English says.
NEVER = {"zh_Hant": ("跟進", "激活"), "zh_Hans": ("调整", "变动")}


@pytest.mark.parametrize("locale", LOCALES)
def test_key_terms_read_the_same_everywhere(locale):
    problems = []
    for msgid, message in catalog(locale).items():
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        english = " ".join(message.id) if isinstance(message.id, tuple) else message.id
        problems += [f"{msgid!r} -> {text!r} (says {word})" for text in strings for word in NEVER[locale] if word in text]
        for pattern, term, banned in KEY_TERMS:
            if msgid in OTHER_SENSE or not re.search(pattern, english, re.IGNORECASE):
                continue
            wanted = glossary_terms(term)[locale]
            for text in strings:
                if not any(w in text for w in wanted):
                    problems.append(f"{term}: {msgid!r} -> {text!r} (wants {'/'.join(sorted(wanted))})")
                if term == "approve (a quote)" and re.search(r"\bapproval", english, re.IGNORECASE):
                    continue   # "submit for approval" is the approval queue's 審核 / 审核
                for word in banned.get(locale, ()):
                    # The glossary's own compounds stay (報價審核 is the approval queue).
                    if word in text.replace("報價審核", "").replace("报价审核", ""):
                        problems.append(f"{term}: {msgid!r} -> {text!r} (says {word})")
    assert not problems, f"{len(problems)} in {locale}:\n" + "\n".join(problems[:80])
