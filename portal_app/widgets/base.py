"""The widget plugin API: one class per widget type, the same for built-in and
third-party types.

A type declares its ``name`` (stable, stored in layouts), ``label``, ``icon`` (a lucide
icon name), ``description``, a pydantic ``Config`` model (validated on the server on
every change), and how it looks: ``view(widget)`` renders a published widget from a
Reflex Var with ``id``, ``type`` and ``config``. The property form in the editor is
generated from ``Config``'s fields; a type may override ``editor_fields``. Actions a
type offers (posting a comment, submitting a form...) are services that take the
acting person first, like every other service.

Reflex is imported inside ``view`` only, so services can use types without it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, ValidationError

from portal_app.errors import Invalid


class WidgetConfig(BaseModel):
    """Base for config models: unknown keys are refused, strings are trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


@dataclass(frozen=True)
class EditorField:
    """One control of the generated property form."""

    name: str
    label: str
    kind: str  # "text", "long_text", "number", "checkbox", "select", "url", "list"
    options: tuple[str, ...] = ()
    help: str = ""


class WidgetType:
    name: ClassVar[str]
    label: ClassVar[str]
    icon: ClassVar[str] = "square"
    description: ClassVar[str] = ""
    Config: ClassVar[type[WidgetConfig]] = WidgetConfig
    # True when people add content to it (comments, submissions, uploads): those need
    # the page's "contribute" grant.
    accepts_contributions: ClassVar[bool] = False

    def default_config(self) -> dict[str, Any]:
        return self.Config().model_dump(mode="json")

    def validate_config(self, raw: object) -> dict[str, Any]:
        """Validate a config sent by a browser; raise ``Invalid`` naming the field."""
        if not isinstance(raw, dict):
            raise Invalid("These settings could not be read.")
        try:
            model = self.Config.model_validate(raw)
        except ValidationError as exc:
            error = exc.errors()[0]
            path = [str(p) for p in error.get("loc", ()) if not isinstance(p, int)]
            field = path[0] if path else ""
            info = self.Config.model_fields.get(field)
            label = (
                info.title if info and info.title else field.replace("_", " ").capitalize()
            ) or "Settings"
            message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
            raise Invalid(f"{label}: {message}.", field=field) from exc
        return self.clean_config(model.model_dump(mode="json"))

    def clean_config(self, config: dict[str, Any]) -> dict[str, Any]:
        """Hook for types that must transform a valid config (e.g. sanitize HTML)."""
        return config

    def editor_fields(self) -> list[EditorField]:
        """The generated property form: one control per ``Config`` field."""
        fields = []
        for name, info in self.Config.model_fields.items():
            annotation = info.annotation
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            kind = str(extra.get("editor", ""))
            options: tuple[str, ...] = ()
            if get_origin(annotation) is Literal:
                kind, options = kind or "select", tuple(str(a) for a in get_args(annotation))
            elif annotation is bool:
                kind = kind or "checkbox"
            elif annotation in (int, float):
                kind = kind or "number"
            elif get_origin(annotation) is list:
                kind = kind or "list"
            fields.append(
                EditorField(
                    name=name,
                    label=info.title or name.replace("_", " ").capitalize(),
                    kind=kind or "text",
                    options=options,
                    help=info.description or "",
                )
            )
        return fields

    def view(self, widget: Any) -> Any:
        """Render a published widget. ``widget`` is a Reflex Var with ``id``, ``type``
        and ``config`` (a dict). Must be overridden."""
        raise NotImplementedError(f"Widget type {self.name!r} has no view")
