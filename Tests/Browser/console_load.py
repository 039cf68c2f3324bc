#!/usr/bin/env python3
"""How the console loads, as Chromium sees it: `zcbench console` runs this against a platform it seeded.

    console_load.py --base http://127.0.0.1:PORT --token TOKEN --rows N

Signs in with the token, then measures a first load in a fresh browser profile (nothing cached; five
runs, the median): time to interactive (from navigation start, timed in the page: the page itself, the
table's first rows, all N rows in and the main thread free again), the bytes on
the wire for that load (every response, headers included, as the network layer counted them), and the
bytes of the next live refresh of the table (a 304 when nothing changed). Prints one line per figure.
"""

import argparse
import os
import statistics

from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("ZC_TEST_CHROMIUM", "/usr/bin/chromium")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context()
        page = context.new_page()
        page.goto(args.base + "/")
        page.get_by_text("Use an API token instead").click()
        page.get_by_label("API token (kept only as a session cookie)").fill(args.token)
        page.get_by_role("button", name="Sign in with the token").click()
        page.locator("tbody tr").nth(args.rows - 1).wait_for()

        cookies = context.cookies()

        def wire(response):
            sizes = response.request.sizes()
            return sizes["responseHeadersSize"] + max(sizes["responseBodySize"], 0)

        first, interactive, loaded, marks = [], [], [], []
        for _ in range(args.runs):
            # A fresh profile each run: nothing cached, the session cookie alone carried over.
            fresh = browser.new_context()
            fresh.add_cookies(cookies)
            page = fresh.new_page()
            # Timed inside the page, not by polling from outside: when the table's first row and its last
            # are in the document, and when the main thread is next free after that (interactive).
            page.add_init_script(
                "window.__t = {}; new MutationObserver(() => {"
                " const n = document.querySelectorAll('tbody tr').length;"
                " if (n && !__t.first) __t.first = performance.now();"
                f" if (n >= {args.rows} && !__t.all) {{ __t.all = performance.now();"
                " setTimeout(() => { __t.idle = performance.now(); }, 0); }"
                "}).observe(document, {subtree: true, childList: true});"
            )
            responses = []
            page.on("response", lambda response: responses.append(response))
            page.goto(args.base + "/#/")
            page.wait_for_function("() => window.__t && window.__t.idle", timeout=30_000)
            times = page.evaluate("() => window.__t")
            first.append(times["first"])
            interactive.append(times["idle"])
            marks.append(page.evaluate("() => performance.getEntriesByType('navigation')[0].domInteractive"))
            page.wait_for_load_state("networkidle")
            loaded.append(sum(wire(r) for r in list(responses)))
        # The next refresh of the table, five seconds on: nothing changed, so a 304.
        with page.expect_response(lambda r: r.url.endswith("/api/fleet"), timeout=15_000) as refresh:
            pass
        print(f"  time to interactive, median of {args.runs} cold loads: the page {statistics.median(marks):.0f} ms,"
              f" the table's first rows {statistics.median(first):.0f} ms, all {args.rows} rows in and the page"
              f" idle {statistics.median(interactive):.0f} ms")
        print(f"  first load on the wire (headers included, gzip): {statistics.median(loaded) / 1024:.1f} KiB")
        print(f"  a live refresh with nothing changed: {refresh.value.status}, {wire(refresh.value)} B on the wire")
        browser.close()


if __name__ == "__main__":
    main()
