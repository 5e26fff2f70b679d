"""Reading the portal's pages as a crawler does: their links and visible text, and URL shapes
(tests/core/test_crawler.py follows every link; tests/browser/test_screens.py opens one page of
each shape in Chromium)."""
import re
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urlsplit

TEXT_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
URL = re.compile(r"https?://\S+")
SKIP = ("/logout", "/static/", "/s/", "/api/", "/healthz")


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


def pages(client, max_pages: int, per_shape: int, start: str = "/"):
    """Breadth first from start: yields (path, response, found_on) for every page reached,
    following redirects and same-site links, at most per_shape pages of one URL shape."""
    seen_shapes, visited = Counter(), set()
    queue = deque([(start, "(start)")])
    while queue and len(visited) < max_pages:
        path, found_on = queue.popleft()
        if path in visited:
            continue
        visited.add(path)
        response = client.get(path)
        yield path, response, found_on
        if response.status_code in (301, 302, 303):
            target = urlsplit(response.headers["Location"])
            if target.path != "/login":
                queue.appendleft((target.path + (f"?{target.query}" if target.query else ""), path))
            continue
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        page = Page()
        page.feed(response.get_data(as_text=True))
        response.parsed = page
        for href in page.links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith(SKIP):
                continue
            link = parts.path + (f"?{parts.query}" if parts.query else "")
            if link in visited or seen_shapes[shape(link)] >= per_shape:
                continue
            seen_shapes[shape(link)] += 1
            queue.append((link, path))
