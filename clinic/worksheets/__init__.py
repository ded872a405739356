"""The worksheet engine: definitions as data, and everything derived from them."""

from clinic.worksheets.conditions import hidden_items, show_if_words
from clinic.worksheets.evaluation import Evaluation, evaluate, is_answered
from clinic.worksheets.fields import REQUIRED_MESSAGE
from clinic.worksheets.forms import build_form
from clinic.worksheets.loader import DefinitionError, WorksheetLibrary, load_definition, load_library
from clinic.worksheets.posted import CONTROL_KEYS, Posted, read_posted
from clinic.worksheets.schema import Definition, Group

__all__ = [
    "CONTROL_KEYS", "REQUIRED_MESSAGE", "Definition", "DefinitionError", "Evaluation", "Group", "Posted",
    "WorksheetLibrary", "build_form", "evaluate", "hidden_items", "is_answered", "load_definition", "load_library",
    "read_posted", "show_if_words",
]
