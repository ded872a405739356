"""The worksheet definition schema: what a YAML file in `worksheets/` may say.

Definitions are immutable pydantic models, split by concern: `items` (one class
per item type), `rules` (conditions, summaries, flags) and `definition` (the
whole worksheet and its cross-references). The form builder, templates, PDFs
and summaries all read these models and nothing else.
"""

from clinic.worksheets.schema.base import OPTION_VALUE_PATTERN, MatchValue, ShortLabel, Slug, Strict, Text
from clinic.worksheets.schema.definition import Definition, Section
from clinic.worksheets.items import (
    FREQUENCY_OPTIONS,
    ITEM_TYPES,
    YES_NO_UNSURE_OPTIONS,
    DateItem,
    Frequency,
    Group,
    Item,
    ItemBase,
    LeafItem,
    LongText,
    MultiChoice,
    NumberItem,
    Option,
    Scale,
    ShortText,
    SingleChoice,
    YesNoUnsure,
)
from clinic.worksheets.schema.rules import (
    AllCondition,
    AnswerSummary,
    AnyCondition,
    Condition,
    CountSummary,
    Flag,
    ItemCondition,
    LeanSide,
    LeanSummary,
    ProfileSummary,
    RowsSummary,
    Signal,
    Summary,
    TagCondition,
)

__all__ = [
    "FREQUENCY_OPTIONS", "ITEM_TYPES", "OPTION_VALUE_PATTERN", "YES_NO_UNSURE_OPTIONS",
    "AllCondition", "AnswerSummary", "AnyCondition", "Condition", "CountSummary", "DateItem",
    "Definition", "Flag", "Frequency", "Group", "Item", "ItemBase", "ItemCondition", "LeafItem",
    "LeanSide", "LeanSummary", "LongText", "MatchValue", "MultiChoice", "NumberItem", "Option",
    "ProfileSummary", "RowsSummary", "Scale", "Section", "ShortLabel", "ShortText", "Signal",
    "SingleChoice", "Slug", "Strict", "Summary", "TagCondition", "Text", "YesNoUnsure",
]
