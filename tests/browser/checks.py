"""What a walk does on every page and state it visits: an axe scan and a screenshot.

`check(page, "name")` (the fixture in conftest.py) runs axe-core (bundled by axe-playwright-python,
nothing downloaded) on the page as it is now and fails on any critical or serious violation, listing
for each the rule, its impact, the elements (CSS selectors) and axe's help text. It then saves a
screenshot to build/screenshots/<test>/<width>-<name>.png (git ignores build/), and with
SCREENSHOTS=1, for a screen the docs show (`doc=True`), to docs/screenshots/<name>.png at 1280 px
(but not for the few in DEMO_DOCS), and <name>-phone.png at 390 px for the few in PHONE_DOCS.

The journeys walk at both widths with `@SCREENS`: a phone user reaches the site menu and the
directory's filters through their buttons (`menu_link`, `open_filters`), as people do.
"""

import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import Page, expect

ROOT = Path(__file__).resolve().parents[2]
BUILD_DIR = ROOT / "build" / "screenshots"
DOCS_DIR = ROOT / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
BLOCKING = ("critical", "serious")
# The screens the docs also show at a phone's width (README.md, docs/features.md).
PHONE_DOCS = {"directory", "booking", "match"}
# Their 1280 px shots in the docs are taken by hand from the demo's richer data (`python3 dev.py run`),
# so the walks leave those files alone.
DEMO_DOCS = {"booking", "offering", "mentor-dashboard", "match"}

# Each walk runs twice: at a laptop's width and at a phone's (a touch screen that honours the
# viewport meta tag, as a phone's browser does).
SCREENS = pytest.mark.parametrize(
    "screen",
    [
        pytest.param(DESKTOP, id="1280", marks=pytest.mark.browser_context_args(viewport=DESKTOP)),
        pytest.param(
            PHONE,
            id="390",
            marks=pytest.mark.browser_context_args(viewport=PHONE, is_mobile=True, has_touch=True),
        ),
    ],
)


def is_phone(page: Page) -> bool:
    return page.viewport_size["width"] < 700


def menu_link(page: Page, name: str, role: str = "link"):
    """The site menu's link (or button) `name`, after opening the menu where it folds behind its
    button."""
    menu = page.get_by_role("button", name="Menu")
    if menu.is_visible() and menu.get_attribute("aria-expanded") != "true":
        menu.click()
        expect(menu).to_have_attribute("aria-expanded", "true")
    return page.get_by_role("navigation", name="Main").get_by_role(role, name=name, exact=True)


def open_filters(page: Page) -> None:
    """On a phone the directory's filters sit behind the Filters button."""
    filters = page.get_by_role("button", name="Filters")
    if filters.is_visible() and filters.get_attribute("aria-expanded") != "true":
        filters.click()
        expect(filters).to_have_attribute("aria-expanded", "true")


def axe_violations(page: Page) -> list[str]:
    """The page's critical and serious axe violations, one readable block each."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    found = []
    for violation in results["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        targets = [
            f"{' '.join(map(str, node['target']))}  {' '.join(node['html'].split())[:100]}"
            for node in violation["nodes"]
        ]
        more = [f"… {len(targets) - 8} more"] if len(targets) > 8 else []
        shown = "\n      ".join(targets[:8] + more)
        found.append(f"{violation['id']} ({violation['impact']}): {violation['help']}\n      {shown}")
    return found


class Checker:
    """The `check` fixture's callable; one per test, so screenshots land in the test's folder."""

    def __init__(self, test_name: str):
        self.folder = BUILD_DIR / re.sub(r"[^\w.-]+", "-", test_name).strip("-")
        self.docs = os.environ.get("SCREENSHOTS") == "1"
        self.checked: list[str] = []
        # A11Y_KEEP_GOING=1 walks on and reports every page's violations at the end of the test.
        self.keep_going = os.environ.get("A11Y_KEEP_GOING") == "1"
        self.problems: list[str] = []

    def __call__(self, page: Page, name: str, *, doc: bool = False) -> None:
        page.wait_for_load_state()
        width = page.viewport_size["width"]
        self.folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(self.folder / f"{width}-{name}.png"), full_page=True)
        if doc and self.docs and (name in PHONE_DOCS if is_phone(page) else name not in DEMO_DOCS):
            DOCS_DIR.mkdir(parents=True, exist_ok=True)
            suffix = "-phone" if is_phone(page) else ""
            page.screenshot(path=str(DOCS_DIR / f"{name}{suffix}.png"))
        self.checked.append(name)
        problems = axe_violations(page)
        if not problems:
            return
        report = f"axe on {name!r} at {width} px ({page.url}):\n  " + "\n  ".join(problems)
        if not self.keep_going:
            pytest.fail(report, pytrace=False)
        self.problems.append(report)
