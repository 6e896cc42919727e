"""Accessibility checks for the browser tests: axe-core, run inside the page as the journeys see it.

axe-core comes from npm (package.json, pinned in package-lock.json); `make test` installs it with
`npm ci`. Without it a browser test is skipped on a developer's machine and fails in CI, as every
missing service does (tests.conftest.require_service): CI never passes with the checks left out.

`check(page)` runs the WCAG 2 A and AA rules on the page as it stands and fails with one line per
serious or critical violation: the rule, the element (a CSS selector) and what is wrong.
`goto(page, url)` opens a page and checks it; call `check(page)` after any other navigation.
"""

from pathlib import Path

from tests.conftest import require_service

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa"]
BLOCKING = ("serious", "critical")

# Run in the page. Evaluated through the DevTools protocol, so the site's Content Security Policy
# (which refuses inline scripts) does not stop axe from being loaded.
RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), impact: n.impact, summary: n.failureSummary || ""})),
  }));
}"""

_source: str | None = None


def axe_source() -> str:
    global _source
    require_service(f"axe-core at {AXE} (run `npm ci --no-audit --no-fund`, as `make test` does)", AXE.exists())
    if _source is None:
        _source = AXE.read_text(encoding="utf-8")
    return _source


def violations(page) -> list[str]:
    """Serious and critical WCAG 2 A/AA violations on the page as it stands, one line per element."""
    source = axe_source()
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(source + "\n;void 0")
    found = []
    for violation in page.evaluate(RUN, TAGS):
        for node in violation["nodes"]:
            impact = node["impact"] or violation["impact"]
            if impact in BLOCKING:
                summary = " ".join(node["summary"].split())
                found.append(f"{violation['id']} ({impact}) at {node['target']}: {violation['help']}. {summary}")
    return found


def check(page, where: str = "") -> None:
    """Fail listing every serious or critical accessibility violation on the page."""
    found = violations(page)
    width = (page.viewport_size or {}).get("width")
    assert not found, f"{where or page.url} at {width}px:\n" + "\n".join(found)


def goto(page, url: str):
    """Open a page, wait for it to load and check it."""
    response = page.goto(url)
    check(page)
    return response
