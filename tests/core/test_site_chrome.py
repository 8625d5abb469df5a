"""The site's chrome: icons every browser asks for, and the menu button that folds the nav on phones."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from PIL import Image

pytestmark = pytest.mark.django_db

STATIC = Path(settings.BASE_DIR) / "static"


def test_favicon_ico_is_answered_with_the_static_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert re.fullmatch(r"/static/icons/favicon(\.[0-9a-f]+)?\.ico", response["Location"])
    assert finders.find("icons/favicon.ico")


def test_every_page_links_its_icons_and_the_web_manifest(client):
    html = client.get("/").content.decode()
    for rel, name in [
        ("icon", "icons/favicon.svg"),
        ("icon", "icons/favicon.ico"),
        ("apple-touch-icon", "icons/apple-touch-icon.png"),
        ("manifest", "site.webmanifest"),
    ]:
        stem, ext = name.rsplit(".", 1)
        assert re.search(rf'<link rel="{rel}" href="/static/{stem}(\.[0-9a-f]+)?\.{ext}"', html), name
        assert finders.find(name), name


def test_the_manifest_names_icons_that_exist_at_their_sizes():
    manifest = json.loads((STATIC / "site.webmanifest").read_text())
    assert manifest["name"] == "TheMentors" and manifest["start_url"] == "/"
    purposes = set()
    for icon in manifest["icons"]:
        with Image.open(STATIC / icon["src"]) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"]
        purposes.add(icon.get("purpose", "any"))
    assert purposes == {"any", "maskable"}
    with Image.open(STATIC / "icons/apple-touch-icon.png") as image:
        assert image.size == (180, 180)


def test_the_menu_button_controls_the_nav_and_works_without_javascript(client):
    html = client.get("/").content.decode()
    button = re.search(r"<button [^>]*data-disclosure[^>]*>", html).group(0)
    assert 'aria-expanded="false"' in button and 'aria-controls="site-menu"' in button
    panel = r'<div class="site-menu disclosure-panel" id="site-menu">\s*<nav aria-label="Main">'
    assert re.search(panel, html)
    assert re.search(r'<script src="/static/js/disclosure(\.[0-9a-f]+)?\.js" defer>', html)
    # Without JavaScript the button is hidden and the nav shown (css/nojs.css, inside <noscript>).
    nojs = r'<noscript><link rel="stylesheet" href="/static/css/nojs(\.[0-9a-f]+)?\.css"></noscript>'
    assert re.search(nojs, html)


def test_the_directory_puts_its_filters_behind_a_button(client):
    html = client.get("/mentors/").content.decode()
    button = r'<button [^>]*data-disclosure[^>]*aria-controls="filters"[^>]*>Filters<span id="filters-count">'
    assert re.search(button + r"</span></button>", html)  # no filters on: no count
    assert re.search(r'<form id="filters" class="disclosure-panel"[^>]*hx-get=', html)
