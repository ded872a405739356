"""Building blocks shared by every part of a worksheet definition."""

from __future__ import annotations

from typing import Annotated, Any, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictInt, StrictStr

Slug = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$", max_length=60)]
# Option values are slugs; the portal relies on that to tell typed text from ticked options.
OPTION_VALUE_PATTERN = r"[a-z0-9][a-z0-9-]{0,59}"
OptionValue = Annotated[str, Field(pattern=f"^{OPTION_VALUE_PATTERN}$")]
Text = Annotated[str, Field(min_length=1, max_length=4000)]
ShortLabel = Annotated[str, Field(min_length=1, max_length=40)]


def _no_booleans(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("yes/no values must be written in quotes (\"yes\", \"no\"); YAML reads them as true/false")
    return value


MatchValue = Annotated[Union[StrictInt, StrictStr], BeforeValidator(_no_booleans)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
