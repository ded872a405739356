"""The worksheet engine: definitions as data, and everything derived from them."""

from clinic.worksheets.conditions import condition_items, hidden_items, reads_only, show_if_words
from clinic.worksheets.evaluation import Evaluation, Missing, evaluate, is_answered, missing_answers
from clinic.worksheets.fields import REQUIRED_MESSAGE
from clinic.worksheets.forms import build_form
from clinic.worksheets.loader import DefinitionError, WorksheetLibrary, load_definition, load_library
from clinic.worksheets.posted import CONTROL_KEYS, NO_PART, Posted, carried_items, read_posted
from clinic.worksheets.schema import Definition, Group

__all__ = [
    "CONTROL_KEYS", "NO_PART", "REQUIRED_MESSAGE", "Definition", "DefinitionError", "Evaluation", "Group", "Missing",
    "Posted", "WorksheetLibrary", "build_form", "carried_items", "condition_items", "evaluate", "hidden_items",
    "is_answered", "load_definition", "load_library", "missing_answers", "read_posted", "reads_only",
    "show_if_words",
]
