"""Trends have no pages of their own: they appear on the client page, the review page and
the packet cover, through the template helpers this blueprint registers."""

from __future__ import annotations

from flask import Blueprint

from clinic.trends import charts, services

bp = Blueprint("trends", __name__)

bp.add_app_template_global(services.client_trends, "client_trends")
bp.add_app_template_global(services.worksheet_trend, "worksheet_trend")
bp.add_app_template_global(charts.chart_svg, "trend_chart_svg")
