"""Lighthouse (mobile) figures for the pages people use most: the dashboard, a client's page,
a review page and the client's portal home. Prints one table of medians.

Not part of `make test`: a score depends on how busy the machine is, so each page is
measured several times and the median is reported. Needs Lighthouse from npm outside
the repository and Chromium:

    mkdir -p /work/tmp-lh && cd /work/tmp-lh && npm init -y && npm i lighthouse
    PORT=5077 make run        # in another terminal: the app with its demo data
    .venv/bin/python -m bench.lighthouse --url http://127.0.0.1:5077 --lighthouse /work/tmp-lh

It signs in as the demo clinician and opens the demo client's link (printed by `make run`,
or made here with `flask seed-demo`) with the standard library, then hands the session
cookie to Lighthouse as a request header.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import statistics
import subprocess
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

from clinic.demo import DEMO_EMAIL, DEMO_PASSWORD

CATEGORIES = ("performance", "accessibility", "best-practices")
GOALS = {"performance": 95, "cls": 0.05, "accessibility": 100, "best-practices": 100}
# Signed-in sessions are bound to the browser (Flask-Login's "strong" protection), so the sign-in
# here and Lighthouse's runs present the same mobile user agent.
USER_AGENT = ("Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/136.0.0.0 Mobile Safari/537.36")


class Browser:
    """A cookie-keeping HTTP client that posts forms with the CSRF token read from the page."""

    def __init__(self, base: str):
        self.base = base.rstrip("/")
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        self.opener.addheaders = [("User-Agent", USER_AGENT)]

    def get(self, path: str) -> tuple[str, str]:
        """The page's text and the URL it ended on (after redirects)."""
        with self.opener.open(urllib.parse.urljoin(self.base + "/", path)) as response:
            return response.read().decode(), response.url

    def submit(self, path: str, fields: dict[str, str]) -> tuple[str, str]:
        page, url = self.get(path)
        token = re.search(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"', page)
        data = urllib.parse.urlencode({**fields, "csrf_token": token.group(1) if token else ""}).encode()
        with self.opener.open(url, data=data) as response:
            return response.read().decode(), response.url

    def cookie_header(self) -> str:
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.cookies)


def clinician_pages(base: str) -> tuple[str, list[tuple[str, str]]]:
    """The clinician's cookie and the dashboard, the first client's page and a review page."""
    browser = Browser(base)
    dashboard, _ = browser.submit("/login", {"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
    client = re.search(r'href="(/clients/\d+)"', dashboard).group(1)
    client_page, _ = browser.get(client)
    review = re.search(r'href="(/assignments/\d+)"', dashboard + client_page).group(1)
    return browser.cookie_header(), [("dashboard", "/"), ("client page", client), ("review page", review)]


def portal_home(base: str, link: str) -> str:
    """The client's cookie after following their link and pressing Continue."""
    browser = Browser(base)
    path = urllib.parse.urlsplit(link).path  # the link may name another port
    _, url = browser.submit(path, {})
    assert urllib.parse.urlsplit(url).path == "/portal", f"the link did not open the portal (ended on {url})"
    return browser.cookie_header()


def fresh_demo_link() -> str:
    output = subprocess.run([str(Path(".venv/bin/flask")), "--app", "clinic", "seed-demo"], check=True,
                            capture_output=True, text=True).stdout
    return re.search(r"https?://\S+/p/\S+", output).group(0)


def lighthouse(folder: Path, url: str, cookie: str) -> dict:
    """One Lighthouse run (mobile, its default) of one page: the category scores, CLS and the
    audits short of a full score (many, such as compression, cost this page no points)."""
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        subprocess.run(
            [str(folder / "node_modules/.bin/lighthouse"), url, "--quiet", "--output=json",
             f"--output-path={report}", f"--only-categories={','.join(CATEGORIES)}",
             f"--extra-headers={json.dumps({'Cookie': cookie})}", f"--emulatedUserAgent={USER_AGENT}",
             "--chrome-flags=--headless=new --no-sandbox --disable-gpu"],
            check=True, env={**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")})
        result = json.loads(report.read_text())
    if result.get("runtimeError"):
        raise RuntimeError(f"{url}: {result['runtimeError']['message']}")
    if result["finalDisplayedUrl"] != url:  # signed out, say: the figures would be the sign-in page's
        raise RuntimeError(f"{url} ended on {result['finalDisplayedUrl']}")
    figures = {name: round(result["categories"][name]["score"] * 100) for name in CATEGORIES}
    figures["cls"] = result["audits"]["cumulative-layout-shift"]["numericValue"]
    figures["to look at"] = [f"{name}: {audit['title']}" for name, audit in result["audits"].items()
                             if audit.get("score") is not None and audit["score"] < 1
                             and audit.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings")]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:5077", help="where the app is served")
    parser.add_argument("--lighthouse", type=Path, default=Path("/work/tmp-lh"),
                        help="the folder Lighthouse was installed into with npm")
    parser.add_argument("--link", help="the demo client's link (default: a fresh one from flask seed-demo)")
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()

    base = arguments.url.rstrip("/")
    cookie, pages = clinician_pages(base)
    pages = [(name, path, cookie) for name, path in pages]
    pages.append(("portal home", "/portal", portal_home(base, arguments.link or fresh_demo_link())))

    print(f"{'page':<14}{'performance':>12}{'CLS':>8}{'accessibility':>15}{'best practices':>16}")
    for name, path, page_cookie in pages:
        runs = [lighthouse(arguments.lighthouse, base + path, page_cookie) for _ in range(arguments.runs)]
        median = {key: statistics.median(run[key] for run in runs) for key in (*CATEGORIES, "cls")}
        print(f"{name:<14}{median['performance']:>12g}{median['cls']:>8.3f}{median['accessibility']:>15g}"
              f"{median['best-practices']:>16g}")
        for audit in sorted({audit for run in runs for audit in run["to look at"]}):
            print(f"    to look at: {audit}")
    print(f"goals: performance ≥ {GOALS['performance']}, CLS < {GOALS['cls']}, accessibility "
          f"{GOALS['accessibility']}, best practices {GOALS['best-practices']}")


if __name__ == "__main__":
    main()
