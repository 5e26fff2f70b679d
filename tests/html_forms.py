"""Reading the values a returned form shows, as a browser would fill them in."""
from html.parser import HTMLParser


class _FormValues(HTMLParser):
    """The values a rendered form would send: inputs, checked boxes, selected options, textareas."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values, self._select, self._textarea = {}, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name:
            if a.get("type") == "checkbox":
                self.values[name] = "checked" in a
            elif a.get("type") not in ("submit", "button"):
                self.values[name] = a.get("value") or ""
        elif tag == "select" and name:
            self._select = name
            self.values.setdefault(name, None)
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value")
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            if self._textarea and self.values[self._textarea].startswith(("\r\n", "\n")):
                self.values[self._textarea] = self.values[self._textarea].split("\n", 1)[1]
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data


def form_values(response) -> dict:
    parser = _FormValues()
    parser.feed(response.get_data(as_text=True))
    return parser.values
