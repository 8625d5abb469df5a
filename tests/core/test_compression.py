"""Pages travel gzipped to browsers that ask (Lighthouse's "enable text compression": a phone on a
slow network gets the directory in a fifth of the bytes)."""

import gzip

import pytest

pytestmark = pytest.mark.django_db


def test_a_page_is_gzipped_for_a_browser_that_accepts_it(client):
    plain = client.get("/mentors/")
    packed = client.get("/mentors/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    html = gzip.decompress(packed.content).decode()
    assert "<h1>Find a mentor</h1>" in html
    assert len(packed.content) < len(plain.content) / 2
