"""The only way WeasyPrint may load anything: the app's bundled static files and data: URLs.

Print templates refer to `css/print.css` and the fonts relative to the static
folder. Everything else — other files on this machine, the network, any other
scheme — is refused, so nothing in a document can reach out of the app, even if
some day a user's text did end up in a URL by mistake.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse

from clinic.config import PROJECT_ROOT

STATIC_ROOT = (PROJECT_ROOT / "clinic" / "static").resolve()
STATIC_BASE_URL = STATIC_ROOT.as_uri() + "/"

FONT_TYPES = {".ttf": "font/ttf", ".otf": "font/otf", ".woff": "font/woff", ".woff2": "font/woff2"}


class RefusedURL(ValueError):
    """A document asked for something outside the bundled static files."""


class StaticFilesFetcher(URLFetcher):
    """Serves files under `clinic/static/` and `data:` URLs; refuses every other URL."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = static_path(url)
        if path is None:
            raise RefusedURL(f"only the app's own static files may be loaded, not {url[:80]!r}")
        content_type = FONT_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


def static_path(url: str) -> Path | None:
    """The bundled file a `file:` URL names, or None if it points anywhere else."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost") or parts.query:
        return None
    path = Path(url2pathname(parts.path)).resolve()
    if not path.is_relative_to(STATIC_ROOT) or not path.is_file():
        return None
    return path
