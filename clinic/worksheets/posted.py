"""The one way from a posted worksheet form to answers: `read_posted`.

Routes hand over the request's form data and get back the answers, their
status and the form to show again; they need not know how fields are named,
how text is cleaned or what a submission requires.

A form may carry one part of a worksheet (its `part` says which, counted from
1), none of it (`part=none`: the send page) or all of it (no `part`). The
answers of the items it does not carry are the saved ones: an unticked box is
not posted at all, so only the items on the page may change.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from clinic.forms import error_list
from clinic.worksheets.conditions import Answers
from clinic.worksheets.evaluation import missing_answers
from clinic.worksheets.forms import answers_from_form, build_form, require_answers
from clinic.worksheets.items import AskTheForm
from clinic.worksheets.schema import Definition

# Form keys that are not answers (the page's own controls); anything else must name an item.
CONTROL_KEYS = frozenset({"csrf_token", "version", "action", "part"})
NO_PART = "none"
# Control characters (C0 but tab, line feed and carriage return; DEL; C1) and lone surrogates:
# invisible, unprintable, and refused by PostgreSQL's JSON (NUL).
UNWANTED_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
BLANK_LINES = re.compile(r"\n(?:[ \t]*\n){2,}")


@dataclass(frozen=True)
class Posted:
    """What a posted worksheet form said.

    `status` is "forged" (keys that are not this worksheet's: nothing was read),
    "invalid" (something is not well-formed: nothing may be stored), "incomplete"
    (a submission without every required answer: the answers may still be kept
    as a draft) or "ok".
    """

    status: Literal["forged", "invalid", "incomplete", "ok"]
    answers: Answers
    make_form: Callable[[], FlaskForm | None] = field(default=lambda: None, repr=False)

    @cached_property
    def form(self) -> FlaskForm | None:
        """The form to show again; a draft read without it (see `read_posted`) builds it when asked."""
        return self.make_form()

    @property
    def errors(self) -> list[tuple[str, str, str]]:
        """(field id, label, message) for each problem, in page order."""
        return error_list(self.form) if self.form is not None else []


def read_posted(definition: Definition, formdata: MultiDict, *, submit: bool, saved: Answers | None = None) -> Posted:
    """Read a posted form: clean the text, check every answer, and on `submit` what is required.

    `saved` holds the answers of the items the form does not carry (see above).
    What a page posts when all is well is read by the item types directly
    (`quick_read`), and a submission with nothing missing is sent without the
    form; anything else goes through the form, which says what is wrong.
    """
    carried = carried_items(definition, formdata.get("part"))
    if carried is None or unknown_keys(definition, formdata, carried):
        return Posted("forged", {})
    cleaned = clean(formdata)

    def validated_form() -> FlaskForm:
        form = build_form(definition, formdata=cleaned)
        form.validate()
        return form

    if (quick := quick_answers(definition, cleaned, carried)) is not None:
        answers = _with_kept(definition, quick, saved, carried)
        if not submit or not missing_answers(definition, answers):
            return Posted("ok", answers, validated_form)
    form = build_form(definition, formdata=cleaned)
    if not form.validate():
        return Posted("invalid", {}, lambda: form)
    answers = _with_kept(definition, answers_from_form(definition, form), saved, carried)
    if submit:
        if len(carried) < len(definition.items):  # the items not on the page are checked as saved
            form = build_form(definition, answers=answers, formdata=None)
        if not require_answers(definition, form, answers):
            return Posted("incomplete", answers, lambda: form)
    return Posted("ok", answers, lambda: form)


def _with_kept(definition: Definition, posted: Answers, saved: Answers | None, carried: frozenset[str]) -> Answers:
    """The posted answers of the items the form carries, the saved ones of the others, in definition order."""
    kept = saved or {}
    return {item.id: value for item in definition.items
            if (value := posted.get(item.id) if item.id in carried else kept.get(item.id)) is not None}


def quick_answers(definition: Definition, formdata: MultiDict, carried: frozenset[str]) -> Answers | None:
    """The carried items' answers read by their types, or None when one of them needs the form."""
    posted = formdata.to_dict(flat=False)
    try:
        read = {item.id: item.quick_answer(posted) for item in definition.items if item.id in carried}
    except AskTheForm:
        return None
    return {item_id: value for item_id, value in read.items() if value is not None}


def carried_items(definition: Definition, part: str | None) -> frozenset[str] | None:
    """Ids of the items a form with this `part` carries; None for a part the worksheet does not have."""
    if part is None:
        return frozenset(item.id for item in definition.items)
    if part == NO_PART:
        return frozenset()
    if not (part.isascii() and part.isdigit() and len(part) <= 3) or not 1 <= int(part) <= len(definition.sections):
        return None
    return frozenset(item.id for item in definition.sections[int(part) - 1].items)


def unknown_keys(definition: Definition, formdata: MultiDict, carried: frozenset[str]) -> list[str]:
    """Posted keys that are neither controls nor items the form carries (nor rows beyond a group's limit)."""
    patterns = {item.id: item.posted_key for item in definition.items if item.id in carried}

    def known(key: str) -> bool:
        own = [patterns[key]] if key in patterns else []  # most keys are an item's id: try its pattern first
        return any((match := pattern.fullmatch(key)) and int(match.group(1) or 0) < rows
                   for pattern, rows in [*own, *patterns.values()])

    return [key for key in formdata.keys() if key not in CONTROL_KEYS and not known(key)]


def clean(formdata: MultiDict) -> MultiDict:
    """Each value as the client meant it: one kind of line break, no invisible control characters,
    at most one blank line in a row (so limits count what the client sees)."""
    return MultiDict([(key, clean_text(value)) for key, value in formdata.items(multi=True)])


def clean_text(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    text = UNWANTED_CHARACTERS.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    return BLANK_LINES.sub("\n\n", text)
