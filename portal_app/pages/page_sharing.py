"""The editor's "Others outside your organization" tab (Page ▾ » Permissions &
subscribers): invite guests, make web or secured links, and manage the page's shares."""

from __future__ import annotations

import reflex as rx

from portal_app.components.feedback import confirm_dialog, field_error, form_field
from portal_app.state.page_sharing import PageSharingState as P

TAB = "outside"


def _error_of(message: rx.Var[str], field_var: rx.Var[str], field: str) -> rx.Var[str]:
    return rx.cond(field_var == field, message, "")


def _password_and_expiry(prefix: str, error: rx.Var[str], field_var: rx.Var[str], password=True):
    expiry = form_field(
        "Expires (UTC, optional)",
        f"{prefix}-expiry",
        rx.input(
            type="datetime-local",
            name="expires_at",
            id=f"{prefix}-expiry",
            width="100%",
        ),
        _error_of(error, field_var, "expires_at"),
    )
    fields = [expiry]
    if password:
        fields.insert(
            0,
            form_field(
                "Password (optional)",
                f"{prefix}-password",
                rx.input(
                    type="password",
                    name="password",
                    id=f"{prefix}-password",
                    auto_complete="new-password",
                    width="100%",
                ),
                _error_of(error, field_var, "password"),
            ),
        )
    return rx.grid(
        *fields,
        columns=rx.breakpoints(initial="1", sm="2"),
        gap="0.75rem",
        width="100%",
    )


def _invite_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text(
                "Guests get an e-mail with a personal link that opens this page and "
                "nothing else: no navigation, no people, no search.",
                size="2",
                color_scheme="gray",
            ),
            form_field(
                "E-mail addresses",
                "share-guests",
                rx.text_area(
                    name="guests",
                    id="share-guests",
                    placeholder="Jane Doe <jane@example.com>, sam@example.org",
                    rows="3",
                    width="100%",
                ),
                _error_of(P.invite_error, P.invite_error_field, "guests"),
                hint="Separate addresses with commas or new lines.",
            ),
            form_field(
                "Message (optional)",
                "share-guest-message",
                rx.text_area(name="message", id="share-guest-message", rows="2", width="100%"),
            ),
            rx.el.label(
                rx.hstack(
                    rx.switch(name="contribute", id="share-guest-contribute"),
                    rx.text("Can contribute (comment, answer forms)", size="2"),
                    spacing="2",
                    align="center",
                ),
            ),
            _password_and_expiry("share-guest", P.invite_error, P.invite_error_field),
            rx.text(P.policy_note, size="1", color_scheme="gray"),
            rx.cond(
                P.invite_notice != "",
                rx.callout(
                    P.invite_notice,
                    icon="circle-check",
                    color_scheme="green",
                    high_contrast=True,
                    size="1",
                    role="status",
                    width="100%",
                    id="share-invite-notice",
                ),
            ),
            rx.hstack(
                rx.button(
                    rx.icon("send", size=14),
                    "Invite",
                    type="submit",
                    loading=P.inviting,
                    id="share-invite",
                ),
                justify="end",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=P.invite,
        width="100%",
    )


def _kind_choice(value: str, label: str, text: str) -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.radio_group.item(value=value, margin_top="0.2rem"),
            rx.vstack(
                rx.text(label, size="2", weight="medium"),
                rx.text(text, size="1", color_scheme="gray"),
                spacing="0",
            ),
            spacing="2",
            align="start",
        )
    )


def _new_link() -> rx.Component:
    return rx.callout.root(
        rx.vstack(
            rx.text(P.new_link_kind, " created. Copy it now: it won't be shown again.", size="2"),
            rx.hstack(
                rx.input(
                    value=P.new_link_url,
                    read_only=True,
                    aria_label="The new link",
                    id="share-new-link",
                    flex="1",
                    min_width="0",
                    size="2",
                ),
                rx.button(
                    rx.icon("copy", size=14),
                    "Copy",
                    variant="soft",
                    high_contrast=True,
                    on_click=[rx.set_clipboard(P.new_link_url), rx.toast.success("Link copied.")],
                    id="share-copy-link",
                ),
                width="100%",
                spacing="2",
            ),
            spacing="2",
            width="100%",
        ),
        color_scheme="green",
        high_contrast=True,
        size="1",
        width="100%",
        data_testid="share-new-link-panel",
    )


def _link_form() -> rx.Component:
    return rx.vstack(
        rx.heading("Links", size="3", as_="h3"),
        rx.radio_group.root(
            rx.vstack(
                _kind_choice("web", "Web link", "Anyone with the link can open the page."),
                _kind_choice(
                    "secured",
                    "Secured link",
                    "Only people who can already see the page, after signing in.",
                ),
                spacing="2",
            ),
            value=P.link_kind,
            on_change=P.set_link_kind,
            aria_label="Kind of link",
        ),
        rx.form(
            rx.vstack(
                rx.cond(
                    P.link_kind == "web",
                    rx.vstack(
                        rx.cond(
                            P.web_password_required,
                            rx.text(
                                "Web links on this portal need a password.",
                                size="1",
                                color_scheme="amber",
                                high_contrast=True,
                            ),
                        ),
                        _password_and_expiry("share-link", P.link_error, P.link_error_field),
                        spacing="2",
                        width="100%",
                    ),
                    _password_and_expiry(
                        "share-secured", P.link_error, P.link_error_field, password=False
                    ),
                ),
                field_error(_error_of(P.link_error, P.link_error_field, "kind")),
                rx.hstack(
                    rx.button(
                        rx.icon("link", size=14),
                        "Create link",
                        type="submit",
                        variant="soft",
                        id="share-create-link",
                    ),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=P.create_link,
            width="100%",
        ),
        rx.cond(P.new_link_url != "", _new_link()),
        spacing="3",
        width="100%",
    )


def _share_row(share) -> rx.Component:
    label = share.kind_label + " · " + share.shared_with
    return rx.box(
        rx.flex(
            rx.vstack(
                rx.hstack(
                    rx.badge(share.kind_label, variant="soft", color_scheme="gray"),
                    rx.match(
                        share.status,
                        (
                            "active",
                            rx.badge(
                                "Active", color_scheme="green", variant="soft", high_contrast=True
                            ),
                        ),
                        (
                            "expired",
                            rx.badge(
                                "Expired", color_scheme="amber", variant="soft", high_contrast=True
                            ),
                        ),
                        rx.badge(share.status_label, color_scheme="gray", variant="outline"),
                    ),
                    rx.cond(
                        share.kind == "guest",
                        rx.text(
                            rx.cond(share.contribute, "can contribute", "view only"),
                            size="1",
                            color_scheme="gray",
                        ),
                    ),
                    spacing="2",
                    align="center",
                    wrap="wrap",
                ),
                rx.text(share.shared_with, size="2", overflow_wrap="anywhere"),
                rx.text(
                    rx.cond(share.item_type == "file", share.item_name + " · ", ""),
                    "Expires: ",
                    share.expires,
                    rx.cond(share.has_password, " · password", ""),
                    size="1",
                    color_scheme="gray",
                ),
                spacing="1",
                min_width="0",
                flex="1",
            ),
            rx.hstack(
                rx.cond(
                    share.status == "active",
                    rx.button(
                        "Deactivate",
                        size="1",
                        variant="soft",
                        color_scheme="gray",
                        on_click=P.set_share_status(share.id.to_string(), "deactivated"),
                        aria_label="Deactivate " + label,
                    ),
                ),
                rx.cond(
                    share.status == "deactivated",
                    rx.button(
                        "Reactivate",
                        size="1",
                        variant="soft",
                        on_click=P.set_share_status(share.id.to_string(), "active"),
                        aria_label="Reactivate " + label,
                    ),
                ),
                rx.button(
                    "Remove",
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=P.ask_remove(share.id.to_string(), label),
                    aria_label="Remove " + label,
                ),
                spacing="2",
                flex_shrink="0",
            ),
            direction=rx.breakpoints(initial="column", sm="row"),
            gap="0.5rem",
            align=rx.breakpoints(initial="start", sm="center"),
            width="100%",
        ),
        padding_y="0.6rem",
        border_top=f"1px solid {rx.color('gray', 4)}",
        width="100%",
        data_testid="share-row",
    )


def _current_shares() -> rx.Component:
    return rx.vstack(
        rx.heading("Shared outside", size="3", as_="h3"),
        rx.cond(
            P.shares.length() > 0,
            rx.vstack(rx.foreach(P.shares, _share_row), spacing="0", width="100%"),
            rx.text(
                "Not shared outside yet. Invite a guest or create a link above.",
                size="2",
                color_scheme="gray",
                data_testid="no-shares",
            ),
        ),
        confirm_dialog(
            "Remove this share?",
            rx.text(
                P.removing_label,
                ": its link stops working at once and the share leaves the list. "
                "This can't be undone.",
            ),
            "Remove share",
            P.confirm_remove,
            P.removing_id != "",
            P.cancel_remove,
        ),
        spacing="2",
        width="100%",
    )


def outside_tab_trigger() -> rx.Component:
    return rx.cond(
        P.may_share,
        rx.tabs.trigger("Others outside your organization", value=TAB),
    )


def outside_tab() -> rx.Component:
    return rx.tabs.content(
        rx.vstack(
            _invite_form(),
            rx.separator(size="4"),
            _link_form(),
            rx.separator(size="4"),
            _current_shares(),
            spacing="4",
            padding_top="1rem",
            width="100%",
        ),
        value=TAB,
    )
