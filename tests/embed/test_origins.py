"""The sites a mentor lists for their widget: origins only, written any reasonable way."""

import pytest
from django.core.exceptions import ValidationError

from embed.origins import MAX_ORIGINS, parse_origin, parse_origins


@pytest.mark.parametrize(
    ("written", "origin"),
    [
        ("https://example.com", "https://example.com"),
        ("  https://Example.COM/  ", "https://example.com"),
        ("https://example.com:443", "https://example.com"),
        ("https://shop.example.com:8443", "https://shop.example.com:8443"),
        ("https://bücher.example", "https://xn--bcher-kva.example"),
        ("https://example.com.", "https://example.com"),
    ],
)
def test_an_origin_is_kept_in_one_spelling(written, origin):
    assert parse_origin(written) == origin


@pytest.mark.parametrize(
    ("written", "says"),
    [
        ("https://example.com/booking", "without a path"),
        ("https://example.com?x=1", "without a path"),
        ("https://example.com#top", "without a path"),
        ("https://*.example.com", "wildcards"),
        ("*", "wildcards"),
        ("http://example.com", "must use https://"),
        ("example.com", "with https://"),
        ("ftp://example.com", "with https://"),
        ("javascript:alert(1)", "with https://"),
        ("https://user:pw@example.com", "user name"),
        ("https://exa mple.com", "not a site's name"),
        ("https://example.com:99999", "not a web address"),
        ("https://intranet", "whole name"),
        ("https://'self'", "not a site's name"),
        ("https://example.com;script-src", "not a site's name"),
        ("http://localhost:8000", "must use https://"),
    ],
)
def test_anything_but_an_origin_is_refused_with_the_reason(written, says):
    with pytest.raises(ValidationError) as refused:
        parse_origin(written)
    assert says in refused.value.messages[0]


def test_plain_http_on_this_machine_only_where_the_settings_allow_it():
    assert parse_origin("http://localhost:8000", local_http=True) == "http://localhost:8000"
    assert parse_origin("http://127.0.0.1:5173", local_http=True) == "http://127.0.0.1:5173"
    assert parse_origin("http://[::1]:3000", local_http=True) == "http://[::1]:3000"
    with pytest.raises(ValidationError):
        parse_origin("http://example.com", local_http=True)


def test_a_list_keeps_each_site_once_and_reports_every_bad_line():
    assert parse_origins("https://a.example\n\nhttps://A.example/\nhttps://b.example") == [
        "https://a.example",
        "https://b.example",
    ]
    with pytest.raises(ValidationError) as refused:
        parse_origins("https://a.example/x\nhttps://ok.example\nhttp://b.example")
    assert len(refused.value.messages) == 2
    too_many = "\n".join(f"https://s{i}.example" for i in range(MAX_ORIGINS + 1))
    with pytest.raises(ValidationError, match="at most"):
        parse_origins(too_many)
