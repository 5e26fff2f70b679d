"""Follow every link as each role, on Chinese pages: no 5xx, no link to a page the same role is
refused (or that is missing), and no English left on a Chinese page outside codes and the
records' own data (a customer's English name is data; a button's label is not).

The demo data fills every screen. The crawl is bounded: a few pages per URL shape (a customer's
page is one shape whatever its id; a list with other filters is another), breadth first from
the home page.
"""
import re
from collections import Counter, deque
from html.parser import HTMLParser
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from portal.demo.data import load_demo
from portal.extensions import db

LOCALES = ("zh_Hant", "zh_Hans")
USERS = ("agent", "newhire", "lead", "finance", "admin")     # one of each role (demo staff)
MAX_PAGES = 160              # per user and language
PER_SHAPE = 3                # pages of one URL shape
SKIP = ("/logout", "/static/", "/s/", "/api/", "/healthz")

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
TEXT_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
URL = re.compile(r"https?://\S+")


class Page(HTMLParser):
    """The links of a page and its visible text (and the attributes people read). Left out:
    scripts, machine values (<code>, <kbd>, <samp>) and what is marked as another language
    (lang="en": the language switch names English in English)."""

    SKIPPED = ("script", "style", "template", "code", "kbd", "samp")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.texts = [], []
        self._skipping: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href") and not attrs.get("download"):
            self.links.append(attrs["href"])
        if self._skipping or tag in self.SKIPPED or (attrs.get("lang") or "zh").startswith("en"):
            if tag not in ("input", "img", "br", "meta", "link"):
                self._skipping.append(tag)
            return
        for name in TEXT_ATTRIBUTES:
            if attrs.get(name):
                self.texts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.texts.append(attrs["value"])

    def handle_endtag(self, tag):
        if self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()

    def handle_data(self, data):
        if not self._skipping and data.strip():
            self.texts.append(URL.sub(" ", data))


def shape(path: str) -> str:
    """/customers/12?after=x&grade=A -> /customers/{id}?after&grade"""
    parts = urlsplit(path)
    template = re.sub(r"/\d+", "/{id}", parts.path)
    template = re.sub(r"/[A-Za-z0-9_-]{20,}", "/{token}", template)
    keys = sorted({pair.split("=")[0] for pair in parts.query.split("&") if pair})
    return template + ("?" + "&".join(keys) if keys else "")


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
    seen_shapes, visited = Counter(), set()
    queue = deque([("/", "(start)")])
    problems = []
    while queue and len(visited) < MAX_PAGES:
        path, found_on = queue.popleft()
        if path in visited:
            continue
        visited.add(path)
        response = client.get(path)
        status = response.status_code
        if status >= 500:
            problems.append(f"{status} {path} (linked from {found_on})")
            continue
        if status in (403, 404):
            problems.append(f"{status} {path}: a link this user cannot follow (on {found_on})")
            continue
        if status in (301, 302, 303):
            target = urlsplit(response.headers["Location"])
            if target.path == "/login":
                problems.append(f"{path} logged the user out (on {found_on})")
            else:
                queue.appendleft((target.path + (f"?{target.query}" if target.query else ""), path))
            continue
        if "text/html" not in response.content_type:
            continue
        page = Page()
        page.feed(response.get_data(as_text=True))
        words = english_words(page.texts, vocabulary)
        if words:
            problems.append(f"English on {path}: {sorted(set(words))[:12]}")
        for href in page.links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith(SKIP):
                continue
            link = parts.path + (f"?{parts.query}" if parts.query else "")
            if link in visited or seen_shapes[shape(link)] >= PER_SHAPE:
                continue
            seen_shapes[shape(link)] += 1
            queue.append((link, path))
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
