"""What the offers widget costs a storefront page: load time, LCP and CLS, in Chromium.

A sample storefront page (a cart with a hero, products and a summary) is served from its own
origin, once plain and once with the two widget lines pasted at the end, calling a real
`tactful serve` (SQLite, a three-rung ladder so the cart gets two offers) across origins, as
on a real shop (CORS preflight included). Each run opens a fresh browser context (cold
cache), alternating the two pages. Prints the median and interquartile range of the load
event, LCP and CLS for each, and the widget's added load time.
Targets (issue 24): adds < 50 ms to load; LCP and CLS unchanged within noise.

    python bench/widget_load.py [--runs 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from http_load import PUBLISHABLE, SECRET
from http_servers import free_port, start_tactful, stop

CHROMIUM = os.environ.get("TACTFUL_CHROMIUM", "/usr/bin/chromium")
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Cart</title>
<style>body{{margin:0;font:16px/1.5 system-ui,sans-serif}}header{{background:#222;color:#fff;
padding:16px}}.hero{{height:260px;background:linear-gradient(#35a,#58c);color:#fff;
font-size:2.4em;padding:40px}}main{{max-width:760px;margin:auto;padding:16px}}
li{{padding:8px 0}}</style>{head}</head><body><header>Example shop</header>
<div class="hero">Your cart: ready when you are</div><main><h1>Cart</h1><ul>
<li>Yoga Mat, 1 x £20.00</li></ul><p>Total £20.00</p><p><a href="#">Checkout</a></p>
{widget}</main></body></html>"""
WIDGET = (
    '<tactful-offers key="{key}" moment="cart" customer="shopper-1" cart="MAT:1"></tactful-offers>'
)
PROBE = """
window.__cls = 0; window.__lcp = 0;
new PerformanceObserver((l) => { for (const e of l.getEntries())
  if (!e.hadRecentInput) window.__cls += e.value; })
  .observe({type: "layout-shift", buffered: true});
new PerformanceObserver((l) => { const all = l.getEntries();
  window.__lcp = all[all.length - 1].startTime; })
  .observe({type: "largest-contentful-paint", buffered: true});
document.addEventListener("tactful:offers", (e) => {
  window.__offers = performance.now(); window.__count = e.detail.offers.length; });
"""
LADDER = [("MAT", 1, 2000), ("MAT_PLUS", 2, 2600), ("MAT_PRO", 3, 3200)]


def serve_pages(api: str, port: int) -> ThreadingHTTPServer:
    script = f'<script src="{api}/widget.js" async></script>'
    pages = {
        "/plain": PAGE.format(head="", widget="").encode(),
        "/widget": PAGE.format(head=script, widget=WIDGET.format(key=PUBLISHABLE)).encode(),
    }

    class Shop(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path, b"")
            self.send_response(200 if body else 404)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", port), Shop)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def measure(browser: Any, url: str, widget: bool) -> dict[str, float]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(PROBE)
    page = context.new_page()
    page.goto(url, wait_until="load")
    if widget:
        page.wait_for_function("window.__offers !== undefined", timeout=5000)
    page.wait_for_timeout(300)  # let any late shift or paint be observed
    figures = page.evaluate(
        """() => { const nav = performance.getEntriesByType("navigation")[0];
        return {load: nav.loadEventEnd, lcp: window.__lcp, cls: window.__cls,
                offers: window.__offers || 0, count: window.__count || 0}; }"""
    )
    context.close()
    return {key: float(value) for key, value in figures.items()}


def spread(values: list[float]) -> str:
    q = statistics.quantiles(values, n=4)
    return f"median {statistics.median(values):7.1f}  IQR {q[0]:7.1f}-{q[2]:7.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="tactful-widget-") as tmp:
        folder = Path(tmp)
        shop_port = free_port()
        os.environ["TACTFUL_ALLOWED_ORIGINS"] = f"http://127.0.0.1:{shop_port}"
        os.environ["TACTFUL_ACCESS_LOG"] = "false"
        api = start_tactful("tactful", f"sqlite:///{(folder / 'tactful.db').as_posix()}", folder)
        base = f"http://127.0.0.1:{api.port}"
        products = [
            {
                "sku": s,
                "name": f"Yoga {s.title()}",
                "price": p,
                "currency": "GBP",
                "tier": {"ladder": "mats", "rank": r},
                "outcome": "Practise longer" if r > 1 else None,
            }
            for s, r, p in LADDER
        ]
        httpx.post(
            f"{base}/v1/products",
            json={"products": products},
            headers={"Authorization": f"Bearer {SECRET}"},
        ).raise_for_status()
        shop = serve_pages(base, shop_port)
        results: dict[str, list[dict[str, float]]] = {"plain": [], "widget": []}
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
                )
                origin = f"http://127.0.0.1:{shop_port}"
                for run in range(args.runs + 2):
                    for name in ("plain", "widget") if run % 2 else ("widget", "plain"):
                        figures = measure(browser, f"{origin}/{name}", name == "widget")
                        if run >= 2:  # the first two rounds warm up Chromium and the server
                            results[name].append(figures)
                browser.close()
        finally:
            shop.shutdown()
            stop([api])
    report(results, args.runs)


def report(results: dict[str, list[dict[str, float]]], runs: int) -> None:
    print(f"widget load: {runs} cold-cache loads of each page, alternating, Chromium headless")
    for metric, unit in (("load", "ms"), ("lcp", "ms"), ("cls", "")):
        for name in ("plain", "widget"):
            values = [r[metric] for r in results[name]]
            print(f"  {metric:5} {name:7} {spread(values)} {unit}")
    added = statistics.median(r["load"] for r in results["widget"]) - statistics.median(
        r["load"] for r in results["plain"]
    )
    offers = [r["offers"] for r in results["widget"]]
    counts = {int(r["count"]) for r in results["widget"]}
    print(f"  offers rendered at {spread(offers)} ms after navigation; offers per page {counts}")
    print(
        f"  added to load (median difference): {added:+.1f} ms; target < 50 ms: "
        f"{'met' if added < 50 else 'NOT met'}"
    )
    cls = max(r["cls"] for r in results["widget"])
    print(f"  largest CLS with the widget: {cls:.4f} (target: unchanged, the plain page has 0)")


if __name__ == "__main__":
    main()
