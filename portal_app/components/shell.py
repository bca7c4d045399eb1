"""The signed-in shell: top bar (logo, name, person menu), sidebar navigation by role,
and the page body, which shows loading, 403 and 404 states as the page's state says.
A guest of a shared page gets the brand, their page and "Leave" only."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from portal_app.components.feedback import forbidden_panel, missing_panel
from portal_app.state.session import SessionState

NavItem = tuple[str, str, str]  # label, icon, href

EVERYONE: list[NavItem] = [("Home", "house", "/"), ("People", "users", "/people")]
# Settings: (item, shown to admins only). Staff see the section for the Shared list.
SETTINGS: list[tuple[NavItem, bool]] = [
    (("People", "user-cog", "/settings/people"), True),
    (("Clients", "building-2", "/settings/clients"), True),
    (("Sharing", "share-2", "/settings/sharing"), False),
    (("Outbox", "mail", "/settings/outbox"), True),
]


def _nav_link(label: str, icon: str, href: str, current: str) -> rx.Component:
    active = href == current
    return rx.link(
        rx.hstack(
            rx.icon(icon, size=18, aria_hidden="true"),
            rx.text(label, size="2"),
            spacing="3",
            align="center",
        ),
        href=href,
        underline="none",
        color_scheme="indigo" if active else "gray",
        high_contrast=True,
        weight="medium" if active else "regular",
        aria_current="page" if active else None,
        padding_x="0.75rem",
        padding_y="0.5rem",
        border_radius="var(--radius-2)",
        background=rx.color("accent", 3) if active else "transparent",
        _hover={"background": rx.color("gray", 3)},
        width="100%",
    )


def _page_link(page) -> rx.Component:
    active = SessionState.current_path == "/pages/" + page.slug
    return rx.link(
        rx.hstack(
            rx.icon(page.icon, size=16, aria_hidden="true", flex_shrink="0"),
            rx.text(
                page.title,
                size="2",
                overflow="hidden",
                text_overflow="ellipsis",
                white_space="nowrap",
            ),
            rx.cond(
                ~page.published, rx.badge("Draft", size="1", variant="outline", color_scheme="gray")
            ),
            spacing="2",
            align="center",
            min_width="0",
        ),
        href="/pages/" + page.slug,
        underline="none",
        color_scheme="gray",
        high_contrast=True,
        aria_current=rx.cond(active, "page", None),
        padding_y="0.4rem",
        padding_right="0.75rem",
        padding_left=(page.depth * 0.9 + 0.75).to_string() + "rem",
        border_radius="var(--radius-2)",
        background=rx.cond(active, rx.color("accent", 3), "transparent"),
        _hover={"background": rx.color("gray", 3)},
        width="100%",
        data_testid="nav-page",
    )


def _pages_tree() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text("Pages", size="1", weight="medium", color_scheme="gray"),
            rx.spacer(),
            rx.cond(
                SessionState.may_create_pages,
                rx.link(
                    rx.icon("plus", size=14, aria_hidden="true"),
                    href="/new-page",
                    aria_label="New page",
                    color_scheme="gray",
                    high_contrast=True,
                    id="new-page",
                ),
            ),
            padding_x="0.75rem",
            padding_top="1rem",
            width="100%",
            align="center",
        ),
        rx.cond(
            SessionState.nav_pages.length() > 0,
            rx.foreach(SessionState.nav_pages, _page_link),
            rx.text(
                "No pages shared with you yet.", size="1", color_scheme="gray", padding_x="0.75rem"
            ),
        ),
        spacing="1",
        width="100%",
    )


def navigation(current: str) -> rx.Component:
    return rx.el.nav(
        rx.vstack(
            *[_nav_link(*item, current) for item in EVERYONE],
            # A client's shared documents; staff every client's (guests: no navigation).
            rx.cond(
                ~SessionState.is_guest,
                _nav_link("Documents", "folder", "/documents", current),
            ),
            # Clients send files to the firm (/dropsite); staff find them in Documents.
            rx.cond(
                ~SessionState.sees_whole_firm,
                _nav_link("Send files", "inbox", "/dropsite", current),
            ),
            _pages_tree(),
            rx.cond(
                SessionState.may_open_settings | SessionState.may_manage_shares,
                rx.vstack(
                    rx.text(
                        "Settings",
                        size="1",
                        weight="medium",
                        color_scheme="gray",
                        padding_x="0.75rem",
                        padding_top="1rem",
                    ),
                    *[
                        rx.cond(SessionState.may_open_settings, _nav_link(*item, current))
                        if admin_only
                        else _nav_link(*item, current)
                        for item, admin_only in SETTINGS
                    ],
                    spacing="1",
                    width="100%",
                ),
            ),
            spacing="1",
            width="100%",
        ),
        aria_label="Main",
        width="100%",
    )


def person_menu() -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.avatar(fallback=SessionState.me_initials, size="2", radius="full"),
                rx.text(SessionState.me_name, size="2", display=["none", "none", "block"]),
                rx.icon("chevron-down", size=16, aria_hidden="true"),
                variant="ghost",
                color_scheme="gray",
                aria_label="Your account",
                id="person-menu",
            ),
        ),
        rx.menu.content(
            rx.box(
                rx.text(SessionState.me_name, weight="medium", size="2"),
                rx.text(SessionState.me_email, size="1", color_scheme="gray"),
                padding="0.5rem 0.75rem",
            ),
            rx.menu.separator(),
            rx.menu.item(rx.icon("user", size=16), "Account", on_click=rx.redirect("/account")),
            rx.menu.item(rx.icon("log-out", size=16), "Sign out", on_click=SessionState.sign_out),
            rx.menu.item(
                rx.icon("monitor-x", size=16),
                "Sign out everywhere",
                on_click=SessionState.sign_out_everywhere,
            ),
            align="end",
        ),
    )


def _brand_mark() -> rx.Component:
    return rx.hstack(
        rx.image(src="/logo.svg", alt="", width="28px", height="28px"),
        rx.heading(SessionState.portal_name, size="4", weight="bold"),
        spacing="2",
        align="center",
    )


def brand() -> rx.Component:
    return rx.link(
        _brand_mark(),
        href="/",
        underline="none",
        color_scheme="gray",
        high_contrast=True,
        aria_label=SessionState.portal_name + " home",
    )


def mobile_menu(current: str) -> rx.Component:
    return rx.box(
        rx.drawer.root(
            rx.drawer.trigger(
                rx.icon_button(
                    rx.icon("menu", size=20),
                    variant="ghost",
                    color_scheme="gray",
                    aria_label="Open navigation",
                ),
            ),
            rx.drawer.overlay(z_index="40"),
            rx.drawer.portal(
                rx.drawer.content(
                    rx.vstack(
                        rx.hstack(
                            brand(),
                            rx.drawer.close(
                                rx.icon_button(
                                    rx.icon("x", size=18),
                                    variant="ghost",
                                    color_scheme="gray",
                                    aria_label="Close navigation",
                                )
                            ),
                            justify="between",
                            width="100%",
                        ),
                        navigation(current),
                        spacing="5",
                        padding="1rem",
                    ),
                    width="16rem",
                    height="100%",
                    top="0",
                    left="0",
                    background=rx.color("gray", 1),
                    z_index="50",
                    aria_label="Navigation",
                ),
            ),
            direction="left",
        ),
        display=["block", "block", "none"],
    )


def search_box() -> rx.Component:
    """Results open at /search?q=… (a normal, bookmarkable page)."""
    return rx.fragment(
        rx.form(
            rx.input(
                rx.input.slot(rx.icon("search", size=14)),
                name="q",
                type="search",
                placeholder="Search",
                aria_label="Search pages and people",
                size="2",
                width="16rem",
            ),
            on_submit=SessionState.go_search,
            role="search",
            display=["none", "none", "block"],
        ),
        rx.link(
            rx.icon("search", size=18, aria_hidden="true"),
            href="/search",
            aria_label="Search",
            color_scheme="gray",
            high_contrast=True,
            padding="0.4rem",
            display=["flex", "flex", "none"],
        ),
    )


def guest_bar() -> rx.Component:
    """A guest of one shared page: the portal's name, who they are and a way out; no
    navigation, search or account (their link opens that page and nothing else)."""
    return rx.hstack(
        _brand_mark(),
        rx.hstack(
            rx.badge("Guest", variant="soft", color_scheme="gray", display=["inline-flex", "none"]),
            rx.text(
                rx.text.span("Signed in as guest ", display=["none", "inline"]),
                rx.text.strong(SessionState.me_name),
                size="2",
                color_scheme="gray",
                high_contrast=True,
                overflow="hidden",
                text_overflow="ellipsis",
                white_space="nowrap",
                min_width="0",
            ),
            rx.text("·", size="2", color_scheme="gray", aria_hidden="true"),
            rx.button(
                rx.icon("log-out", size=14, aria_hidden="true"),
                "Leave",
                size="1",
                variant="ghost",
                color_scheme="gray",
                high_contrast=True,
                on_click=SessionState.sign_out,
                id="guest-leave",
            ),
            spacing="2",
            align="center",
            min_width="0",
            data_testid="guest-identity",
        ),
        justify="between",
        align="center",
        width="100%",
        spacing="3",
    )


def top_bar(current: str) -> rx.Component:
    return rx.el.header(
        rx.cond(
            SessionState.is_guest,
            guest_bar(),
            rx.hstack(
                rx.hstack(mobile_menu(current), brand(), spacing="3", align="center"),
                rx.hstack(search_box(), person_menu(), spacing="3", align="center"),
                justify="between",
                align="center",
                width="100%",
            ),
        ),
        padding_x=["1rem", "1rem", "1.5rem"],
        height="3.5rem",
        display="flex",
        align_items="center",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        background=rx.color("gray", 1),
        position="sticky",
        top="0",
        z_index="10",
    )


def loading_panel() -> rx.Component:
    return rx.center(
        rx.spinner(size="3"),
        rx.text("Loading…", class_name="sr-only"),
        padding="4rem",
        role="status",
        aria_live="polite",
    )


# The browser's own address (no trailing slash), read when the page renders.
_BROWSER_PATH = rx.Var(
    _js_expr="((typeof window !== 'undefined' ? window.location.pathname : '')"
    ".replace(/\\/+$/, '') || '/')",
    _var_type=str,
)


def _status_is_for_this_page() -> rx.Var[bool]:
    """Whether ``page_status`` was set for the address shown (see ``status_path``)."""
    return SessionState.status_path == _BROWSER_PATH


def page_body(content: rx.Component) -> rx.Component:
    return rx.cond(
        _status_is_for_this_page(),
        rx.match(
            SessionState.page_status,
            ("denied", forbidden_panel()),
            ("missing", missing_panel(offer_home=~SessionState.is_guest)),
            ("ready", content),
            loading_panel(),
        ),
        loading_panel(),
    )


def _ready() -> rx.Var[bool]:
    return (SessionState.page_status == "ready") & _status_is_for_this_page()


def shell(
    title: str,
    current: str,
    content: Callable[[], rx.Component],
    actions: rx.Component | None = None,
) -> rx.Component:
    """A signed-in page at ``current`` (its nav entry is highlighted): ``content`` shows
    once the session is resolved and allowed."""
    header = (
        rx.fragment()
        if not title
        else rx.hstack(
            rx.heading(title, size="6", as_="h1"),
            rx.spacer(),
            rx.cond(_ready(), actions) if actions is not None else rx.box(),
            align="center",
            width="100%",
            wrap="wrap",
            spacing="3",
        )
    )
    return rx.box(
        rx.el.a("Skip to content", href="#main", class_name="skip-link"),
        top_bar(current),
        rx.hstack(
            rx.cond(
                SessionState.is_guest,
                rx.fragment(),
                rx.el.aside(
                    navigation(current),
                    display=["none", "none", "block"],
                    width="15rem",
                    flex_shrink="0",
                    padding="1rem 0.75rem",
                    border_right=f"1px solid {rx.color('gray', 4)}",
                    min_height="calc(100vh - 3.5rem)",
                    background=rx.color("gray", 1),
                ),
            ),
            rx.el.main(
                rx.vstack(
                    rx.cond(_ready(), header),
                    page_body(content()),
                    spacing="5",
                    width="100%",
                    max_width="72rem",
                ),
                id="main",
                flex="1",
                min_width="0",
                padding=["1rem", "1.25rem", "2rem"],
            ),
            spacing="0",
            align="start",
            width="100%",
        ),
        min_height="100vh",
        background=rx.color("gray", 2),
    )
