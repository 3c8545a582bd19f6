"""Jinja2 templates: one environment per app, ``render_template`` and ``TemplateResponse``.

An app configured with a templates directory (``LexigramApp(templates="templates")`` or
``WebConfig(templates={"directory": ...})``) builds one autoescaping Jinja2 environment when it
starts, registers it in the container as ``Templates`` (inject it), and serves
``render_template(...)`` responses with it. Needs the ``templates`` extra
(``pip install "lexigram-web[templates]"``).
"""

from __future__ import annotations

import os
import typing
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict
from starlette.background import BackgroundTask
from starlette.responses import HTMLResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from .._declare.errors import ConfigurationError

if TYPE_CHECKING:
    import jinja2

__all__ = [
    "SCOPE_KEY",
    "TemplateNotFoundError",
    "TemplateResponse",
    "Templates",
    "TemplatesConfig",
    "build_templates",
    "render_template",
    "serving_templates",
]

INSTALL_HINT = 'templates need Jinja2: pip install "lexigram-web[templates]"'
SCOPE_KEY = "lexigram.templates"
"""Where a started app puts its ``Templates`` in each request's scope (only when it has one)."""


class TemplatesConfig(BaseModel):
    """Where an app's templates live, and how they load.

    ``directory``: where templates live. ``require``: template names that must exist when
    the app starts (startup fails naming the missing ones). ``auto_reload``: re-read changed
    files (development)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    directory: Path
    require: tuple[str, ...] = ()
    auto_reload: bool = False


class TemplateNotFoundError(LookupError):
    """A template to render does not exist (answered as a 500 problem; named only in debug)."""

    def __init__(self, name: str, directory: str) -> None:
        super().__init__(f"template {name!r} not found in {directory}")
        self.name = name


def _jinja() -> Any:
    try:
        import jinja2
    except ImportError as exc:
        raise ImportError(INSTALL_HINT) from exc
    return jinja2


class Templates:
    """An autoescaping Jinja2 environment over one directory, created once per app."""

    def __init__(self, directory: str | os.PathLike[str], *, auto_reload: bool = False) -> None:
        jinja = _jinja()
        self.directory = Path(directory)
        self.environment: jinja2.Environment = jinja.Environment(
            loader=jinja.FileSystemLoader(self.directory),
            autoescape=True,
            auto_reload=auto_reload,
            enable_async=False,
        )
        self._not_found: type[Exception] = jinja.TemplateNotFound

    def render(self, name: str, context: Mapping[str, Any] | None = None) -> str:
        """Render ``name`` with ``context`` (``TemplateNotFoundError`` when it is missing)."""
        try:
            template = self.environment.get_template(name)
        except self._not_found:
            raise TemplateNotFoundError(name, str(self.directory)) from None
        rendered: str = template.render(dict(context or {}))
        return rendered

    def missing(self, names: Iterable[str]) -> list[str]:
        """The ``names`` that are not templates of this environment."""
        absent: list[str] = []
        for name in names:
            try:
                self.environment.get_template(name)
            except self._not_found:
                absent.append(name)
        return absent

    def response(
        self,
        name: str,
        context: Mapping[str, Any] | None = None,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> HTMLResponse:
        """``render`` as an ``HTMLResponse``."""
        return HTMLResponse(self.render(name, context), status_code, headers)


class TemplateResponse(HTMLResponse):
    """An HTML response rendered from a template when it is sent.

    It uses the templates given, or else the serving app's. Rendering errors surface before
    anything is sent, so they become the request's error response."""

    def __init__(
        self,
        name: str,
        context: Mapping[str, Any] | None = None,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | None = None,
        *,
        templates: Templates | None = None,
    ) -> None:
        self.template_name = name
        self.context = dict(context or {})
        self.templates = templates
        self.status_code = status_code
        if media_type is not None:
            self.media_type = media_type
        self.background = background
        self.init_headers(dict(headers or {}))  # no body yet: no content-length

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        templates = self.templates or scope.get(SCOPE_KEY)
        if not isinstance(templates, Templates):
            raise RuntimeError(
                f"cannot render {self.template_name!r}: the app has no templates; configure"
                " them (LexigramApp(templates='templates') or WebConfig templates.directory)"
                " or pass templates= to render_template"
            )
        self.body = templates.render(self.template_name, self.context).encode(self.charset)
        self.raw_headers = [h for h in self.raw_headers if h[0] != b"content-length"]
        self.raw_headers.append((b"content-length", str(len(self.body)).encode("latin-1")))
        await super().__call__(scope, receive, send)


def render_template(
    name: str,
    context: Mapping[str, Any] | None = None,
    status_code: int = 200,
    *,
    templates: Templates | None = None,
    headers: Mapping[str, str] | None = None,
    media_type: str | None = None,
    background: BackgroundTask | None = None,
) -> TemplateResponse:
    """A response rendering template ``name`` with ``context`` (autoescaped HTML).

    Uses ``templates`` when given, else the templates of the app serving the request. A
    missing template answers 500 problem+json (its name shown only in debug) and is logged.
    """
    return TemplateResponse(
        name, context, status_code, headers, media_type, background, templates=templates
    )


def build_templates(option: Any, config: Any) -> Templates | None:
    """The app's ``Templates`` from the ``templates=`` option (a ``Templates``, a
    ``TemplatesConfig`` or a directory), else from ``config.templates``; ``None`` when
    neither is set. Raises ``ImportError`` (install hint) without Jinja2 and
    ``ConfigurationError`` naming required templates that are missing."""
    source = option if option is not None else getattr(config, "templates", None)
    if source is None:
        return None
    if isinstance(source, Templates):
        return source
    if isinstance(source, str | os.PathLike):
        source = TemplatesConfig(directory=Path(typing.cast(str, source)))
    elif isinstance(source, Mapping):
        source = TemplatesConfig.model_validate(source)
    if not isinstance(source, TemplatesConfig):
        raise TypeError(
            "templates= takes a directory, a TemplatesConfig or a Templates instance,"
            f" got {source!r}"
        )
    templates = Templates(source.directory, auto_reload=source.auto_reload)
    absent = templates.missing(source.require)
    if absent:
        raise ConfigurationError(
            f"required templates are missing from {source.directory}: {', '.join(absent)};"
            " add them or remove them from templates.require"
        )
    return templates


def serving_templates(app: ASGIApp, templates: Templates | None) -> ASGIApp:
    """``app`` putting ``templates`` in each request's scope; ``app`` itself without them."""
    if templates is None:
        return app

    async def with_templates(scope: Scope, receive: Receive, send: Send) -> None:
        scope[SCOPE_KEY] = templates
        await app(scope, receive, send)

    return with_templates
