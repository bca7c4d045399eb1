"""Sanitizing rich text (nh3, a maintained sanitizer) before it is stored or shown."""

from __future__ import annotations

import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "h2",
    "h3",
    "h4",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "img",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
MAX_HTML_LENGTH = 200_000


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    # Images come only from the portal's own file route: no tracking pixels, no
    # other site's content inside a client's page.
    if tag == "img" and attribute == "src" and not value.startswith("/files/"):
        return None
    return value


def sanitize_html(html: str) -> str:
    """Keep formatting, links and tables; drop scripts, handlers, styles and frames."""
    return nh3.clean(
        html[:MAX_HTML_LENGTH],
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        attribute_filter=_attribute_filter,
    )
