"""Static files (CSS, JS, icons) cached by browsers for a year: every URL carries a hash of the
file's content (?v=...), so a changed file is a new URL and nobody sees a stale one."""
import hashlib
from pathlib import Path

from flask import request

YEAR = 365 * 24 * 3600
_versions: dict[str, str] = {}


def _version(app, filename: str) -> str | None:
    key = f"{app.static_folder}/{filename}"
    if key not in _versions:
        path = Path(app.static_folder) / filename
        try:
            _versions[key] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        except OSError:
            return None
    return _versions[key]


def register(app) -> None:
    @app.url_defaults
    def add_version(endpoint, values):
        if endpoint == "static" and "v" not in values and "filename" in values:
            version = _version(app, values["filename"])
            if version:
                values["v"] = version

    default_max_age = app.get_send_file_max_age

    def max_age(filename):
        # Versioned URLs never change content: cache them for a year; others as Flask would.
        if request.args.get("v"):
            return YEAR
        return default_max_age(filename)

    app.get_send_file_max_age = max_age

    @app.after_request
    def immutable(response):
        if request.endpoint == "static" and response.status_code == 304:
            # Not modified: nothing is sent, and the file opened for it is closed now (not left
            # for the garbage collector).
            body = response.response
            if hasattr(body, "close"):
                body.close()
            response.response = []
        if request.endpoint == "static" and response.status_code == 200:
            # Read the (small) file now, so that the response is compressed like a page and the
            # file closed at once, rather than streamed.
            body = response.response
            data = b"".join(body)
            if hasattr(body, "close"):
                body.close()
            response.direct_passthrough = False
            response.set_data(data)
            if request.args.get("v"):
                response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
        return response
