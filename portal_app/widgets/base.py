"""The widget plugin API: one class per widget type, the same for built-in and
third-party types (see docs/widgets.md).

A type is pure Python (no Reflex anywhere in its imports): its ``name`` (stable, stored
in layouts), ``label``, ``icon`` (a lucide icon name), ``description``, a pydantic
``Config`` model (validated on the server on every change), the text a reader sees
(``search_text``, used by search) and its upload rules. The property form in the
editor is generated from ``Config``'s fields. How it looks and what it does live next
to it in its package: ``view.py`` (components, and an optional Reflex state in
``state.py``) registered in the ``portal_app.widget_ui`` entry point group, and
``actions.py`` (services taking the acting person first).
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
    # "text", "long_text", "rich_text", "number", "checkbox", "select", "list", "file",
    # "form_fields"
    kind: str
    options: tuple[str, ...] = ()
    help: str = ""
    # A list of small records (say links): the item's field names, one line per item
    # written as "value | value".
    columns: tuple[str, ...] = ()


class WidgetType:
    name: ClassVar[str]
    label: ClassVar[str]
    icon: ClassVar[str] = "square"
    description: ClassVar[str] = ""
    Config: ClassVar[type[WidgetConfig]] = WidgetConfig
    # True when people add content to it (comments, submissions, uploads): those need
    # the page's "contribute" grant.
    accepts_contributions: ClassVar[bool] = False
    # Where the palette lists it: lower first; equal positions by label.
    palette_position: ClassVar[int] = 1000
    # Upload rules (asked by services/files.py): staff may upload files into it;
    # clients with the page's contribute grant may; a file added to it is readable
    # only by its uploader and staff.
    staff_uploads: ClassVar[bool] = False
    contributor_uploads: ClassVar[bool] = False
    private_uploads: ClassVar[bool] = False

    def takes_contributor_uploads(self, config: dict[str, Any]) -> bool:
        """Whether clients with the page's contribute grant may upload into a widget of
        this type with this ``config`` (``services/files.py`` asks). By default the
        type's ``contributor_uploads``; a type whose editor switches it per widget
        overrides this."""
        return self.contributor_uploads

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

    def search_text(self, config: dict[str, Any]) -> str:
        """The text a reader sees in a widget with this ``config`` (search matches it).
        By default every text setting; types override it to leave out addresses, ids
        and markup."""
        return _join(_strings(config))

    def editor_fields(self) -> list[EditorField]:
        """The generated property form: one control per ``Config`` field."""
        fields = []
        for name, info in self.Config.model_fields.items():
            annotation = info.annotation
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            kind = str(extra.get("editor", ""))
            options: tuple[str, ...] = tuple(str(o) for o in extra.get("options", ()))
            columns: tuple[str, ...] = ()
            if get_origin(annotation) is Literal:
                kind, options = kind or "select", tuple(str(a) for a in get_args(annotation))
            elif annotation is bool:
                kind = kind or "checkbox"
            elif annotation in (int, float):
                kind = kind or "number"
            elif get_origin(annotation) is list:
                kind = kind or "list"
                item = get_args(annotation)[0] if get_args(annotation) else None
                if isinstance(item, type) and issubclass(item, BaseModel):
                    columns = tuple(item.model_fields)
            fields.append(
                EditorField(
                    name=name,
                    label=info.title or name.replace("_", " ").capitalize(),
                    kind=kind or "text",
                    options=options,
                    help=info.description or "",
                    columns=columns,
                )
            )
        return fields

    def editor_field(self, kind: str) -> EditorField | None:
        """The first property of the given editor ``kind`` (the editor asks, say, for
        the "rich_text" field instead of knowing which types have one)."""
        return next((f for f in self.editor_fields() if f.kind == kind), None)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _strings(v)]
    if isinstance(value, list):
        return [t for v in value for t in _strings(v)]
    return []


def _join(parts: list[str]) -> str:
    return " ".join(" ".join(parts).split())


def search_words(*parts: object) -> str:
    """Helper for ``search_text``: the given texts (strings or lists of them), joined
    with single spaces."""
    return _join([t for part in parts for t in _strings(part)])
