"""Trends: how a client's scores on a worksheet moved over its submissions, charted in SVG."""
