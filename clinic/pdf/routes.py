"""PDF downloads: a filled worksheet, a blank printable, and the session-prep packet.

Each download loads the object, checks it is the signed-in clinician's (404
otherwise), serves the PDF from the cache or renders it, and writes an audit event.
"""

from __future__ import annotations

import re
import unicodedata

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_login import current_user, login_required

from clinic import audit
from clinic.assignments.services import get_own_assignment
from clinic.clients.services import get_own_client
from clinic.errors import render_error
from clinic.extensions import db
from clinic.models import AuditAction
from clinic.pdf import services
from clinic.pdf.forms import packet_form
from clinic.pdf.rendering import RenderRefused

bp = Blueprint("pdf", __name__)
bp.add_app_template_filter(services.print_text, "print_text")

for _helper in (services.write_in_lines, services.blank_rows, services.fits_on_one_line):
    bp.add_app_template_global(_helper)
bp.add_app_template_global(services.default_paper, "pdf_default_paper")
bp.add_app_template_global(services.PAPER_SIZES, "pdf_paper_sizes")
bp.add_app_template_global(services.PACKET_CHOICES, "pdf_packet_choices")


@bp.errorhandler(RenderRefused)
def refused(error: RenderRefused):
    """A PDF too slow or too long to make: say so plainly; the server is free for the next request."""
    return render_error(503, "This PDF was not made", f"{error.message} Nothing is lost: the answers are "
                        "still on the review page. Try again later, or print fewer worksheets at once."), 503


def _paper() -> str:
    paper = request.args.get("paper") or services.default_paper()
    if paper not in services.PAPER_SIZES:
        abort(400, f"Paper size must be one of: {', '.join(services.PAPER_SIZES)}.")
    return paper


def file_label(text: str) -> str:
    """Text as a file-name part: 'Robin Ó. Brien' -> 'robin-o-brien' (ASCII, no path characters)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", plain.lower())) or "client"


def _download(pdf: bytes, filename: str) -> Response:
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/assignments/<int:assignment_id>/pdf")
@login_required
def assignment_pdf(assignment_id: int):
    assignment = get_own_assignment(assignment_id)
    paper = _paper()
    pdf, rendered = services.assignment_pdf(assignment, current_user._get_current_object(), paper)
    audit.record(AuditAction.PDF_WORKSHEET_DOWNLOADED, assignment, rendered=rendered, paper=paper)
    db.session.commit()
    return _download(pdf, f"worksheet-{assignment.id}-{assignment.worksheet_id}.pdf")


@bp.route("/worksheets/<worksheet_id>/blank.pdf")
@login_required
def blank(worksheet_id: str):
    definition = current_app.extensions["worksheets"].get(worksheet_id) or abort(404)
    paper = _paper()
    pdf, rendered = services.blank_pdf(definition, current_user._get_current_object(), paper)
    audit.record(AuditAction.PDF_BLANK_DOWNLOADED, None, worksheet_id=definition.id, version=definition.version,
                 rendered=rendered, paper=paper)
    db.session.commit()
    return _download(pdf, f"{definition.id}-blank.pdf")


@bp.route("/clients/<int:client_id>/packet", methods=["GET", "POST"])
@login_required
def packet(client_id: int):
    """POST makes the packet; GET (and a POST with mistakes) shows the form on its own page."""
    client = get_own_client(client_id)
    form = packet_form(client, formdata=request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        options = form.options()
        pdf, rendered = services.packet_pdf(client, current_user._get_current_object(), options)
        services.record_packet(client, options)
        audit.record(AuditAction.PDF_PACKET_DOWNLOADED, client, rendered=rendered, paper=options.paper,
                     session_date=options.session_date.isoformat(), assignments=list(options.assignment_ids))
        db.session.commit()
        return _download(pdf, f"packet-{file_label(client.display_name)}-{options.session_date.isoformat()}.pdf")
    audit.record(AuditAction.PACKET_FORM_VIEW, client)
    db.session.commit()
    status = 400 if form.errors else 200
    return render_template("pdf/packet_form.html", client=client, packet_form=form), status
