"""Follow every link as each role, on Chinese pages: no 5xx, no link to a page the same role is
refused (or that is missing), and no English left on a Chinese page outside codes and the
records' own data (a customer's English name is data; a button's label is not).

The demo data fills every screen. The crawl is bounded: a few pages per URL shape (a customer's
page is one shape whatever its id; a list with other filters is another), breadth first from
the home page.
"""
import re
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from portal.demo.data import load_demo
from portal.extensions import db
from tests.site_map import Page, pages, shape

LOCALES = ("zh_Hant", "zh_Hans")
USERS = ("agent", "newhire", "lead", "finance", "admin")     # one of each role (demo staff)
MAX_PAGES = 160              # per user and language
PER_SHAPE = 3                # pages of one URL shape

# What may stay in Latin letters on a Chinese page: codes and units the trade writes in English.
ALLOWED = {
    "FCL", "LCL", "B/L", "BL", "VGM", "ETA", "ETD", "ETB", "ATA", "ATD", "ATB", "IMO", "CY", "CFS", "DG", "OOG",
    "GRI", "BAF", "CAF", "THC", "DOC", "ISPS", "AMS", "ENS", "ACI", "EBS", "PSS", "LSS", "ALL", "IN", "VIP",
    "CSV", "Excel", "XLSX", "UTC", "GMT", "WeChat", "LINE", "E-mail", "Email", "DCSA", "API", "ID", "SMTP",
    "FOB", "CIF", "CFR", "EXW", "FCA", "CPT", "CIP", "DAP", "DPU", "DDP", "FAS", "Incoterms", "HS", "PDF",
    "GP", "HC", "HQ", "RF", "OT", "FR", "TK", "NOR", "USD", "TWD", "CNY", "RMB", "HKD", "JPY", "EUR", "SGD",
    "KRW", "VND", "THB", "MYR", "IDR", "PHP", "GBP", "AUD", "kg", "CBM", "TEU", "HTTP", "URL", "QR",
    "Track", "Trace",    # DCSA Track & Trace, the standard's name
}
CODE = re.compile(r"^(?:[A-Z0-9][A-Z0-9/&.+-]*|[A-Z][a-z]?[0-9][A-Za-z0-9-]*|[a-z]{1,2}[0-9]+)$")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'&/.+-]*[A-Za-z]|[A-Za-z]")


def data_vocabulary() -> set[str]:
    """Every Latin word stored in the records (names, addresses, notes, items): data, not labels."""
    words: set[str] = set()
    for table in db.metadata.sorted_tables:
        if table.name.startswith("search_") or table.name in ("audit_entry", "login_attempt"):
            continue
        columns = [c for c in table.columns if isinstance(c.type, (sa.String, sa.Text))
                   and c.name not in ("password_hash", "token_hash", "state", "status", "kind")]
        if not columns:
            continue
        rows = db.session.execute(sa.select(*columns))
        for row in rows:
            for value in row:
                if isinstance(value, str):
                    words.update(LATIN_WORD.findall(value))
    return words


def english_words(texts, vocabulary) -> list[str]:
    found = []
    for text in texts:
        for word in LATIN_WORD.findall(text):
            if word in ALLOWED or word in vocabulary or CODE.match(word) or len(word) == 1:
                continue
            found.append(word)
    return found


def crawl(app, username, password, locale, vocabulary):
    client = app.test_client()
    client.login_as(SimpleNamespace(username=username), password)
    client.form("/language", {"lang": locale, "next": "/"})
    visited, problems = [], []
    for path, response, found_on in pages(client, MAX_PAGES, PER_SHAPE):
        visited.append(path)
        status = response.status_code
        if status >= 500:
            problems.append(f"{status} {path} (linked from {found_on})")
        elif status in (403, 404):
            problems.append(f"{status} {path}: a link this user cannot follow (on {found_on})")
        elif status in (301, 302, 303) and urlsplit(response.headers["Location"]).path == "/login":
            problems.append(f"{path} logged the user out (on {found_on})")
        elif hasattr(response, "parsed"):
            words = english_words(response.parsed.texts, vocabulary)
            if words:
                problems.append(f"English on {path}: {sorted(set(words))[:12]}")
    return visited, problems


def test_every_link_as_every_role_in_chinese(app):
    with app.app_context():
        passwords = load_demo(customers=40)    # (one load for every role and language: it takes a while)
        db.session.commit()
        vocabulary = data_vocabulary()
    report = []
    for username in USERS:
        for locale in LOCALES:
            visited, problems = crawl(app, username, passwords[username], locale, vocabulary)
            if len(visited) < 15:
                problems.append(f"reached only {sorted(visited)}")
            report += [f"{username} {locale}: {p}" for p in problems]
    assert not report, f"{len(report)} problems:\n" + "\n".join(report[:80])


def test_the_crawler_tells_a_label_from_data_and_codes():
    page = Page()
    page.feed('<nav><button lang="en" title="English">EN</button></nav><h1>客戶</h1><p>Save changes</p>'
              '<td>TW-0001 FCL 40HQ Q2611-0001</td><td>Keller Logistik</td><code>gated_in</code>'
              '<input type="search" placeholder="Search…"><p>http://portal.example/s/abc</p>')
    assert sorted(set(english_words(page.texts, vocabulary={"Keller", "Logistik"}))) == ["Save", "Search", "changes"]
    assert shape("/customers/12?after=x&grade=A") == "/customers/{id}?after&grade"
