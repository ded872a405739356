"""Pages of a long list, several per page if need be, each with its own page parameter."""

from __future__ import annotations

import math
from dataclasses import dataclass
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from flask import current_app, request, url_for
from werkzeug.datastructures import MultiDict
from sqlalchemy import Select, func, select

from clinic.extensions import db


@dataclass(frozen=True)
class Page:
    items: list[Any]
    number: int
    per_page: int
    total: int
    param: str

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    def link(self, number: int) -> str:
        """This page's address with only this list moved to page `number`.

        The query string is copied as sent, encoded, never passed to `url_for`:
        there a parameter named like a URL part (`_anchor`, `_method`, a view
        argument) would change the address or fail to build it.
        """
        query = MultiDict(request.args)
        query[self.param] = str(number)
        path = url_for(request.endpoint, **request.view_args)
        return f"{path}?{urlencode(list(query.items(multi=True)))}#{self.param}"


def paginate(statement: Select, param: str, *, row: Callable[..., Any] | None = None) -> Page:
    """One page of `statement` (two queries: the count, then the page's items).

    The page number comes from the request's `param`; a number past the end
    shows the last page. Items are the first column of each result row, or,
    with `row`, `row(*columns)` for a statement that selects an object with
    figures about it.
    """
    per_page = current_app.config["PER_PAGE"]
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    pages = max(1, math.ceil(total / per_page))
    number = min(max(1, request.args.get(param, 1, type=int)), pages)
    this_page = statement.limit(per_page).offset((number - 1) * per_page)
    items = ([row(*columns) for columns in db.session.execute(this_page)] if row
             else list(db.session.scalars(this_page)))
    return Page(items=items, number=number, per_page=per_page, total=total, param=param)
