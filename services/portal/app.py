"""The portal's web application: the core (sessions, CSRF, errors, static files, health) and the
sections mounted on it, each a list of routes (services/portal/member.py: the member portal;
merchant.py: the merchant portal; operator.py: the operator console)."""

from __future__ import annotations

import contextlib
import pathlib

import grpc
import jinja2
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from services.shared import config as shared_config

from . import fonts, formatting, member, merchant, operator, settings, web
from .backends import Backends

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SESSION_COOKIE = "club_portal"
# The sections of the portal; each gives its routes and the templates under templates/<section>/.
SECTIONS = (member, merchant, operator)


def templates(amounts: str) -> Jinja2Templates:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    formatting.install(env, amounts)
    return Jinja2Templates(env=env)


async def healthz(request):
    return PlainTextResponse("ok")


async def logout(request):
    person = web.current_person(request)
    web.sign_out(request)
    return web.redirect(web.SIGN_IN_PATHS.get(person.role, "/") if person else "/")


async def root(request):
    person = web.current_person(request)
    return RedirectResponse(web.HOME_PATHS.get(person.role, member.HOME) if person else member.HOME, 303)


def create_app(cfg=None) -> Starlette:
    cfg = cfg if cfg is not None else settings.load()
    font_dir = pathlib.Path(cfg.portal_font_dir)
    font_dir = font_dir if font_dir.is_absolute() else ROOT / font_dir

    @contextlib.asynccontextmanager
    async def lifespan(app):
        app.state.backends = Backends(cfg)
        try:
            yield
        finally:
            await app.state.backends.close()

    font_css = fonts.face_rules(font_dir)

    async def fonts_css(request):
        return Response(font_css, media_type="text/css", headers={"cache-control": "public, max-age=3600"})

    routes = [
        Route("/", root),
        Route("/fonts.css", fonts_css),
        Route("/healthz", healthz),
        Route("/logout", logout, methods=["POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        Mount("/fonts", StaticFiles(directory=font_dir, check_dir=False), name="fonts"),
    ]
    for section in SECTIONS:
        routes += section.routes()
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(web.SecurityHeadersMiddleware),
            Middleware(web.CallCountMiddleware),
            Middleware(SessionMiddleware, secret_key=settings.session_key(cfg), session_cookie=SESSION_COOKIE,
                       max_age=cfg.portal_session_minutes * 60, same_site="lax", https_only=cfg.portal_secure_cookies),
            Middleware(web.CsrfMiddleware),
        ],
        exception_handlers={grpc.aio.AioRpcError: web.rpc_error, HTTPException: web.http_error,
                            Exception: web.unexpected_error},
        lifespan=lifespan,
    )
    app.state.config = cfg
    app.state.templates = templates(cfg.portal_amounts)
    return app


def validate(cfg) -> None:
    """Refuses a configuration that cannot serve (e.g. no session key in production)."""
    settings.session_key(cfg)
    if cfg.env == "production" and not cfg.portal_secure_cookies:
        raise shared_config.ConfigError("CLUB_PORTAL_SECURE_COOKIES", "must be true in production (served over TLS)")
