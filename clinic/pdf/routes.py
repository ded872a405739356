"""PDF downloads."""

from flask import Blueprint

bp = Blueprint("pdf", __name__, url_prefix="/pdf")
