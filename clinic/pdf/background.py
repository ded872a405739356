"""Packets ready before they are asked for.

When a client submits, or the clinician comments, reviews or changes the agenda,
the queue renders the affected worksheet PDFs and the client's packet (with the
packet form's defaults) into the cache, so the clinician's download is served
from it. Asked before that is done, the download renders on demand as before;
the cache key covers everything the packet shows, so it is never stale.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from clinic.extensions import db
from clinic.models import SENT_STATUSES, Assignment, Client
from clinic.pdf.rendering import RenderRefused
from clinic.pdf.services import assignment_pdf, default_packet_options, default_paper, packet_pdf
from clinic.tasks import enqueue, jobs


def prerender_later(client: Client, assignments: Iterable[Assignment] = ()) -> None:
    """Queue the re-render (after the change is committed)."""
    enqueue(jobs.prerender_pdfs, client.id, [assignment.id for assignment in assignments])


def prerender(client_id: int, assignment_ids: list[int]) -> None:
    client = db.session.get(Client, client_id)
    if client is None or client.archived:
        return
    clinician = client.clinician
    paper = default_paper()
    documents = []
    for assignment_id in assignment_ids:
        assignment = db.session.get(Assignment, assignment_id)
        if assignment is not None and assignment.client_id == client.id and assignment.status in SENT_STATUSES:
            documents.append(lambda assignment=assignment: assignment_pdf(assignment, clinician, paper))
    documents.append(lambda: packet_pdf(client, clinician, default_packet_options(client)))
    for render in documents:
        with contextlib.suppress(RenderRefused):  # too slow or too long: the download says so, retrying cannot help
            render()
    db.session.commit()
