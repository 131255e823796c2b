"""The web portal: server-rendered pages (Starlette, Jinja2, htmx) for members, and the core the
merchant portal and the operator console are built on. It holds no power of its own: every call
to a service carries the signed-in person's own token (docs/portal.md)."""
