"""Where a sign-in may send a person next: only a path on this portal.

Browsers drop tabs and newlines from URLs and read ``\\`` as ``/``, so targets that
look like paths can still leave the site; every such target sends the person home.
"""

from __future__ import annotations

import pytest

from portal_app.services.links import safe_next_path

OFF_SITE = [
    "/\t/evil.example",
    "/%09/evil.example",
    "/\n/evil.example",
    "/%0a/evil.example",
    "/\r/evil.example",
    "/\\evil.example",
    "/%5Cevil.example",
    "\\\\evil.example",
    "https://evil.example",
    "//evil.example",
    "///evil.example",
    "/%2F%2Fevil.example",
    "/%2f/evil.example",
    "/%252F%252Fevil.example",
    "javascript:alert(1)",
    "evil.example",
    "",
    "/" + "a" * 5000,
    " /pages/x",
    "/\u2028/evil.example",
    "/\x00/evil.example",
    None,
    ["/"],
    42,
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_targets_that_leave_the_portal_go_home(target):
    assert safe_next_path(target) == "/"


@pytest.mark.parametrize(
    "target",
    ["/", "/pages/client-onboarding", "/search?q=tax%20return", "/settings/clients/3#members"],
)
def test_paths_on_the_portal_are_kept(target):
    assert safe_next_path(target) == target
