"""Custom form: staff build the fields; people submit; staff review submissions."""

from __future__ import annotations

import re
from typing import Any, Literal, get_args

from pydantic import Field, field_validator, model_validator

from portal_app.widgets.base import WidgetConfig, WidgetType, search_words

FieldKind = Literal["text", "long_text", "number", "email", "date", "select", "checkbox", "file"]
DEFAULT_STATUSES = ["Pending", "Reviewing", "Accepted", "Rejected"]


class FormFieldSpec(WidgetConfig):
    id: str = Field(min_length=1, max_length=40)
    label: str = Field(min_length=1, max_length=200)
    kind: FieldKind = "text"
    required: bool = False
    options: list[str] = Field(default_factory=list, max_length=50)
    max_length: int = Field(default=2000, ge=1, le=20000)

    @field_validator("id")
    @classmethod
    def simple_id(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z0-9_]+", value):
            raise ValueError("field ids use lower-case letters, digits and _")
        return value

    @model_validator(mode="after")
    def select_has_options(self) -> FormFieldSpec:
        if self.kind == "select" and not self.options:
            raise ValueError(f"the choice field '{self.label}' needs options")
        return self


class FormConfig(WidgetConfig):
    title: str = Field(default="Form", max_length=200, title="Title")
    introduction: str = Field(
        default="", max_length=2000, title="Introduction", json_schema_extra={"editor": "long_text"}
    )
    fields: list[FormFieldSpec] = Field(
        default_factory=lambda: [
            FormFieldSpec(id="message", label="Message", kind="long_text", required=True)
        ],
        max_length=50,
        title="Fields",
        # The editor's question builder; options are the kinds of answer it offers.
        json_schema_extra={"editor": "form_fields", "options": list(get_args(FieldKind))},
    )
    statuses: list[str] = Field(
        default_factory=lambda: list(DEFAULT_STATUSES),
        min_length=1,
        max_length=20,
        title="Statuses",
        description="The first status is given to new submissions.",
    )
    submit_label: str = Field(default="Submit", min_length=1, max_length=60, title="Button label")

    @model_validator(mode="after")
    def unique_field_ids(self) -> FormConfig:
        ids = [f.id for f in self.fields]
        if len(ids) != len(set(ids)):
            raise ValueError("two fields have the same id")
        return self


class Form(WidgetType):
    name = "form"
    label = "Form"
    icon = "clipboard-list"
    description = "A form people fill in; you review the submissions."
    Config = FormConfig
    palette_position = 70
    accepts_contributions = True
    staff_uploads = True
    # Clients attach files to their answers; only they and staff may read them.
    contributor_uploads = True
    private_uploads = True

    def search_text(self, config: dict[str, Any]) -> str:
        fields = config.get("fields") or []
        return search_words(
            config.get("title"),
            config.get("introduction"),
            [f.get("label", "") for f in fields if isinstance(f, dict)],
            [f.get("options", []) for f in fields if isinstance(f, dict)],
            config.get("submit_label"),
        )
