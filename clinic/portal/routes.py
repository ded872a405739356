"""The portal blueprint, whole: importing each module below registers the routes it serves.

`pages` (the client's pages), `saving` (the save pipeline and autosave
endpoint) and `links` (the clinician's create, replace and revoke).
"""

from __future__ import annotations

from clinic.portal import links, pages, saving
from clinic.portal.blueprint import bp

__all__ = ["bp", "links", "pages", "saving"]
