"""Files on widgets: staff attachments and media, and files clients add to form fields.

Rules enforced here on every call:
- who may upload: the widget type says (``staff_uploads``: staff, to widgets of pages
  they see: attachments, media, rich text images, forms; ``contributor_uploads``: also
  clients where they may contribute: forms);
- bytes are streamed to private storage with a size limit (``PORTAL_MAX_UPLOAD_MB``);
  empty files are refused; the display name is cleaned (no folders, no control or
  direction characters, no Windows device names, at most 200 characters keeping the
  extension);
- extensions: the built-in ``DANGEROUS_EXTENSIONS`` and ``PORTAL_UPLOAD_DENIED_EXTENSIONS``
  are refused; with ``PORTAL_UPLOAD_ALLOWED_EXTENSIONS`` only those are taken;
- archives are stored as they are: never opened, listed or expanded (a zip bomb is
  its compressed size on disk and stays that);
- with a virus scanner configured (``storage/scan.py``) every upload is scanned before
  its row exists: infected files are kept "quarantined" (never served to anyone), and
  a scanner that can't answer refuses the upload;
- the type is sniffed from the first bytes (``filetype``), never taken from the name or
  the browser: HTML, SVG, XML, scripts and executables are refused, and so is a file
  whose name claims a PDF, image or video it isn't;
- downloading needs the page to be visible; a file added to a widget whose type keeps
  uploads private (``private_uploads``: forms) is readable only by its uploader and
  staff (a client never reads another person's form files, even a colleague's);
- only the uploader or staff delete a file.

Files have a generic owner (``models/files.py``); today every file belongs to a widget.
Bytes go through the storage interface only (``portal_app.storage``): this module never
sees a path.
"""

from __future__ import annotations

import contextlib
import mimetypes
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

import filetype
from sqlmodel import col, select

from portal_app import access
from portal_app.access import Actor
from portal_app.clock import utcnow
from portal_app.config import get_settings
from portal_app.db import session_scope
from portal_app.errors import Forbidden, Invalid, NotFound, PortalError
from portal_app.ids import parse_id
from portal_app.models import Page, StoredFile, User
from portal_app.models.documents import DOCUMENT_OWNER
from portal_app.models.files import (
    CLEAN,
    QUARANTINED,
    UNSCANNED,
    WIDGET_OWNER,
    parse_widget_owner,
    widget_owner,
)
from portal_app.models.issues import ISSUE_OWNER
from portal_app.services import audit, subscriptions
from portal_app.services.links import portal_url
from portal_app.services.widget_targets import widget_target
from portal_app.storage import BlobTooLarge, InvalidKey, SavedBlob, Storage, get_storage, scan
from portal_app.storage.scan import get_scanner
from portal_app.widgets import registry

MAX_NAME = 200
SCAN_STATUSES = (UNSCANNED, CLEAN, QUARANTINED)
SNIFF_BYTES = 8192
READ_CHUNK = 64 * 1024

# Shown in the browser: everything else downloads as an attachment.
INLINE_TYPES = re.compile(
    r"^(image/(png|jpeg|gif|webp|avif|bmp)|video/(mp4|webm)|application/pdf)$"
)
# Sniffed types that run code when opened.
DANGEROUS_MIME = {
    "application/x-msdownload",
    "application/x-executable",
    "application/x-sharedlib",
    "application/x-mach-binary",
    "application/x-shockwave-flash",
    "application/wasm",
    "application/x-google-chrome-extension",
    "application/x-rpm",
    "application/x-deb",
    "application/vnd.ms-cab-compressed",
}
DANGEROUS_EXTENSIONS = {
    "htm", "html", "xhtml", "shtml", "mht", "mhtml", "svg", "svgz", "xml", "xsl", "xslt",
    "js", "mjs", "jse", "vbs", "vbe", "wsf", "wsh", "hta", "ps1", "psm1", "bat", "cmd",
    "com", "exe", "dll", "scr", "msi", "msp", "cpl", "jar", "apk", "app", "dmg", "pkg",
    "sh", "bash", "zsh", "csh", "command", "run", "bin", "elf", "so", "dylib", "lnk",
    "reg", "inf", "swf", "wasm", "crx", "deb", "rpm", "php", "phtml", "asp", "aspx", "jsp",
    "py", "pl", "rb", "cgi",
}  # fmt: skip
# Machine code filetype doesn't know: Mach-O (both byte orders, 32/64-bit, fat).
_MACHO = (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe")
_MARKUP = re.compile(
    rb"<\s*(!doctype\s+html|html|head|body|script|svg|iframe|object|embed|meta|"
    rb"\?xml|xsl:|xml-stylesheet)",
    re.IGNORECASE,
)
_NAME_JUNK = re.compile(r'[<>:"|?*]')
# Device names Windows won't open as files, whatever the extension ("CON.txt" too).
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)$", re.I)
TEXT_TYPES = {"txt": "text/plain", "csv": "text/csv", "md": "text/markdown", "log": "text/plain"}
TYPE_LABELS = {
    "application/pdf": "PDF document",
    "application/zip": "ZIP archive",
    "application/msword": "Word document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word document",
    "application/vnd.ms-excel": "Excel spreadsheet",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel spreadsheet",
    "application/vnd.ms-powerpoint": "PowerPoint presentation",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (
        "PowerPoint presentation"
    ),
    "text/plain": "Text file",
    "text/csv": "CSV file",
    "text/markdown": "Text file",
}


class TooLarge(PortalError):
    status = 413

    def __init__(self, limit_mb: int):
        super().__init__(f"This file is larger than {limit_mb} MB. Choose a smaller file.")


class Quarantined(PortalError):
    """The scanner found something: the file is kept for administrators, never served."""

    status = 422

    def __init__(self, name: str = "This file"):
        super().__init__(
            f"“{name}” was held back by the virus scanner: it won't be shared. "
            "The firm has been told; check the file on your computer."
        )


class ScannerUnavailable(PortalError):
    status = 503

    def __init__(self) -> None:
        super().__init__("The virus scanner could not check this file; try again later.")


class UnsupportedType(PortalError):
    status = 415

    def __init__(self, message: str = "This kind of file can't be uploaded here."):
        super().__init__(message)


@dataclass(frozen=True)
class FileRow:
    id: int
    name: str
    size: str
    type_label: str
    created: str
    uploader: str
    url: str
    inline: bool
    can_delete: bool


# --- names, sizes and types ------------------------------------------------------------


def clean_filename(raw: object) -> str:
    """A display name safe to show and to put in a header: the last path part only, no
    control or bidi characters, no characters Windows refuses, at most 200 characters
    (keeping the extension)."""
    name = raw if isinstance(raw, str) else ""
    name = unicodedata.normalize("NFC", name)
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))
    name = _NAME_JUNK.sub("_", name)
    name = " ".join(name.split()).strip(" .")
    stem, dot, extension = name.partition(".")
    if _RESERVED.match(stem.strip()):
        name = stem.strip() + "_" + dot + extension
    if len(name) > MAX_NAME:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10 and stem:
            name = stem[: MAX_NAME - len(extension) - 1].rstrip(" .") + "." + extension
        else:
            name = name[:MAX_NAME]
    return name or "file"


def _extension(name: str) -> str:
    stem, dot, extension = name.rpartition(".")
    return extension.lower() if dot and stem else ""


def check_extension(name: str) -> None:
    """Refuse a name by its extension before a byte is read: programs, scripts and web
    pages always; the settings' deny list; anything off the allow list when there is
    one."""
    extension = _extension(name)
    settings = get_settings()
    if extension in DANGEROUS_EXTENSIONS:
        raise UnsupportedType("Web pages, scripts and programs can't be uploaded.")
    if extension in settings.denied_extensions:
        raise UnsupportedType(f"Files ending in .{extension} can't be uploaded here.")
    if settings.allowed_extensions and extension not in settings.allowed_extensions:
        allowed = ", ".join(sorted(settings.allowed_extensions))
        raise UnsupportedType(f"Only these kinds of file can be uploaded: {allowed}.")


def check_size(size: object, max_bytes: int) -> int:
    """A declared size the limit allows; ``Invalid`` for an empty or unreadable one,
    ``TooLarge`` past ``max_bytes``."""
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise Invalid("The file's size could not be read. Try again.")
    if size == 0:
        raise Invalid("This file is empty.")
    if size > max_bytes:
        raise TooLarge(max(1, max_bytes // (1024 * 1024)))
    return size


def size_text(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    if size < 1024 * 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{size / (1024 * 1024 * 1024):.1f} GB"


def type_label(content_type: str) -> str:
    if content_type in TYPE_LABELS:
        return TYPE_LABELS[content_type]
    major, _, minor = content_type.partition("/")
    if major in ("image", "video", "audio"):
        return f"{minor.removeprefix('x-').split('+')[0].upper()} {major}"
    return "File"


def is_inline(content_type: str) -> bool:
    return bool(INLINE_TYPES.match(content_type))


def _looks_like_markup(head: bytes) -> bool:
    # UTF-16/32 text would hide markup from a byte search: treat it as markup-ish too
    # unless it decodes to text without any tags.
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            head = head[len(bom) :].decode(codec, "ignore").encode("utf-8", "ignore")
    return bool(_MARKUP.search(head))


def sniff_type(name: str, head: bytes) -> str:
    """The content type to store and serve, from the first bytes. Raises
    ``UnsupportedType`` for anything that runs code or renders as a web page in a
    browser, and for a file whose name claims a type its bytes aren't."""
    extension = _extension(name)
    if extension in DANGEROUS_EXTENSIONS:
        raise UnsupportedType("Web pages, scripts and programs can't be uploaded.")
    if head.startswith(_MACHO) or head.startswith(b"#!"):
        raise UnsupportedType("Web pages, scripts and programs can't be uploaded.")
    kind = filetype.guess(head)
    sniffed = kind.mime if kind is not None else ""
    if sniffed in DANGEROUS_MIME:
        raise UnsupportedType("Web pages, scripts and programs can't be uploaded.")
    if not sniffed and _looks_like_markup(head):
        raise UnsupportedType("Web pages, scripts and programs can't be uploaded.")
    claimed = (mimetypes.guess_type("f." + extension)[0] or "") if extension else ""
    claimed_kind = _kind(claimed)
    if claimed_kind and claimed_kind != _kind(sniffed):
        label = "PDF" if claimed_kind == "pdf" else claimed_kind
        raise UnsupportedType(
            f"This file is named like a {label} but isn't one. Check the file and try again."
        )
    if sniffed:
        return sniffed
    return TEXT_TYPES.get(extension, "application/octet-stream")


def _kind(content_type: str) -> str:
    """The kinds a browser renders inline, which a name must not fake."""
    if content_type == "application/pdf":
        return "pdf"
    major = content_type.partition("/")[0]
    if major in ("image", "video", "audio"):
        return major
    return ""


# --- reading what arrives ----------------------------------------------------------------


def _chunks_of(source: Iterable[bytes] | IO[bytes]) -> Iterator[bytes]:
    read = getattr(source, "read", None)
    if callable(read):
        while chunk := read(READ_CHUNK):
            yield chunk
        return
    try:
        chunks = iter(source)  # type: ignore[arg-type]
    except TypeError as exc:
        raise Invalid("The file could not be read. Try again.") from exc
    for chunk in chunks:
        if not isinstance(chunk, bytes | bytearray | memoryview):
            raise Invalid("The file could not be read. Try again.")
        yield bytes(chunk)


class _Sniffed:
    """Passes chunks through to the storage, keeping the first bytes to sniff the type
    from once the file is stored (the storage counts, hashes and stops at the limit)."""

    def __init__(self, source: Iterable[bytes] | IO[bytes]):
        self.source = source
        self.head = b""

    def __iter__(self) -> Iterator[bytes]:
        for chunk in _chunks_of(self.source):
            if not chunk:
                continue
            if len(self.head) < SNIFF_BYTES:
                self.head += chunk[: SNIFF_BYTES - len(self.head)]
            yield chunk


# --- who may do what to a file -------------------------------------------------------------


def _upload_rule(type_name: str, rule: str, config: dict[str, Any] | None = None) -> bool:
    """What the widget type says about uploads (``staff_uploads``, ``contributor_uploads``
    or ``private_uploads``); contributors' uploads may depend on the widget's ``config``
    (``takes_contributor_uploads``). A type no longer installed takes no uploads, and its
    files stay private to their uploader and staff."""
    try:
        widget_type = registry.get_type(type_name)
    except Invalid:
        return rule == "private_uploads"
    if rule == "contributor_uploads":
        return widget_type.takes_contributor_uploads(config or {})
    return bool(getattr(widget_type, rule))


def _readable_on_widget(actor: Actor, file: StoredFile, type_name: str) -> bool:
    """Private uploads (form files): only their uploader and staff. Other files: all
    who see the widget."""
    return not _upload_rule(type_name, "private_uploads") or access.owner_or_moderator(
        actor, file.uploader_id
    )


# --- services ------------------------------------------------------------------------------


def _row(file: StoredFile, actor: Actor, uploader: str) -> FileRow:
    assert file.id is not None
    return FileRow(
        id=file.id,
        name=file.filename,
        size=size_text(file.size),
        type_label=type_label(file.content_type),
        created=file.created_at.strftime("%d %b %Y"),
        uploader=uploader,
        url=f"/files/{file.id}",
        inline=is_inline(file.content_type),
        can_delete=access.owner_or_moderator(actor, file.uploader_id),
    )


def _upload_target(actor: Actor, page_id: object, widget_id: object) -> tuple[Page, str]:
    target = widget_target(actor, page_id, widget_id)
    if not access.may_upload_to(
        actor,
        staff_uploads=_upload_rule(target.type_name, "staff_uploads"),
        contributor_uploads=_upload_rule(target.type_name, "contributor_uploads", target.config),
        may_contribute=target.may_contribute,
    ):
        raise Forbidden("Files can't be added here.")
    return target.page, target.type_name


@dataclass(frozen=True)
class WidgetPlan:
    page: Page
    widget_id: str
    max_bytes: int


def plan_widget_upload(
    actor: Actor, page_id: object, widget_id: object, filename: object
) -> WidgetPlan:
    """Before a byte arrives: may ``actor`` upload ``filename`` to this widget, and how
    large may it be (``PORTAL_MAX_UPLOAD_MB``)? Refuses a forbidden extension too."""
    page, _ = _upload_target(actor, page_id, widget_id)
    assert page.id is not None and isinstance(widget_id, str)
    check_extension(clean_filename(filename))
    return WidgetPlan(page=page, widget_id=widget_id, max_bytes=get_settings().max_upload_bytes)


def accept_widget_upload(
    actor: Actor,
    page_id: object,
    widget_id: object,
    filename: object,
    blob: SavedBlob,
    content_type: str,
    scan_status: str = UNSCANNED,
    scan_detail: str = "",
) -> FileRow:
    """A stored blob (``blob``, sniffed as ``content_type``, scanned) becomes a file of
    the widget: the access check again (it may have changed while the bytes arrived),
    the row, the audit and the followers' mail. On refusal the blob is deleted."""
    storage = get_storage()
    try:
        page, _ = _upload_target(actor, page_id, widget_id)
        assert page.id is not None and isinstance(widget_id, str)
        if not isinstance(blob, SavedBlob) or not storage.exists(blob.key):
            raise Invalid("Upload the file again.")
        name = clean_filename(filename)
        check_extension(name)
        if blob.size == 0:
            raise Invalid("This file is empty.")
        owner_type, owner_id = widget_owner(page.id, widget_id)
        with session_scope() as session:
            row = StoredFile(
                owner_type=owner_type,
                owner_id=owner_id,
                uploader_id=actor.user_id,
                filename=name,
                storage_key=blob.key,
                size=blob.size,
                content_type=str(content_type)[:120],
                sha256=blob.sha256,
                scan_status=scan_status if scan_status in SCAN_STATUSES else UNSCANNED,
                scan_detail=str(scan_detail)[:200],
            )
            session.add(row)
            session.flush()
            audit.record(
                session,
                "file_uploaded",
                actor_id=actor.user_id,
                target_type="file",
                target_id=row.id,
                page_id=page.id,
                widget_id=widget_id,
                name=name,
                size=blob.size,
                scan=row.scan_status,
            )
    except BaseException:
        if isinstance(blob, SavedBlob):
            with contextlib.suppress(InvalidKey):
                storage.delete(blob.key)
        raise
    if row.scan_status == QUARANTINED:
        return _row(row, actor, actor.display_name)
    if not access.hears_of_private_content(actor):
        # A client's form file is private to them and staff: only staff hear about it.
        subscriptions.notify_subscribers(
            page.id,
            exclude_user_id=actor.user_id,
            subject=f"New file on {page.title}",
            body=f"{actor.display_name} uploaded “{name}” ({size_text(blob.size)}) "
            f"on {page.title}.\n\nOpen it: {portal_url('/pages/' + page.slug)}\n",
            reader_filter=access.hears_of_private_content,
        )
    return _row(row, actor, actor.display_name)


def scan_blob(storage: Storage, blob: SavedBlob) -> tuple[str, str]:
    """``(scan_status, scan_detail)`` for a stored blob: ``unscanned`` without a
    scanner; ``Unavailable`` (and the blob deleted) when the scanner can't answer."""
    scanner = get_scanner()
    if scanner is None:
        return UNSCANNED, ""
    result = scanner.scan(storage.open_range(blob.key))
    if result.verdict == scan.CLEAN:
        return CLEAN, ""
    if result.verdict == scan.INFECTED:
        return QUARANTINED, result.detail or "infected"
    storage.delete(blob.key)
    raise ScannerUnavailable()


def save_upload(
    actor: Actor,
    page_id: object,
    widget_id: object,
    filename: object,
    chunks: Iterable[bytes] | IO[bytes],
    declared_type: object = "",
) -> FileRow:
    """Store an uploaded file on a widget in one request (see the module rules).
    ``declared_type`` (what the browser said) is never trusted: the stored type comes
    from the bytes."""
    plan = plan_widget_upload(actor, page_id, widget_id, filename)
    name = clean_filename(filename)
    storage = get_storage()
    sniffed = _Sniffed(chunks)
    try:
        blob = storage.save(sniffed, max_bytes=plan.max_bytes)
    except BlobTooLarge as exc:
        raise TooLarge(max(1, plan.max_bytes // (1024 * 1024))) from exc
    try:
        if blob.size == 0:
            raise Invalid("This file is empty.")
        content_type = sniff_type(name, sniffed.head)
    except BaseException:
        storage.delete(blob.key)
        raise
    scan_status, scan_detail = scan_blob(storage, blob)
    row = accept_widget_upload(
        actor, page_id, widget_id, name, blob, content_type, scan_status, scan_detail
    )
    if scan_status == QUARANTINED:
        raise Quarantined(name)
    return row


def list_files(actor: Actor, page_id: object, widget_id: object) -> list[FileRow]:
    """The files on a widget ``actor`` may download, newest first."""
    target = widget_target(actor, page_id, widget_id)
    page, type_name = target.page, target.type_name
    assert page.id is not None and isinstance(widget_id, str)
    owner_type, owner_id = widget_owner(page.id, widget_id)
    with session_scope() as session:
        rows = session.exec(
            select(StoredFile, User)
            .join(User, col(User.id) == StoredFile.uploader_id)
            .where(
                StoredFile.owner_type == owner_type,
                StoredFile.owner_id == owner_id,
                col(StoredFile.deleted_at).is_(None),
                col(StoredFile.scan_status) != QUARANTINED,
            )
            .order_by(col(StoredFile.created_at).desc(), col(StoredFile.id).desc())
        ).all()
    return [
        _row(file, actor, user.display_name)
        for file, user in rows
        if _readable_on_widget(actor, file, type_name)
    ]


def _widget_file_readable(actor: Actor, file: StoredFile) -> bool:
    try:
        page_id, widget_id = parse_widget_owner(file.owner_id)
        type_name = widget_target(actor, page_id, widget_id).type_name
    except (ValueError, NotFound, Invalid):
        return False
    return _readable_on_widget(actor, file, type_name)


# Who may read a file is its owner's rule, one function per kind of owner.
_READABLE_BY_OWNER = {
    WIDGET_OWNER: _widget_file_readable,
    DOCUMENT_OWNER: access.reads_document_file,
    ISSUE_OWNER: access.reads_issue_file,
}


def _file_for(actor: Actor, file_id: object, *, serve: bool = True) -> StoredFile:
    """A live file ``actor`` may read; NotFound otherwise (the same answer whether it
    doesn't exist or isn't theirs to see). ``serve``: its bytes are to be sent, which a
    quarantined file's never are (Forbidden, to those who may see it exists)."""
    with session_scope() as session:
        file = session.get(StoredFile, parse_id(file_id))
    readable = _READABLE_BY_OWNER.get(file.owner_type) if file is not None else None
    if file is None or file.deleted_at is not None or not readable or not readable(actor, file):
        raise NotFound("This file doesn't exist or isn't shared with you.")
    if serve and file.scan_status == QUARANTINED:
        # Never served, to anyone: the row stays for administrators to look into.
        raise Forbidden("This file was held back by the virus scanner.")
    return file


def readable_file(actor: Actor, file_id: object) -> StoredFile:
    """A live file ``actor`` may read (to share it, say), under the download rule."""
    return _file_for(actor, file_id)


def open_for_download(actor: Actor, file_id: object) -> tuple[StoredFile, Storage]:
    """The file row and the storage holding its bytes (under ``storage_key``), when
    ``actor`` may download it: the page is visible to them and the widget is on it; a
    private upload (a form's files) only to its uploader and staff."""
    file = _file_for(actor, file_id)
    storage = get_storage()
    if not storage.exists(file.storage_key):
        raise NotFound("This file doesn't exist or isn't shared with you.")
    return file, storage


def get_file(actor: Actor, file_id: object) -> FileRow:
    """One file's row (for a form submission's value), under the same rule as download."""
    file = _file_for(actor, file_id)
    with session_scope() as session:
        uploader = session.get(User, file.uploader_id)
    return _row(file, actor, uploader.display_name if uploader else "")


def _audit_owner(file: StoredFile) -> dict[str, object]:
    if file.owner_type == WIDGET_OWNER:
        page_id, widget_id = parse_widget_owner(file.owner_id)
        return {"page_id": page_id, "widget_id": widget_id}
    return {"owner_type": file.owner_type, "owner_id": file.owner_id}


def delete_file(actor: Actor, file_id: object) -> None:
    """The uploader or staff delete a file; its bytes are removed and the deletion is
    audited (the row stays for the record)."""
    file = _file_for(actor, file_id, serve=False)
    if not access.owner_or_moderator(actor, file.uploader_id):
        raise Forbidden("You can only delete files you uploaded.")
    with session_scope() as session:
        row = session.get(StoredFile, file.id)
        assert row is not None
        row.deleted_at = utcnow()
        session.add(row)
        audit.record(
            session,
            "file_deleted",
            actor_id=actor.user_id,
            target_type="file",
            target_id=row.id,
            name=row.filename,
            **_audit_owner(row),
        )
    get_storage().delete(file.storage_key)


def file_owned_by(actor: Actor, page_id: int, widget_id: str, file_id: object) -> StoredFile:
    """For form values: a live file ``actor`` uploaded to this very widget."""
    try:
        number = parse_id(file_id)
    except NotFound as exc:
        raise Invalid("Upload the file again.") from exc
    with session_scope() as session:
        file = session.get(StoredFile, number)
    if (
        file is None
        or file.deleted_at is not None
        or file.uploader_id != actor.user_id
        or (file.owner_type, file.owner_id) != widget_owner(page_id, widget_id)
    ):
        raise Invalid("Upload the file again.")
    return file
