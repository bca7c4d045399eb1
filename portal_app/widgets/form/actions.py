"""Form actions: people submit, staff review.

Rules enforced here on every call:
- submitting needs the page's contribute right and the form on the live page; every
  value is checked on the server against the widget's fields (type, required, length,
  choices), unknown fields are refused and the whole submission is size-capped;
- a file field holds the id of a file the same person uploaded to this same form;
- a client sees only their own submissions (never another person's, even a
  colleague's); staff who see the page see all, change statuses and export CSV;
- new submissions are told to staff subscribers only (they may hold personal data).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import col, select

from portal_app import access
from portal_app.access import Actor
from portal_app.clock import utcnow
from portal_app.db import session_scope
from portal_app.errors import Forbidden, Invalid, NotFound
from portal_app.ids import parse_id
from portal_app.models import FormSubmission, StoredFile, User
from portal_app.services import audit, files, subscriptions
from portal_app.services.links import portal_url
from portal_app.services.text import clean_text
from portal_app.services.widget_targets import widget_target
from portal_app.widgets.form.widget import Form, FormConfig, FormFieldSpec

MAX_SUBMISSION_BYTES = 100_000
MAX_LIST = 1000
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class SubmissionValue:
    field_id: str
    label: str
    text: str
    file_id: int = 0
    file_url: str = ""


@dataclass(frozen=True)
class SubmissionRow:
    id: int
    submitter: str
    submitter_email: str
    created: str
    status: str
    values: list[SubmissionValue]
    mine: bool


# --- checking values -----------------------------------------------------------------------


def _text(spec: FormFieldSpec, raw: object) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise Invalid(f"{spec.label}: enter text.", field=spec.id)
    value = clean_text(raw).strip()
    if spec.kind != "long_text":
        value = " ".join(value.split())
    if len(value) > spec.max_length:
        raise Invalid(f"{spec.label}: use at most {spec.max_length} characters.", field=spec.id)
    return value


def _number(spec: FormFieldSpec, raw: object) -> int | float | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        if isinstance(raw, bool) or not isinstance(raw, int | float | str):
            raise ValueError(raw)
        if isinstance(raw, str):
            text = raw.strip().replace(",", "")
            if len(text) > 40 or not _NUMBER.match(text):
                raise ValueError(raw)
            raw = text
        number = float(raw)
        if not math.isfinite(number):
            raise ValueError(raw)
    except (ValueError, OverflowError) as exc:
        raise Invalid(f"{spec.label}: enter a number.", field=spec.id) from exc
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _check(
    actor: Actor, page_id: int, widget_id: str, spec: FormFieldSpec, raw: object
) -> str | int | float | bool | None:
    """One field's clean value, or None when it was left empty."""
    if spec.kind == "checkbox":
        if raw in (None, "", False, "false", "off"):
            value: Any = False
        elif raw in (True, "true", "on"):
            value = True
        else:
            raise Invalid(f"{spec.label}: tick the box or leave it.", field=spec.id)
        if spec.required and not value:
            raise Invalid(f"{spec.label}: this box must be ticked.", field=spec.id)
        return value
    if spec.kind == "file":
        if raw in (None, "", 0, "0"):
            value = None
        else:
            try:
                file = files.file_owned_by(actor, page_id, widget_id, raw)
            except Invalid as exc:
                raise Invalid(f"{spec.label}: upload the file again.", field=spec.id) from exc
            value = file.id
    elif spec.kind == "number":
        value = _number(spec, raw)
    elif spec.kind == "email":
        text = _text(spec, raw)
        if text and (len(text) > 254 or not _EMAIL.match(text)):
            raise Invalid(f"{spec.label}: enter an e-mail address.", field=spec.id)
        value = text or None
    elif spec.kind == "date":
        text = _text(spec, raw)
        if text:
            try:
                if not _DATE.match(text):
                    raise ValueError(text)
                date.fromisoformat(text)
            except ValueError as exc:
                raise Invalid(
                    f"{spec.label}: enter a date like 2026-03-31.", field=spec.id
                ) from exc
        value = text or None
    elif spec.kind == "select":
        text = raw if isinstance(raw, str) else None
        if raw not in (None, "") and text not in spec.options:
            raise Invalid(f"{spec.label}: choose one of the options.", field=spec.id)
        value = text or None
    else:
        value = _text(spec, raw) or None
    if spec.required and value is None:
        raise Invalid(f"{spec.label}: this field is required.", field=spec.id)
    return value


def _form(actor: Actor, page_id: object, widget_id: object, *, contributing: bool):
    target = widget_target(actor, page_id, widget_id, Form.name, contributing=contributing)
    return target.page, FormConfig.model_validate(target.config)


# --- submitting ----------------------------------------------------------------------------


def submit_form(actor: Actor, page_id: object, widget_id: object, values: object) -> SubmissionRow:
    """Submit a form as ``actor`` (see the module rules). Returns the stored row."""
    page, config = _form(actor, page_id, widget_id, contributing=True)
    if not isinstance(values, dict):
        raise Invalid("The form could not be read. Reload the page and try again.")
    known = {spec.id for spec in config.fields}
    if any(not isinstance(key, str) or key not in known for key in values):
        raise Invalid("This form has changed since you opened it. Reload the page.")
    assert page.id is not None and isinstance(widget_id, str)
    clean = {
        spec.id: _check(actor, page.id, widget_id, spec, values.get(spec.id))
        for spec in config.fields
    }
    data = json.dumps(clean, ensure_ascii=False, separators=(",", ":"))
    if len(data.encode()) > MAX_SUBMISSION_BYTES:
        raise Invalid("This submission is too long. Shorten your answers.")
    with session_scope() as session:
        submission = FormSubmission(
            page_id=page.id,
            widget_id=widget_id,
            submitter_id=actor.user_id,
            data=data,
            status=config.statuses[0],
        )
        session.add(submission)
        session.flush()
        submitter = session.get(User, actor.user_id)
        assert submitter is not None
        row = _row(session, actor, submission, submitter, config)
    subscriptions.notify_subscribers(
        page.id,
        exclude_user_id=actor.user_id,
        subject=f"New submission: {config.title}",
        body=f"{actor.display_name} submitted “{config.title}” on {page.title}.\n\n"
        f"Review it: {portal_url('/pages/' + page.slug)}\n",
        # Answers may be personal: only staff hear of them, never other clients.
        reader_filter=access.hears_of_private_content,
    )
    return row


def _display(spec: FormFieldSpec | None, value: object, file_names: dict[int, str]) -> str:
    if value is None:
        return ""
    if spec is not None and spec.kind == "checkbox":
        return "Yes" if value else "No"
    if spec is not None and spec.kind == "file" and isinstance(value, int):
        return file_names.get(value, "(file removed)")
    return str(value)


def _row(session, actor: Actor, submission: FormSubmission, submitter: User, config: FormConfig):
    data = json.loads(submission.data)
    specs = {spec.id: spec for spec in config.fields}
    file_ids = [
        v for k, v in data.items() if k in specs and specs[k].kind == "file" and isinstance(v, int)
    ]
    file_names = {}
    if file_ids:
        for file in session.exec(
            select(StoredFile).where(
                col(StoredFile.id).in_(file_ids), col(StoredFile.deleted_at).is_(None)
            )
        ):
            file_names[file.id] = file.filename
    shown = []
    # Fields in the form's current order, then answers to fields since removed.
    for field_id in [*specs, *(k for k in data if k not in specs)]:
        if field_id not in data:
            continue
        spec = specs.get(field_id)
        value = data[field_id]
        is_file = spec is not None and spec.kind == "file" and value in file_names
        shown.append(
            SubmissionValue(
                field_id=field_id,
                label=spec.label if spec else field_id,
                text=_display(spec, value, file_names),
                file_id=value if is_file else 0,
                file_url=f"/files/{value}" if is_file else "",
            )
        )
    assert submission.id is not None
    return SubmissionRow(
        id=submission.id,
        submitter=submitter.display_name,
        submitter_email=submitter.email,
        created=submission.created_at.strftime("%d %b %Y, %H:%M"),
        status=submission.status,
        values=shown,
        mine=submission.submitter_id == actor.user_id,
    )


# --- reviewing -----------------------------------------------------------------------------


def _query(actor: Actor, page_id: int, widget_id: str, status: str, search: str, limit: int | None):
    query = (
        select(FormSubmission, User)
        .join(User, col(User.id) == FormSubmission.submitter_id)
        .where(FormSubmission.page_id == page_id, FormSubmission.widget_id == widget_id)
        .order_by(col(FormSubmission.created_at).desc(), col(FormSubmission.id).desc())
    )
    if not access.reviews_submissions(actor):
        query = query.where(FormSubmission.submitter_id == actor.user_id)
    if status:
        query = query.where(FormSubmission.status == status)
    if search:
        pattern = (
            "%" + search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        )
        query = query.where(
            or_(
                func.lower(FormSubmission.data).like(pattern, escape="\\"),
                func.lower(User.display_name).like(pattern, escape="\\"),
                func.lower(User.email).like(pattern, escape="\\"),
            )
        )
    return query.limit(limit)


def list_submissions(
    actor: Actor,
    page_id: object,
    widget_id: object,
    status: object = "",
    search: object = "",
    *,
    limit: int | None = MAX_LIST,
) -> list[SubmissionRow]:
    """Staff who see the page: every submission. A client: only their own. Newest
    first, at most ``limit``."""
    page, config = _form(actor, page_id, widget_id, contributing=False)
    status = status if isinstance(status, str) else ""
    search = search.strip()[:200] if isinstance(search, str) else ""
    assert page.id is not None and isinstance(widget_id, str)
    with session_scope() as session:
        rows = session.exec(_query(actor, page.id, widget_id, status, search, limit)).all()
        return [_row(session, actor, submission, user, config) for submission, user in rows]


def set_submission_status(actor: Actor, submission_id: object, status: object) -> None:
    """Staff move a submission between the form's statuses."""
    if not access.reviews_submissions(actor):
        raise Forbidden()
    with session_scope() as session:
        submission = session.get(FormSubmission, parse_id(submission_id))
    if submission is None:
        raise NotFound("This submission no longer exists.")
    _, config = _form(actor, submission.page_id, submission.widget_id, contributing=False)
    if not isinstance(status, str) or status not in config.statuses:
        raise Invalid("Choose one of the form's statuses.", field="status")
    with session_scope() as session:
        row = session.get(FormSubmission, submission.id)
        assert row is not None
        previous = row.status
        row.status = status
        row.updated_at = utcnow()
        session.add(row)
        audit.record(
            session,
            "submission_status_changed",
            actor_id=actor.user_id,
            target_type="submission",
            target_id=row.id,
            before=previous,
            after=status,
        )


def _cell(value: object) -> str:
    """Spreadsheets run cells starting with = + - @ (and tab/CR) as formulas: quote them."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def export_csv(actor: Actor, page_id: object, widget_id: object) -> str:
    """Staff only: every submission of a form as CSV, formula-safe."""
    if not access.reviews_submissions(actor):
        raise Forbidden()
    rows = list_submissions(actor, page_id, widget_id, limit=None)
    _, config = _form(actor, page_id, widget_id, contributing=False)
    labels = [spec.label for spec in config.fields]
    ids = [spec.id for spec in config.fields]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_cell(h) for h in ["Submitted", "Name", "E-mail", "Status", *labels]])
    for row in reversed(rows):  # oldest first, like a register
        by_id = {value.field_id: value.text for value in row.values}
        writer.writerow(
            [
                _cell(row.created),
                _cell(row.submitter),
                _cell(row.submitter_email),
                _cell(row.status),
                *(_cell(by_id.get(field_id, "")) for field_id in ids),
            ]
        )
    return out.getvalue()
