"""Friendly error pages: every failure says what happened and what to do next."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

MESSAGES = {
    400: ("Something in that request was not right",
          "Please go back, check what you entered and try again."),
    403: ("You cannot open this page", "If you think you should be able to, sign in again."),
    404: ("We could not find that page",
          "It may have been moved, or the address may be incomplete. Check the address or go back."),
    405: ("That did not work", "Please go back and use the buttons on the page."),
    413: ("That was more than we can accept at once",
          "What you sent is larger than the limit. Please shorten your longest answers and try again; "
          "the page still has what you typed."),
    429: ("Too many attempts", "Please wait a few minutes before trying again."),
    500: ("Something went wrong on our side",
          "Nothing you did caused this. What was saved before is safe. Please try again in a moment."),
}


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(400, "This form has expired",
                            "For your safety, forms stop working after a while or after signing out. "
                            "Please go back, reload the page and try again."), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if isinstance(error, InternalServerError):
            return render_error(500), 500
        return render_error(error.code or 500, description=_own_description(error)), error.code

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return render_error(500), 500


def _own_description(error: HTTPException) -> str | None:
    """A description we wrote ourselves (abort(404, "…")), not werkzeug's default."""
    default = type(error).description
    return error.description if error.description and error.description != default else None


def render_error(code: int, title: str | None = None, description: str | None = None) -> str:
    default_title, default_description = MESSAGES.get(code, MESSAGES[500])
    return render_template(
        "errors/error.html",
        code=code,
        title=title or default_title,
        description=description or default_description,
    )
