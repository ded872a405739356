"""The one way from a posted worksheet form to answers: `read_posted`.

Routes hand over the request's form data and get back the answers, their
status and the form to show again; they need not know how fields are named,
how text is cleaned or what a submission requires.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from clinic.forms import error_list
from clinic.worksheets.conditions import Answers
from clinic.worksheets.forms import answers_from_form, build_form, require_answers
from clinic.worksheets.schema import Definition

# Form keys that are not answers (the page's own controls); anything else must name an item.
CONTROL_KEYS = frozenset({"csrf_token", "version", "action"})
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
    form: FlaskForm | None = None

    @property
    def errors(self) -> list[tuple[str, str, str]]:
        """(field id, label, message) for each problem, in page order."""
        return error_list(self.form) if self.form is not None else []


def read_posted(definition: Definition, formdata: MultiDict, *, submit: bool) -> Posted:
    """Read a posted form: clean the text, check every answer, and on `submit` what is required."""
    if unknown_keys(definition, formdata):
        return Posted("forged", {})
    form = build_form(definition, formdata=clean(formdata))
    if not form.validate():
        return Posted("invalid", {}, form)
    answers = answers_from_form(definition, form)
    if submit and not require_answers(definition, form, answers):
        return Posted("incomplete", answers, form)
    return Posted("ok", answers, form)


def unknown_keys(definition: Definition, formdata: MultiDict) -> list[str]:
    """Posted keys that are neither controls nor items of this worksheet (nor rows beyond a group's limit)."""
    patterns = [item.posted_key() for item in definition.items]
    return [key for key in formdata.keys() if key not in CONTROL_KEYS and not any(
        (match := pattern.fullmatch(key)) and int(match.group(1) or 0) < rows for pattern, rows in patterns)]


def clean(formdata: MultiDict) -> MultiDict:
    """Each value as the client meant it: one kind of line break, no invisible control characters,
    at most one blank line in a row (so limits count what the client sees)."""
    return MultiDict([(key, clean_text(value)) for key, value in formdata.items(multi=True)])


def clean_text(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    text = UNWANTED_CHARACTERS.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    return BLANK_LINES.sub("\n\n", text)
