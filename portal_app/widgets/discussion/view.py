"""How a discussion widget looks on a published page: threads, replies, the comment
box and the delete confirmation."""

from __future__ import annotations

import reflex as rx

from portal_app.components.feedback import confirm_row_delete, field_error
from portal_app.components.widget_parts import (
    can_contribute,
    hidden_input,
    message_text,
    quiet_empty,
    row_count,
    view_only_note,
    widget_card,
)
from portal_app.components.widget_ui import WidgetUI
from portal_app.widgets.discussion.state import DiscussionState

D = DiscussionState


def _comment_actions(widget, comment, can_reply, thread_id) -> rx.Component:
    return rx.hstack(
        rx.cond(
            can_reply,
            rx.button(
                rx.icon("reply", size=14, aria_hidden="true"),
                "Reply",
                variant="ghost",
                size="1",
                color_scheme="gray",
                # Threads are one level deep: replying to a reply joins its thread.
                on_click=D.start_reply(thread_id),
                aria_label="Reply to the comment by " + comment.author,
            ),
        ),
        rx.cond(
            comment.can_edit & can_contribute(),
            rx.button(
                rx.icon("pencil", size=14, aria_hidden="true"),
                "Edit",
                variant="ghost",
                size="1",
                color_scheme="gray",
                on_click=D.start_edit(comment.id),
                aria_label="Edit comment",
            ),
        ),
        rx.cond(
            comment.can_delete,
            rx.button(
                rx.icon("trash-2", size=14, aria_hidden="true"),
                "Delete",
                variant="ghost",
                size="1",
                color_scheme="red",
                on_click=D.ask_delete(widget.id, comment.id, comment.author),
                aria_label="Delete comment by " + comment.author,
            ),
        ),
        spacing="4",
        padding_top="0.25rem",
        padding_left="0.25rem",
    )


def _edit_form(widget, comment) -> rx.Component:
    box_id = "edit-box-" + comment.id.to_string()
    return rx.form(
        hidden_input("widget", widget.id),
        hidden_input("comment", comment.id),
        rx.el.label("Edit your comment", html_for=box_id, class_name="sr-only"),
        rx.text_area(
            id=box_id,
            name="body",
            default_value=comment.body,
            rows="3",
            width="100%",
            data_submit_shortcut="true",
        ),
        field_error(message_text(D.errors["edit"])),
        rx.hstack(
            rx.button(
                "Cancel", type="button", variant="soft", color_scheme="gray", on_click=D.cancel_edit
            ),
            rx.button("Save", type="submit"),
            spacing="2",
            justify="end",
            width="100%",
        ),
        on_submit=D.save_edit,
        width="100%",
        display="flex",
        flex_direction="column",
        gap="0.5rem",
    )


def _reply_form(widget, comment) -> rx.Component:
    box_id = "reply-box-" + comment.id.to_string()
    return rx.form(
        hidden_input("widget", widget.id),
        hidden_input("parent", comment.id),
        rx.el.label(
            rx.text("Reply to ", comment.author, size="2", weight="medium"), html_for=box_id
        ),
        rx.text_area(
            id=box_id,
            name="body",
            placeholder="Write a reply…",
            rows="2",
            width="100%",
            data_submit_shortcut="true",
        ),
        field_error(message_text(D.errors["reply"])),
        rx.hstack(
            rx.button(
                "Cancel",
                type="button",
                variant="soft",
                color_scheme="gray",
                on_click=D.cancel_reply,
            ),
            rx.button(rx.icon("send", size=14, aria_hidden="true"), "Reply", type="submit"),
            spacing="2",
            justify="end",
            width="100%",
        ),
        on_submit=D.post,
        width="100%",
        display="flex",
        flex_direction="column",
        gap="0.5rem",
        padding_top="0.5rem",
    )


def _comment(widget, comment, can_reply, thread_id, *extra: rx.Component) -> rx.Component:
    return rx.hstack(
        rx.cond(
            comment.deleted,
            rx.avatar(fallback="–", size="2", radius="full", color_scheme="gray"),
            rx.avatar(fallback=comment.initials, size="2", radius="full", color_scheme="gray"),
        ),
        rx.vstack(
            rx.hstack(
                rx.text(
                    rx.cond(comment.deleted, "Deleted comment", comment.author),
                    weight="medium",
                    size="2",
                ),
                rx.cond(
                    comment.by_guest,
                    rx.badge("Guest", size="1", variant="soft", color_scheme="gray"),
                ),
                rx.text(comment.time, size="1", color_scheme="gray"),
                rx.cond(
                    comment.edited,
                    rx.text("· edited", size="1", color_scheme="gray"),
                ),
                spacing="2",
                align="baseline",
                wrap="wrap",
            ),
            rx.cond(
                D.editing_id == comment.id,
                _edit_form(widget, comment),
                rx.text(
                    comment.body,
                    size="2",
                    white_space="pre-wrap",
                    overflow_wrap="anywhere",
                    color=rx.cond(comment.deleted, rx.color("gray", 11), "inherit"),
                    font_style=rx.cond(comment.deleted, "italic", "normal"),
                ),
            ),
            rx.cond(comment.can_show, _guest_visibility(widget, comment)),
            rx.cond(
                ~comment.deleted & (D.editing_id != comment.id),
                _comment_actions(widget, comment, can_reply, thread_id),
            ),
            *extra,
            spacing="1",
            width="100%",
            min_width="0",
        ),
        spacing="3",
        align="start",
        width="100%",
        data_testid="comment",
    )


def _guest_visibility(widget, comment) -> rx.Component:
    """For staff, on a guest's comment: who reads it, and the switch."""
    return rx.hstack(
        rx.icon(
            rx.cond(comment.shown_to_page, "eye", "eye-off"),
            size=14,
            aria_hidden="true",
            color=rx.color("gray", 11),
        ),
        rx.text(
            rx.cond(
                comment.shown_to_page,
                "Shown to everyone on this page",
                "Only staff and this guest read it",
            ),
            size="1",
            color=rx.color("gray", 11),
        ),
        rx.button(
            rx.cond(comment.shown_to_page, "Keep between staff and the guest", "Show to everyone"),
            size="1",
            variant="ghost",
            on_click=D.show_to_page(widget.id, comment.id, ~comment.shown_to_page),
            data_testid="guest-comment-visibility",
        ),
        spacing="2",
        align="center",
        wrap="wrap",
    )


def _thread(widget, thread) -> rx.Component:
    allow_replies = widget.config["allow_replies"].to(bool) & can_contribute()
    return rx.el.li(
        _comment(
            widget,
            thread,
            allow_replies,
            thread.id,
            rx.cond(
                row_count(thread.replies) > 0,
                rx.el.ul(
                    rx.foreach(
                        thread.replies,
                        lambda reply: rx.el.li(_comment(widget, reply, allow_replies, thread.id)),
                    ),
                    aria_label="Replies",
                    display="flex",
                    flex_direction="column",
                    gap="1rem",
                    list_style_type="none",
                    margin="0.75rem 0 0 0",
                    padding="0 0 0 1rem",
                    border_left=f"2px solid {rx.color('gray', 4)}",
                ),
            ),
            rx.cond(D.replying_to == thread.id, _reply_form(widget, thread)),
        ),
    )


def _comment_box(widget) -> rx.Component:
    box_id = "comment-box-" + widget.id
    return rx.form(
        hidden_input("widget", widget.id),
        rx.el.label(rx.text("Add a comment", size="2", weight="medium"), html_for=box_id),
        rx.text_area(
            id=box_id,
            name="body",
            placeholder="Write a comment… Use @Name to notify someone.",
            rows="3",
            width="100%",
            aria_describedby="comment-hint-" + widget.id,
            data_submit_shortcut="true",
        ),
        field_error(message_text(D.errors[widget.id])),
        rx.hstack(
            rx.text(
                "Ctrl+Enter (⌘+Enter on a Mac) to post",
                id="comment-hint-" + widget.id,
                size="1",
                color_scheme="gray",
            ),
            rx.spacer(),
            rx.button(
                rx.icon("send", size=14, aria_hidden="true"),
                "Post comment",
                type="submit",
                loading=D.busy,
            ),
            align="center",
            width="100%",
        ),
        on_submit=D.post,
        id="comment-form-" + widget.id,
        width="100%",
        display="flex",
        flex_direction="column",
        gap="0.5rem",
    )


def _delete_comment_dialog(widget) -> rx.Component:
    return confirm_row_delete(
        D,
        widget,
        "Delete this comment?",
        rx.fragment(
            rx.cond(
                D.deleting_label != "",
                rx.text("The comment by ", D.deleting_label, " will be removed for everyone."),
                rx.text("The comment will be removed for everyone."),
            ),
            " This can't be undone.",
        ),
        "Delete comment",
    )


def discussion_view(widget) -> rx.Component:
    return widget_card(
        widget,
        "messages-square",
        widget.config["title"].to(str),
        rx.cond(
            row_count(D.threads[widget.id]) > 0,
            rx.el.ul(
                rx.foreach(D.threads[widget.id], lambda thread: _thread(widget, thread)),
                aria_label="Comments",
                display="flex",
                flex_direction="column",
                gap="1.25rem",
                list_style_type="none",
                margin="0",
                padding="0",
                width="100%",
            ),
            quiet_empty(
                "message-circle",
                "No comments yet — start the conversation",
                "Questions and notes about this page go here.",
            ),
        ),
        rx.separator(size="4"),
        rx.cond(
            can_contribute(),
            _comment_box(widget),
            view_only_note("This page is view-only for you, so you can read the discussion."),
        ),
        _delete_comment_dialog(widget),
        data_testid="discussion",
    )


ui = WidgetUI(view=discussion_view, state=DiscussionState)
