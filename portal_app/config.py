"""Settings, every one an environment variable with a documented default.

Settings are read lazily (``get_settings()``) so tests and the CLI can point the app at
another data folder before first use; ``reload_settings()`` drops the cached copy.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SystemExit(f"{name} must be a whole number, got {raw!r}") from exc


def _extensions(name: str) -> frozenset[str]:
    """A comma-separated list of extensions ("pdf, .docx") as lower case, no dots."""
    raw = os.environ.get(name, "")
    return frozenset(
        part.strip().lstrip(".").lower() for part in raw.split(",") if part.strip(" .")
    )


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    return raw in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    portal_name: str
    port: int
    public_url: str
    data_dir: Path
    storage_dir: Path
    database_url: str
    redis_url: str
    workers: int
    session_idle_minutes: int
    session_max_hours: int
    invitation_days: int
    password_reset_minutes: int
    bcrypt_rounds: int
    trusted_proxy_hops: int
    smtp_host: str
    smtp_port: int
    smtp_user: str
    smtp_password: str
    smtp_starttls: bool
    mail_from: str
    max_upload_mb: int
    max_document_mb: int
    organization_quota_mb: int
    allowed_extensions: frozenset[str]
    denied_extensions: frozenset[str]
    clamav_socket: str
    # Issue targets count business hours (Mon-Fri 09:00-17:00) in this time zone.
    business_timezone: str = "Europe/London"

    @property
    def secure_cookies(self) -> bool:
        return self.public_url.startswith("https://")

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024

    @property
    def max_document_bytes(self) -> int:
        return self.max_document_mb * 1024 * 1024

    @property
    def organization_quota_bytes(self) -> int:
        return self.organization_quota_mb * 1024 * 1024

    @property
    def smtp_enabled(self) -> bool:
        return bool(self.smtp_host)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    port = _int("PORTAL_PORT", 3000)
    data_dir = Path(os.environ.get("PORTAL_DATA_DIR", "data")).resolve()
    public_url = os.environ.get("PORTAL_PUBLIC_URL", f"http://localhost:{port}").rstrip("/")
    return Settings(
        portal_name=os.environ.get("PORTAL_NAME", "Portal"),
        port=port,
        public_url=public_url,
        data_dir=data_dir,
        # Where file bytes live; point several workers or machines at one shared folder.
        storage_dir=Path(os.environ.get("PORTAL_STORAGE_DIR", "") or data_dir / "files").resolve(),
        database_url=os.environ.get("PORTAL_DATABASE_URL", f"sqlite:///{data_dir / 'portal.db'}"),
        redis_url=os.environ.get("PORTAL_REDIS_URL", ""),
        # Backend worker processes scripts/serve.sh starts; more than 1 needs Redis.
        workers=max(1, _int("PORTAL_WORKERS", 1)),
        session_idle_minutes=_int("PORTAL_SESSION_IDLE_MINUTES", 30),
        session_max_hours=_int("PORTAL_SESSION_MAX_HOURS", 12),
        invitation_days=_int("PORTAL_INVITATION_DAYS", 7),
        password_reset_minutes=_int("PORTAL_PASSWORD_RESET_MINUTES", 60),
        # bcrypt cost below 12 is refused: it would weaken every stored password.
        bcrypt_rounds=max(12, _int("PORTAL_BCRYPT_ROUNDS", 12)),
        trusted_proxy_hops=_int("PORTAL_TRUSTED_PROXY_HOPS", 0),
        smtp_host=os.environ.get("PORTAL_SMTP_HOST", ""),
        smtp_port=_int("PORTAL_SMTP_PORT", 25),
        smtp_user=os.environ.get("PORTAL_SMTP_USER", ""),
        smtp_password=os.environ.get("PORTAL_SMTP_PASSWORD", ""),
        smtp_starttls=_bool("PORTAL_SMTP_STARTTLS", False),
        mail_from=os.environ.get("PORTAL_MAIL_FROM", "portal@localhost"),
        # The largest file anyone may upload, in megabytes (at least 1).
        max_upload_mb=max(1, _int("PORTAL_MAX_UPLOAD_MB", 25)),
        # Documents (library, dropsite) may be larger: 2 GB by default.
        max_document_mb=max(1, _int("PORTAL_MAX_DOCUMENT_MB", 2048)),
        # What one client organization's documents (every version) may take together.
        organization_quota_mb=max(1, _int("PORTAL_ORGANIZATION_QUOTA_MB", 20480)),
        # Extensions: when an allow list is set only those are taken; the deny list is
        # added to the built-in list of programs, scripts and web pages.
        allowed_extensions=_extensions("PORTAL_UPLOAD_ALLOWED_EXTENSIONS"),
        denied_extensions=_extensions("PORTAL_UPLOAD_DENIED_EXTENSIONS"),
        # A ClamAV daemon (clamd) socket: a path, or host:port. Empty: no scanner.
        clamav_socket=os.environ.get("PORTAL_CLAMAV_SOCKET", ""),
        business_timezone=os.environ.get("PORTAL_BUSINESS_TIMEZONE", "").strip() or "Europe/London",
    )


# Things cached from the settings (the database engine, the task queue) register here
# to be dropped when the settings are read again; config imports none of them.
_on_reload: list = []


def on_reload(callback) -> None:
    if callback not in _on_reload:
        _on_reload.append(callback)


def reload_settings() -> Settings:
    get_settings.cache_clear()
    for callback in list(_on_reload):
        callback()
    return get_settings()
