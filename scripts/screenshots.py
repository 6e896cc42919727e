"""Screenshots of pages as each role sees them, on a wide and a phone-sized screen.

    .venv/bin/python scripts/screenshots.py http://127.0.0.1:8000 OUTDIR [user:path ...]

Each argument `user:path` signs in as `user` (demo password) and captures `path`;
`-:path` captures it signed out. Uses Debian's Chromium; nothing is downloaded.
"""

import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SIZES = {"wide": (1366, 900), "phone": (375, 812)}


def main(base: str, outdir: str, targets: list[str]):
    password = os.environ.get("DEMO_PASSWORD", "nap-demo-2026")
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for target in targets:
            user, path = target.split(":", 1)
            for size, (width, height) in SIZES.items():
                context = browser.new_context(viewport={"width": width, "height": height})
                page = context.new_page()
                if user != "-":
                    page.goto(base + "/accounts/login/")
                    page.fill("#id_username", user)
                    page.fill("#id_password", password)
                    with page.expect_navigation():
                        page.click("main button[type=submit]")
                page.goto(base + path)
                name = f"{user}_{path.strip('/').replace('/', '_') or 'home'}_{size}.png"
                page.screenshot(path=str(out / name), full_page=True)
                print(out / name)
                context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
