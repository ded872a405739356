"""What every form in Groundwork shares."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import FieldList, StringField, TextAreaField


def strip(value):
    return value.strip() if isinstance(value, str) else value


class BaseForm(FlaskForm):
    """A form whose text fields arrive without surrounding whitespace."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            if issubclass(unbound_field.field_class, (StringField, TextAreaField)):
                filters = unbound_field.kwargs.get("filters", [])
                if strip not in filters:
                    unbound_field.kwargs["filters"] = [strip, *filters]
            return unbound_field.bind(form=form, **options)


def error_list(form: FlaskForm, only: list[str] | None = None) -> list[tuple[str, str, str]]:
    """(field id, label, message) for every error (of the fields named in `only`), in page order."""
    found: list[tuple[str, str, str]] = []
    for field in form:
        if field.name == "csrf_token" or (only is not None and field.name not in only):
            continue
        if isinstance(field, FieldList):
            found.extend((field.id, field.label.text, m) for m in field.errors if isinstance(m, str))
            for entry in field.entries:  # a row's label names it ("Goal 2"): see worksheets.items.group.Rows
                for sub in entry.form:
                    found.extend((sub.id, f"{entry.label.text}: {sub.label.text}", m) for m in sub.errors)
        else:
            found.extend((field.id, field.label.text, m) for m in field.errors if isinstance(m, str))
    return found
