"""Reflex configuration for Portal.

Everything deployment-specific comes from environment variables, read once at import:

- PORTAL_PORT (default 3000): the single port serving both the compiled frontend
  and the backend (prod mode).
- PORTAL_PUBLIC_URL (default http://localhost:$PORTAL_PORT): the origin people use.
  It is the only origin allowed to open the event socket (cors_allowed_origins),
  and the URL the compiled frontend talks to (api_url / deploy_url). It is baked
  into the frontend build, so scripts/serve.sh rebuilds when it changes.
- PORTAL_REDIS_URL: when set, Reflex keeps state in Redis (scale-out mode).
- PORTAL_TRUSTED_PROXY_HOPS (default 0): how many reverse proxies to trust for
  X-Forwarded-For.

The app has its own SQLModel engine and plain alembic, so no db_url here.
"""

import os

import reflex as rx

_port = int(os.environ.get("PORTAL_PORT", "3000"))
_public_url = os.environ.get("PORTAL_PUBLIC_URL", f"http://localhost:{_port}").rstrip("/")

_extra: dict = {}
if os.environ.get("PORTAL_REDIS_URL"):
    _extra["redis_url"] = os.environ["PORTAL_REDIS_URL"]

config = rx.Config(
    app_name="portal_app",
    frontend_port=_port,
    backend_port=_port,
    api_url=_public_url,
    deploy_url=_public_url,
    cors_allowed_origins=[_public_url],
    trusted_proxy_hops=int(os.environ.get("PORTAL_TRUSTED_PROXY_HOPS", "0")),
    show_built_with_reflex=False,
    telemetry_enabled=False,
    # The sitemap plugin is on by default (with a warning) and would publish every
    # page path; a client portal has nothing to advertise.
    disable_plugins=[rx.plugins.SitemapPlugin],
    # Radix Themes is used by the UI; reflex 0.10 wants it declared explicitly.
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(
                accent_color="indigo",
                gray_color="slate",
                radius="medium",
                appearance="light",
                scaling="100%",
            ),
        ),
    ],
    **_extra,
)
