"""Trends have no pages of their own: the client page, the review page and the packet cover
read them (clinic.trends.services) and pass them to the templates; this blueprint registers the chart."""

from __future__ import annotations

from flask import Blueprint

from clinic.trends import charts

bp = Blueprint("trends", __name__)

bp.add_app_template_global(charts.chart_svg, "trend_chart_svg")
