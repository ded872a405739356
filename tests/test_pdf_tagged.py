"""PDFs a screen reader can read: tagged PDF/UA-1 with a structure tree, a language and a title shown."""

from __future__ import annotations

import io
from collections import Counter

import pikepdf
import pytest
from tests.support.packets import make_packet
from tests.support.samples import sample_answers



def structure_roles(pdf: bytes) -> Counter[str]:
    """Every structure element's role (H1, P, L, Table …), counted over the whole tree."""
    roles: Counter[str] = Counter()
    with pikepdf.open(io.BytesIO(pdf)) as document:
        root = document.Root
        assert "/StructTreeRoot" in root, "the PDF has no structure tree"
        assert root.MarkInfo.Marked is True
        assert str(root.Lang) == "en"
        assert root.ViewerPreferences.DisplayDocTitle is True
        stack = [root.StructTreeRoot]
        while stack:
            node = stack.pop()
            kids = node.get("/K")
            if kids is None:
                continue
            for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
                if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    roles[str(kid.S).lstrip("/")] += 1
                    stack.append(kid)
    return roles


@pytest.mark.parametrize("worksheet_id", ["origins-mapping", "security-building-plan"])
def test_a_worksheet_pdf_is_tagged_with_headings_and_paragraphs(signed_in, make, jordan, worksheet_id):  # noqa: F811
    assignment = make.assignment(jordan, worksheet_id, status="submitted", answers=sample_answers(worksheet_id))

    roles = structure_roles(signed_in.get(f"/assignments/{assignment.id}/pdf").data)

    assert roles["H1"] >= 1 and roles["H2"] >= 1
    assert roles["P"] >= 5


def test_the_packet_is_tagged_with_its_contents_as_a_list_and_tables_as_tables(signed_in, make, jordan):  # noqa: F811
    chosen = [make.assignment(jordan, worksheet_id, status="submitted", answers=sample_answers(worksheet_id))
              for worksheet_id in ("origins-mapping", "partner-source-checklist", "security-building-plan")]

    roles = structure_roles(make_packet(signed_in, jordan, assignments=chosen).data)

    assert roles["H1"] >= 4  # the cover and each worksheet
    assert roles["L"] >= 1 and roles["LI"] >= 3  # the table of contents
    assert roles["Table"] >= 1 and roles["TD"] >= 2  # the plan's goals
