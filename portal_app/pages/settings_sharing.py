"""Settings » Sharing: the Shared list of every share (guest invitations, web and
secured links) with filters, bulk actions, access logs and new links; the portal's
sharing policy for administrators."""

from __future__ import annotations

import reflex as rx

from portal_app.components.feedback import empty_state, field_error, form_field
from portal_app.components.shell import shell
from portal_app.state.sharing_list import ALL
from portal_app.state.sharing_list import SharedListState as S

KIND_OPTIONS = [("guest", "Guest"), ("web", "Web link"), ("secured", "Secured link")]
STATUS_OPTIONS = [("active", "Active"), ("deactivated", "Deactivated"), ("expired", "Expired")]


def _select(label: str, value, on_change, everything: str, options, field_id: str):
    return rx.select.root(
        rx.select.trigger(aria_label=label, id=field_id),
        rx.select.content(
            rx.select.item(everything, value=ALL),
            *options,
        ),
        value=value,
        on_change=on_change,
    )


def _filters() -> rx.Component:
    return rx.flex(
        rx.input(
            rx.input.slot(rx.icon("search", size=16)),
            placeholder="Search items, people and e-mails",
            value=S.search,
            on_change=S.set_search.debounce(300),
            aria_label="Search shares",
            id="share-search",
            flex="1",
            min_width="min(14rem, 100%)",
        ),
        _select(
            "Filter by client organization",
            S.organization_filter,
            S.set_organization_filter,
            "All organizations",
            [
                rx.foreach(
                    S.organization_choices,
                    lambda choice: rx.select.item(choice.label, value=choice.value),
                )
            ],
            "share-organization-filter",
        ),
        _select(
            "Filter by kind",
            S.kind_filter,
            S.set_kind_filter,
            "All kinds",
            [rx.select.item(label, value=key) for key, label in KIND_OPTIONS],
            "share-kind-filter",
        ),
        _select(
            "Filter by status",
            S.status_filter,
            S.set_status_filter,
            "Any status",
            [rx.select.item(label, value=key) for key, label in STATUS_OPTIONS],
            "share-status-filter",
        ),
        _select(
            "Filter by creator",
            S.creator_filter,
            S.set_creator_filter,
            "Anyone's",
            [
                rx.foreach(
                    S.creator_choices,
                    lambda choice: rx.select.item(choice.label, value=choice.value),
                )
            ],
            "share-creator-filter",
        ),
        rx.cond(S.busy, rx.spinner(size="2", aria_label="Updating the list")),
        spacing="3",
        wrap="wrap",
        align="center",
        width="100%",
    )


def _bulk_bar() -> rx.Component:
    return rx.cond(
        S.selected_count > 0,
        rx.flex(
            rx.text(S.selected_count, " selected", size="2", weight="medium"),
            rx.spacer(),
            rx.button(
                rx.icon("pause", size=14),
                "Deactivate",
                size="2",
                variant="soft",
                on_click=S.deactivate_selected,
                id="bulk-deactivate",
            ),
            rx.button(
                rx.icon("play", size=14),
                "Reactivate",
                size="2",
                variant="soft",
                on_click=S.reactivate_selected,
                id="bulk-reactivate",
            ),
            rx.button(
                rx.icon("calendar-clock", size=14),
                "Change expiry",
                size="2",
                variant="soft",
                on_click=S.open_expiry,
                id="bulk-expiry",
            ),
            rx.button(
                rx.icon("trash-2", size=14),
                "Remove",
                size="2",
                variant="soft",
                color_scheme="red",
                high_contrast=True,
                on_click=S.ask_remove,
                id="bulk-remove",
            ),
            spacing="2",
            wrap="wrap",
            align="center",
            width="100%",
            padding="0.5rem 0.75rem",
            border_radius="var(--radius-3)",
            border=f"1px solid {rx.color('accent', 6)}",
            background=rx.color("gray", 1),
            role="region",
            aria_label="Actions for the selected shares",
        ),
    )


def _status_badge(share) -> rx.Component:
    return rx.match(
        share.status,
        ("active", rx.badge(share.status_label, color_scheme="green", variant="outline")),
        (
            "expired",
            rx.badge(share.status_label, color_scheme="amber", variant="soft", high_contrast=True),
        ),
        rx.badge(share.status_label, color_scheme="gray", variant="outline"),
    )


def _row_menu(share) -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            rx.icon_button(
                rx.icon("ellipsis", size=16),
                variant="ghost",
                color_scheme="gray",
                aria_label="Actions for the share of " + share.item_name,
            ),
        ),
        rx.menu.content(
            rx.menu.item(
                rx.icon("history", size=14), "Access log", on_click=S.open_access_log(share.id)
            ),
            rx.cond(
                share.kind != "secured",
                rx.menu.item(
                    rx.icon("refresh-cw", size=14), "New link", on_click=S.regenerate(share.id)
                ),
            ),
            rx.menu.separator(),
            rx.cond(
                share.status == "deactivated",
                rx.menu.item(
                    rx.icon("play", size=14),
                    "Reactivate",
                    on_click=S.set_share_status(share.id, "active"),
                ),
                rx.menu.item(
                    rx.icon("pause", size=14),
                    "Deactivate",
                    color="red",
                    on_click=S.set_share_status(share.id, "deactivated"),
                ),
            ),
            align="end",
        ),
    )


def _share_row(share) -> rx.Component:
    muted = {"size": "1", "color_scheme": "gray"}
    return rx.table.row(
        rx.table.cell(
            rx.checkbox(
                checked=S.selected.contains(share.id),
                on_change=lambda chosen: S.toggle_selected(share.id, chosen),
                aria_label="Select the share of " + share.item_name,
            ),
        ),
        rx.table.cell(rx.text(share.kind_label, size="2"), min_width="4.5rem"),
        rx.table.row_header_cell(
            rx.vstack(
                rx.cond(
                    share.item_type == "file",
                    # A file on a page is a download, not a page of the app: a plain link.
                    rx.link(
                        share.item_name,
                        href=share.item_path,
                        size="2",
                        weight="medium",
                        is_external=True,
                    ),
                    rx.link(share.item_name, href=share.item_path, size="2", weight="medium"),
                ),
                rx.text(
                    rx.match(
                        share.item_type, ("page", "Page"), ("dropsite", "Dropsite"), "Document"
                    ),
                    **muted,
                ),
                spacing="0",
            ),
            min_width="8rem",
        ),
        rx.table.cell(rx.text(share.shared_with, size="2"), min_width="7rem"),
        rx.table.cell(
            rx.vstack(
                rx.text(share.created_by, size="2"),
                rx.text(share.created, **muted),
                spacing="0",
            ),
            white_space="nowrap",
        ),
        rx.table.cell(rx.cond(share.has_password, "Yes", "No")),
        rx.table.cell(rx.text(share.expires, size="2"), min_width="6rem"),
        rx.table.cell(_status_badge(share)),
        rx.table.cell(rx.text(share.last_used, size="2"), min_width="5rem"),
        rx.table.cell(share.use_count, text_align="right"),
        rx.table.cell(rx.cond(share.downloads != "", share.downloads, "—"), white_space="nowrap"),
        rx.table.cell(_row_menu(share), text_align="right"),
        align="center",
        data_testid="share-row",
    )


def _shares_table() -> rx.Component:
    header = rx.table.header(
        rx.table.row(
            rx.table.column_header_cell(
                rx.checkbox(
                    checked=S.all_selected,
                    on_change=S.toggle_all,
                    aria_label="Select every share shown",
                ),
                width="2.5rem",
            ),
            rx.table.column_header_cell("Kind"),
            rx.table.column_header_cell("Item"),
            rx.table.column_header_cell("Shared with"),
            rx.table.column_header_cell("Created by"),
            rx.table.column_header_cell("Password"),
            rx.table.column_header_cell("Expires"),
            rx.table.column_header_cell("Status"),
            rx.table.column_header_cell("Last used"),
            rx.table.column_header_cell("Uses", text_align="right"),
            rx.table.column_header_cell("Downloads"),
            rx.table.column_header_cell(rx.text("Actions", class_name="sr-only")),
        ),
    )
    return rx.box(
        rx.table.root(
            header,
            rx.table.body(rx.foreach(S.shares, _share_row)),
            variant="surface",
            size="1",
            width="100%",
            min_width="54rem",
        ),
        # On a phone the table scrolls sideways inside its own box; nothing is clipped.
        overflow_x="auto",
        width="100%",
        tab_index=0,
        role="region",
        aria_label="Shares",
    )


def _shares() -> rx.Component:
    return rx.cond(
        S.shares.length() > 0,
        _shares_table(),
        rx.cond(
            S.filtering,
            empty_state(
                "search-x",
                "No share matches these filters",
                "Clear the search or the filters to see every share you manage.",
                rx.button("Clear filters", variant="soft", on_click=S.clear_filters),
            ),
            empty_state(
                "share-2",
                "Nothing is shared yet",
                "Share a page or one of its documents from the page's Permissions dialog "
                "(Page ▾ » Permissions & subscribers): guest invitations, web links and "
                "secured links all appear here.",
            ),
        ),
    )


def _remove_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Remove ", S.selected_count, " selected share(s)?"),
            rx.alert_dialog.description(
                "Their links stop working at once, guests are signed out, and the shares "
                "disappear from this list. This can't be undone: to share again, make a "
                "new link.",
                size="2",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button(
                        "Remove",
                        color_scheme="red",
                        high_contrast=True,
                        on_click=S.confirm_remove,
                        id="confirm-remove",
                    ),
                ),
                justify="end",
                spacing="3",
                margin_top="1rem",
            ),
            max_width="28rem",
        ),
        open=S.remove_open,
        on_open_change=S.set_remove_open,
    )


def _expiry_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Change expiry"),
            rx.dialog.description(
                rx.text("For ", S.selected_count, " selected share(s)."),
                size="2",
                color_scheme="gray",
            ),
            rx.form(
                rx.vstack(
                    form_field(
                        "Expires at (UTC)",
                        "share-expires-at",
                        rx.input(
                            id="share-expires-at",
                            name="expires_at",
                            type="datetime-local",
                            auto_focus=True,
                            width="100%",
                        ),
                        error=S.expiry_error,
                        hint="Leave empty for the portal's default expiry.",
                    ),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button("Cancel", variant="soft", color_scheme="gray", type="button")
                        ),
                        rx.button("Save expiry", type="submit", id="save-expiry"),
                        justify="end",
                        spacing="3",
                        width="100%",
                    ),
                    spacing="4",
                    margin_top="1rem",
                ),
                on_submit=S.save_expiry,
                reset_on_submit=False,
            ),
            max_width="26rem",
        ),
        open=S.expiry_open,
        on_open_change=S.set_expiry_open,
    )


def _log_row(entry) -> rx.Component:
    return rx.table.row(
        rx.table.cell(entry.at, white_space="nowrap"),
        rx.table.cell(entry.what),
        rx.table.cell(entry.ip, white_space="nowrap"),
        rx.table.cell(rx.text(entry.user_agent, size="1", color_scheme="gray")),
    )


def _log_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Access log"),
            rx.dialog.description(S.log_title, size="2", color_scheme="gray"),
            rx.cond(
                S.log_rows.length() > 0,
                rx.box(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                rx.table.column_header_cell("When (UTC)"),
                                rx.table.column_header_cell("What"),
                                rx.table.column_header_cell("Address"),
                                rx.table.column_header_cell("Browser"),
                            ),
                        ),
                        rx.table.body(rx.foreach(S.log_rows, _log_row)),
                        size="1",
                        width="100%",
                    ),
                    overflow_x="auto",
                    max_height="60vh",
                    overflow_y="auto",
                    margin_top="1rem",
                ),
                rx.text("No one has used this share yet.", size="2", margin_top="1rem"),
            ),
            rx.flex(
                rx.dialog.close(rx.button("Close", variant="soft", color_scheme="gray")),
                justify="end",
                margin_top="1rem",
            ),
            max_width="46rem",
        ),
        open=S.log_open,
        on_open_change=S.set_log_open,
    )


def _link_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("New link"),
            rx.dialog.description(
                rx.text(
                    "The earlier link to “",
                    S.link_title,
                    "” no longer works. Copy the new one now: it is shown only once.",
                ),
                size="2",
                color_scheme="gray",
            ),
            rx.vstack(
                rx.el.label(rx.text("New link", size="2", weight="medium"), html_for="new-link"),
                rx.flex(
                    rx.input(
                        value=S.link_url, read_only=True, id="new-link", flex="1", min_width="0"
                    ),
                    rx.button(
                        rx.icon("copy", size=14),
                        "Copy",
                        on_click=[rx.set_clipboard(S.link_url), rx.toast.success("Link copied.")],
                        id="copy-new-link",
                    ),
                    spacing="2",
                    width="100%",
                ),
                rx.flex(
                    rx.button("Done", variant="soft", color_scheme="gray", on_click=S.close_link),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                margin_top="1rem",
            ),
            max_width="34rem",
        ),
        open=S.link_open,
        on_open_change=S.set_link_open,
    )


def _policy_error(field: str) -> rx.Var[str]:
    return rx.cond(S.policy_error_field == field, S.policy_error, "")


def _policy_card() -> rx.Component:
    return rx.cond(
        S.is_policy_admin,
        rx.card(
            rx.form(
                rx.vstack(
                    rx.heading("Sharing policy", size="4", as_="h2"),
                    rx.text(
                        "Applied whenever a link is made or its expiry changes. A link "
                        "that would break it is refused.",
                        size="2",
                        color_scheme="gray",
                    ),
                    rx.flex(
                        form_field(
                            "Default expiry (days)",
                            "policy-default-days",
                            rx.input(
                                id="policy-default-days",
                                name="default_expiry_days",
                                default_value=S.policy_default_days,
                                inputmode="numeric",
                                width="100%",
                            ),
                            error=_policy_error("default_expiry_days"),
                            hint="0: links don't expire unless the sharer says so.",
                        ),
                        form_field(
                            "Maximum expiry (days)",
                            "policy-max-days",
                            rx.input(
                                id="policy-max-days",
                                name="max_expiry_days",
                                default_value=S.policy_max_days,
                                inputmode="numeric",
                                width="100%",
                            ),
                            error=_policy_error("max_expiry_days"),
                            hint="0: no maximum.",
                        ),
                        spacing="4",
                        direction=rx.breakpoints(initial="column", sm="row"),
                        width="100%",
                    ),
                    rx.el.label(
                        rx.hstack(
                            rx.checkbox(
                                checked=S.policy_password_required,
                                on_change=S.set_policy_password_required,
                                aria_label="Web links need a password",
                            ),
                            rx.text("Web links need a password", size="2"),
                            spacing="2",
                            align="center",
                        ),
                    ),
                    rx.cond(
                        (S.policy_error != "")
                        & (S.policy_error_field != "default_expiry_days")
                        & (S.policy_error_field != "max_expiry_days"),
                        field_error(S.policy_error),
                    ),
                    rx.flex(
                        rx.button("Save policy", type="submit", id="save-policy"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="4",
                    width="100%",
                ),
                on_submit=S.save_policy,
                reset_on_submit=False,
            ),
            width="100%",
        ),
    )


def settings_sharing_page() -> rx.Component:
    def content() -> rx.Component:
        return rx.vstack(
            rx.text(
                "Every guest invitation, web link and secured link to the items you may see.",
                size="2",
                color_scheme="gray",
            ),
            _filters(),
            _bulk_bar(),
            _shares(),
            _policy_card(),
            _remove_dialog(),
            _expiry_dialog(),
            _log_dialog(),
            _link_dialog(),
            spacing="4",
            width="100%",
        )

    return shell(
        "Sharing",
        "/settings/sharing",
        content,
        # Downloaded by the browser (a router link would open the address as a page).
        actions=rx.button(
            rx.icon("download", size=16, aria_hidden="true"),
            "Export CSV",
            variant="soft",
            on_click=rx.download(url=S.export_href, filename="shares.csv"),
            id="export-shares",
        ),
    )
