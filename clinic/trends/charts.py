"""Trend charts as inline SVG drawn by matplotlib, made safe for a strict CSP.

matplotlib's SVG backend writes its styling into `style` attributes and a
`<style>` element, which a Content-Security-Policy without 'unsafe-inline'
ignores. `inline_svg` moves every declaration into the equivalent SVG
presentation attribute, so the same markup draws in the browser and in
WeasyPrint, with no script and no inline CSS. Lines differ by marker, dash and
fill as well as colour, so a chart still reads when printed in grey.
"""

from __future__ import annotations

import functools
import io
import math
import re
import xml.etree.ElementTree as ET

from markupsafe import Markup
from matplotlib import font_manager, rc_context
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from clinic.pdf.fetcher import STATIC_ROOT
from clinic.trends.services import Chart
from clinic.words import day_month

URL_REFERENCE = re.compile(r"url\(#([\w.-]+)\)")
SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG)
ET.register_namespace("xlink", XLINK)

FONT_FAMILY = "Atkinson Hyperlegible"
for _font in sorted((STATIC_ROOT / "fonts").glob("*.ttf")):
    font_manager.fontManager.addfont(str(_font))

# (marker, dash, colour): each line differs from the others in all three.
LINE_STYLES = (
    ("o", "solid", "#1f4e3a"),
    ("s", "dashed", "#6b3d7a"),
    ("^", "dotted", "#8a5300"),
    ("D", "dashdot", "#1d4f7a"),
    ("v", (0, (6, 2, 1, 2, 1, 2)), "#5a5a5a"),
    ("P", (0, (10, 3)), "#7a1f2b"),
)
INK = "#1f2a2e"
RULE = "#c9d1d3"
RC = {
    "font.family": FONT_FAMILY,
    "font.size": 9,
    "svg.fonttype": "none",  # text stays text: selectable, and drawn in the page's font
    "svg.hashsalt": "groundwork-trends",  # the same chart gives the same markup
    "axes.edgecolor": INK,
    "text.color": INK,
    "xtick.color": INK,
    "ytick.color": INK,
}


@functools.lru_cache(maxsize=256)
def chart_svg(chart: Chart, dates: tuple, mark: tuple[int, str] | None, prefix: str) -> Markup:
    """The chart as an inline <svg>; `mark` draws a labelled rule at one submission.

    `prefix` makes the SVG's internal ids unique on a page that holds several charts.
    Cached: the same numbers always give the same picture.
    """
    with rc_context(RC):
        figure = Figure(figsize=(6.4, 2.2 + 0.18 * len(chart.series)), layout="constrained")
        axes = figure.add_subplot()
        positions = range(len(dates))
        for index, series in enumerate(chart.series):
            marker, dash, colour = LINE_STYLES[index % len(LINE_STYLES)]
            axes.plot(positions, [math.nan if v is None else v for v in series.values],
                      marker=marker, linestyle=dash, color=colour, linewidth=1.6, markersize=6,
                      markerfacecolor=colour if index % 2 == 0 else "white", markeredgewidth=1.4,
                      label=series.label)
        pad = (chart.maximum - chart.minimum) * 0.08
        axes.set_ylim(chart.minimum - pad, chart.maximum + pad)
        axes.set_xlim(-0.4, len(dates) - 0.6)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
        axes.set_xticks(list(positions), [day_month(d) for d in dates])
        axes.grid(axis="y", color=RULE, linewidth=0.6)
        axes.spines[["top", "right"]].set_visible(False)
        if mark is not None:
            where, words = mark
            axes.axvline(where, color=INK, linestyle=(0, (1, 2)), linewidth=1.2)
            axes.annotate(words, xy=(where, 1), xycoords=("data", "axes fraction"), xytext=(4, -2),
                          textcoords="offset points", va="top", fontsize=8, fontweight="bold")
        if len(chart.series) > 1:
            axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=min(3, len(chart.series)),
                        frameon=False, fontsize=8)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return inline_svg(buffer.getvalue(), prefix)


def inline_svg(document: str, prefix: str) -> Markup:
    """matplotlib's SVG file as an element for an HTML page: presentation attributes
    instead of CSS, no metadata, ids made unique with `prefix`, sized by the page."""
    root = ET.fromstring(document)
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag in (f"{{{SVG}}}metadata", f"{{{SVG}}}style"):
                parent.remove(child)
    # What the removed <style> said, as inherited attributes.
    root.set("stroke-linejoin", "round")
    root.set("stroke-linecap", "butt")
    for element in root.iter():
        style = element.attrib.pop("style", "")
        for declaration in filter(None, (d.strip() for d in style.split(";"))):
            name, _, value = declaration.partition(":")
            element.set(name.strip(), value.strip())
    # Ids are kept only where something points at them (markers, clip paths), and prefixed.
    href = f"{{{XLINK}}}href"
    referenced = {match for element in root.iter() for value in element.attrib.values()
                  for match in URL_REFERENCE.findall(value)}
    referenced |= {element.get(href)[1:] for element in root.iter() if element.get(href)}
    for element in root.iter():
        identifier = element.attrib.pop("id", None)
        if identifier in referenced:
            element.set("id", f"{prefix}-{identifier}")
        if element.get(href):
            element.set(href, f"#{prefix}-{element.get(href)[1:]}")
        for name, value in element.attrib.items():
            element.set(name, URL_REFERENCE.sub(lambda match: f"url(#{prefix}-{match.group(1)})", value))
    for size in ("width", "height"):
        root.attrib.pop(size, None)
    root.set("class", "trend-chart__svg")
    root.set("aria-hidden", "true")
    root.set("focusable", "false")
    return Markup(ET.tostring(root, encoding="unicode"))
