"""Load every page of the built book in headless Chromium with the network cut off.

Needs `make book` first (``make test`` runs it) and Debian's ``chromium``. Every request that
leaves localhost is blocked and recorded, so a page that needs a CDN fails here exactly as it
would for a reader on a train.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOT_PAGES = ("book/intro.html", "book/00-start/how-to-use.html", "book/01-classical/otsu.html",
                    "book/02-dense/metrics.html", "book/03-upsampling/transposed-convolution.html",
                    "book/04-architectures/unet.html", "book/05-practice/data.html")
CHROMIUM_ARGS = [  # no background traffic from the browser itself
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-default-apps",
]


def _pages() -> list[str]:
    if not HTML.exists():
        return []
    return sorted(str(p.relative_to(HTML)) for p in HTML.glob("book/**/*.html"))


@pytest.fixture(scope="module")
def server():
    if not (HTML / "index.html").exists():
        if os.environ.get("CI"):
            pytest.fail("the book is not built: run `make book` before the browser test")
        pytest.skip("the book is not built: run `make book` first")
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (apt-get install chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def visit(browser, url: str, screenshot: Path | None = None) -> dict:
    """Load ``url``; return what went wrong (console errors, failed/external requests) and what rendered."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems = {"console": [], "failed": [], "external": [], "http": []}
    host = urlparse(url).netloc

    def route(r):
        if urlparse(r.request.url).netloc not in (host, "") and not r.request.url.startswith(("data:", "about:")):
            problems["external"].append(r.request.url)
            r.abort()
        else:
            r.continue_()

    page.route("**/*", route)
    page.on("console", lambda m: m.type == "error" and problems["console"].append(m.text))
    page.on("pageerror", lambda e: problems["console"].append(str(e)))
    page.on("requestfailed", lambda r: problems["failed"].append(r.url))
    page.on("response", lambda r: r.status >= 400 and problems["http"].append(f"{r.status} {r.url}"))
    page.goto(url, wait_until="networkidle")
    page.wait_for_timeout(300)
    state = page.evaluate(
        """() => ({
        images: [...document.images].map(i => [i.src, i.complete && i.naturalWidth > 0]),
        mathSource: document.querySelectorAll('.math, span.math, div.math').length,
        mathRendered: document.querySelectorAll('mjx-container').length,
        widgetViews: document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]').length,
        widgetsRendered: document.querySelectorAll('.jupyter-widgets, .widget-slider, .widget-image').length,
        title: document.title,
    })"""
    )
    if screenshot is not None:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot), full_page=True)
    context.close()
    return {**problems, **state}


@pytest.mark.parametrize("page", _pages() or ["book/intro.html"])
def test_page_renders_offline(server, browser, page):
    shot = ARTIFACTS / "screenshots" / page.replace("/", "__").replace(".html", ".png") \
        if page in SCREENSHOT_PAGES or "widgets" in page else None
    result = visit(browser, f"{server}/{page}", shot)
    assert result["external"] == [], f"requests left localhost: {result['external']}"
    assert result["failed"] == [], f"requests failed: {result['failed']}"
    assert result["http"] == [], f"HTTP errors: {result['http']}"
    assert result["console"] == [], f"console errors: {result['console']}"
    broken = [src for src, ok in result["images"] if not ok]
    assert broken == [], f"images that did not load: {broken}"
    if result["mathSource"]:
        assert result["mathRendered"] > 0, "the page has math but MathJax rendered none of it"
    if result["widgetViews"]:
        assert result["widgetsRendered"] >= result["widgetViews"], (
            f"{result['widgetViews']} widget outputs but only {result['widgetsRendered']} rendered from saved state")


def test_explorer_static_twin_switches_frames(server, browser):
    """Moving a static twin's slider in the browser shows a different pre-rendered frame."""
    context = browser.new_context()
    page = context.new_page()
    page.route("**/*", lambda r: r.abort() if "127.0.0.1" not in r.request.url else r.continue_())
    page.goto(f"{server}/book/00-start/how-to-use.html", wait_until="networkidle")
    page.wait_for_selector(".widget-slider .slider-container, .widget-slider", timeout=10000)

    def visible_frame() -> str:
        return page.evaluate("""() => [...document.querySelectorAll('.widget-image')]
            .filter(i => i.offsetParent !== null).map(i => i.src.slice(-80)).join('|')""")

    before = visible_frame()
    slider = page.locator(".widget-slider").first
    slider.focus()
    handle = page.locator(".widget-slider .noUi-handle").first
    handle.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.wait_for_timeout(300)
    after = visible_frame()
    context.close()
    assert before and after, "no visible pre-rendered frame"
    assert before != after, "the slider moved but the picture did not change"
