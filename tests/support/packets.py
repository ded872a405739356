"""Asking for a session-prep packet as the client page's form does, and reading its cover."""

from __future__ import annotations

from tests.support.posting import post_form


def make_packet(client, person, *, session="2026-03-10", since="last-packet", since_date="", assignments=None,
                paper="A4"):
    data = {"packet-session_date": session, "packet-changes_since": since, "packet-since_date": since_date,
            "packet-paper": paper}
    if assignments is not None:
        data["packet-assignments"] = [a.id for a in assignments]
    return post_form(client, f"/clients/{person.id}/packet", data)


def cover(pages: list[str]) -> str:
    """The cover pages' text: everything before the first worksheet."""
    return " ".join(pages[: next(i for i, page in enumerate(pages) if "WORKSHEET ANSWERS" in page)])
