"""How a person is shown: avatar, name, e-mail, role badge."""

from __future__ import annotations

import reflex as rx

ROLE_COLORS = {"admin": "purple", "staff": "blue", "limited": "green"}


def role_badge(role: rx.Var[str], label: rx.Var[str]) -> rx.Component:
    return rx.badge(
        label,
        color_scheme=rx.match(role, ("admin", "purple"), ("staff", "blue"), "green"),
        variant="soft",
        high_contrast=True,
        radius="full",
    )


def person_identity(person) -> rx.Component:
    return rx.hstack(
        rx.avatar(fallback=person.initials, size="2", radius="full", color_scheme="gray"),
        rx.vstack(
            rx.text(person.name, weight="medium", size="2"),
            rx.text(person.email, size="1", color_scheme="gray"),
            spacing="0",
            min_width="0",
        ),
        spacing="3",
        align="center",
    )


def person_card(person) -> rx.Component:
    return rx.card(
        rx.vstack(
            person_identity(person),
            rx.hstack(
                role_badge(person.role, person.role_label),
                rx.cond(
                    person.organization_name != "",
                    rx.text(person.organization_name, size="1", color_scheme="gray"),
                ),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            spacing="3",
        ),
        width="100%",
    )
