"""The client page, shown by its own view and again, with a form's errors, by the views that post to it.

It lives apart from the routes so that other blueprints' routes can show it
without importing this blueprint's routes. Everything it shows is read here
and passed in: the templates call no query functions.
"""

from __future__ import annotations

from clinic import words
from clinic.assignments.forms import AssignForm
from clinic.assignments.series import running_series
from clinic.assignments.services import open_worksheet_ids, worksheet_row, worksheet_table, worksheet_table_count
from clinic.clients.forms import AgendaForm
from clinic.clients.pagination import paginate
from clinic.mail.services import latest_failure
from clinic.models import AuditAction, Client
from clinic.pages import audited_page
from clinic.pdf.forms import packet_form
from clinic.portal.services import link_panel
from clinic.trends.services import client_trends


def render_client_page(client: Client, *, agenda_form: AgendaForm | None = None,
                       assign_form: AssignForm | None = None, status: int = 200):
    return audited_page(
        "clients/detail.html", AuditAction.CLIENT_VIEW, client,
        status=status,
        client=client,
        agenda_form=agenda_form or AgendaForm(formdata=None, agenda=client.agenda),
        assign_form=assign_form or AssignForm(formdata=None),
        packet_form=packet_form(client),
        assignments=paginate(worksheet_table(client), "worksheets", row=worksheet_row(),
                             count=worksheet_table_count(client)),
        open_worksheets=open_worksheet_ids(client),
        running_series=running_series(client),
        trends=client_trends(client),
        email_failure=latest_failure(client),
        portal_links=link_panel(client),
        today=words.today(),
    )
