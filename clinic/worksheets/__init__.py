"""The worksheet engine: definitions as data, and everything derived from them."""

from clinic.worksheets.conditions import hidden_items, show_if_words
from clinic.worksheets.evaluation import Evaluation, evaluate, is_answered
from clinic.worksheets.forms import answers_from_form, build_form, validate
from clinic.worksheets.loader import DefinitionError, WorksheetLibrary, load_definition, load_library
from clinic.worksheets.schema import Definition, Group

__all__ = [
    "Definition", "DefinitionError", "Evaluation", "Group", "WorksheetLibrary",
    "answers_from_form", "build_form", "evaluate", "hidden_items", "is_answered",
    "load_definition", "load_library", "show_if_words", "validate",
]
