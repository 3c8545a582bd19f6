"""Every public name of the original Lexigram web layer imports from where the guide says.

``ORIGINAL_NAMES`` lists the original names (a literal list, 93 entries), each with its
Lexigram name and module, or ``None`` for a name that is gone. The test imports each name
from its module and checks that docs/coming-from-lexigram.md has the same row, so neither
the code nor the guide can drift.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "coming-from-lexigram.md"

WEB = "lexigram.web"
RESULT = "lexigram.result"
RATELIMIT_DI = "lexigram.ratelimit.di"
MIDDLEWARE = "lexigram.web.middleware"

# (original name, Lexigram name, module); Lexigram name and module are None when it is gone.
ORIGINAL_NAMES: list[tuple[str, str | None, str | None]] = [
    ("CallHandlerProtocol", "CallHandlerProtocol", WEB),
    ("ConfigAccessorProtocol", "ConfigAccessorProtocol", WEB),
    ("ControllerSourceProtocol", "ControllerSourceProtocol", WEB),
    ("ExecutionContextProtocol", "ExecutionContextProtocol", WEB),
    ("PipeProtocol", "PipeProtocol", WEB),
    ("ProviderResourcesProtocol", None, None),
    ("WebAppAccessorProtocol", "WebAppAccessorProtocol", WEB),
    ("WebInterceptorProtocol", "InterceptorProtocol", WEB),
    ("WebProviderProtocol", "WebProviderProtocol", WEB),
    ("ApiVersionMetadata", "ApiVersionMetadata", WEB),
    ("BackgroundTasks", "BackgroundTasks", WEB),
    ("CQRSController", "CQRSController", WEB),
    ("Controller", "Controller", WEB),
    ("ControllerRegistry", "ControllerRegistry", WEB),
    ("DefaultMiddlewareStack", "DefaultMiddlewareStack", WEB),
    ("Err", "Err", RESULT),
    ("FastJSONResponse", "JSONResponse", WEB),
    ("FileResponse", "FileResponse", WEB),
    ("GenericController", "GenericController", WEB),
    ("HTMLContent", "HTMLContent", WEB),
    ("HTMLResponse", "HTMLResponse", WEB),
    ("HTMXResponse", "HTMXResponse", WEB),
    ("InputSanitizationMiddleware", "QuerySanitizerMiddleware", MIDDLEWARE),
    ("JSONResponse", "JSONResponse", WEB),
    ("Ok", "Ok", RESULT),
    ("ParamMetadata", "ParamMetadata", WEB),
    ("ProblemDetail", "ProblemDetail", WEB),
    ("RateLimitModule", "RateLimitModule", RATELIMIT_DI),
    ("RateLimitProvider", "RateLimitProvider", RATELIMIT_DI),
    ("RedirectResponse", "RedirectResponse", WEB),
    ("Request", "Request", WEB),
    ("Response", "Response", WEB),
    ("Result", "Result", RESULT),
    ("ResultResponseMapper", "ResultResponseMapper", WEB),
    ("RoleGuard", "RoleGuard", WEB),
    ("RouteRegistry", "RouteRegistry", WEB),
    ("Router", "Router", WEB),
    ("StreamingResponse", "StreamingResponse", WEB),
    ("VersionExtractor", "VersionExtractor", WEB),
    ("WebConfig", "WebConfig", WEB),
    ("WebInterceptorBase", "Interceptor", WEB),
    ("WebModule", "WebModule", WEB),
    ("WebProvider", "WebProvider", WEB),
    ("WebRequestReceivedHook", "RequestReceived", WEB),
    ("WebResponsePreparedHook", "ResponsePrepared", WEB),
    ("WebServerStartedHook", "LifespanStartupCompleted", WEB),
    ("WebServerStoppedHook", "LifespanShutdownCompleted", WEB),
    ("WebSocket", "WebSocket", WEB),
    ("api_version", "api_version", WEB),
    ("background", "background", WEB),
    ("body", "body", WEB),
    ("controller", "controller", WEB),
    ("cookie", "cookie", WEB),
    ("delete", "delete", WEB),
    ("discover_controllers", "discover_controllers", WEB),
    ("error_status", "error_status", WEB),
    ("file", "file", WEB),
    ("file_response", "file_response", WEB),
    ("form", "form", WEB),
    ("get", "get", WEB),
    ("get_current_user_optional", "get_current_user_optional", WEB),
    ("get_current_user_required", "get_current_user_required", WEB),
    ("get_request_id", "get_request_id", WEB),
    ("get_version", "get_version", WEB),
    ("guard", "guard", WEB),
    ("head", "head", WEB),
    ("header", "header", WEB),
    ("html_response", "html_response", WEB),
    ("injectable", "injectable", WEB),
    ("json_response", "json_response", WEB),
    ("options", "options", WEB),
    ("patch", "patch", WEB),
    ("path", "path", WEB),
    ("post", "post", WEB),
    ("put", "put", WEB),
    ("query", "query", WEB),
    ("redirect_response", "redirect_response", WEB),
    ("register_controller", "register_controller", WEB),
    ("render_template", "render_template", WEB),
    ("roles", "roles", WEB),
    ("singleton", "singleton", WEB),
    ("streaming_response", "streaming_response", WEB),
    ("throttle", "throttle", WEB),
    ("trace", "trace", WEB),
    ("version", "version", WEB),
    ("websocket", "websocket", WEB),
    ("websocket_handler", "websocket_handler", WEB),
    ("ConflictError", "ConflictError", WEB),
    ("HTTPError", "HTTPError", WEB),
    ("InternalServerError", "InternalServerError", WEB),
    ("NotFoundError", "NotFoundError", WEB),
    ("RateLimitError", "TooManyRequestsError", WEB),
    ("TooManyConnectionsError", "ConnectionLimitError", WEB),
]

_ORIGINAL = re.compile(r"`(\w+)`")


def guide_rows() -> dict[str, tuple[str | None, str | None, str]]:
    """The name table of the guide: original name -> (Lexigram name, module, note)."""
    rows: dict[str, tuple[str | None, str | None, str]] = {}
    in_table = False
    for line in GUIDE.read_text(encoding="utf-8").splitlines():
        if line.startswith("| original name | Lexigram name | module |"):
            in_table = True
            continue
        if in_table and not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        found = _ORIGINAL.fullmatch(cells[0]) if in_table and len(cells) == 4 else None
        if found is None:
            continue
        original, new, module, note = found[1], cells[1], cells[2].strip("`"), cells[3]
        if new == "*gone*":
            rows[original] = (None, None, note)
            continue
        rows[original] = (original if new == "same" else new.strip("`"), module, note)
    return rows


def test_the_list_holds_the_93_original_names_once_each() -> None:
    names = [original for original, _, _ in ORIGINAL_NAMES]
    assert len(names) == 93
    assert len(set(names)) == 93


@pytest.mark.parametrize(
    ("original", "name", "module"),
    [entry for entry in ORIGINAL_NAMES if entry[1] is not None],
    ids=[entry[0] for entry in ORIGINAL_NAMES if entry[1] is not None],
)
def test_each_original_name_imports_from_its_module(original: str, name: str, module: str) -> None:
    imported = importlib.import_module(module)
    assert name in imported.__all__, f"{original}: {module}.__all__ lacks {name}"
    assert getattr(imported, name) is not None


def test_the_guide_has_exactly_the_same_rows() -> None:
    rows = guide_rows()
    expected = {original: (name, module) for original, name, module in ORIGINAL_NAMES}
    assert {original: row[:2] for original, row in rows.items()} == expected


def test_every_gone_name_has_a_reason_and_is_really_gone() -> None:
    rows = guide_rows()
    gone = [original for original, name, _ in ORIGINAL_NAMES if name is None]
    assert gone == ["ProviderResourcesProtocol"]
    for original in gone:
        assert len(rows[original][2]) > 40, f"{original}: the guide should say why it is gone"
        assert not hasattr(importlib.import_module(WEB), original)


def test_renamed_names_say_so_or_explain_in_the_guide() -> None:
    rows = guide_rows()
    for original, name, _ in ORIGINAL_NAMES:
        if name is not None and name != original:
            assert rows[original][2], f"{original} -> {name}: the guide should note the change"


def test_result_names_are_not_in_the_web_package() -> None:
    web = importlib.import_module(WEB)
    assert not {"Ok", "Err", "Result"} & set(web.__all__)


def test_the_http_errors_re_exported_by_web_are_the_same_objects() -> None:
    web = importlib.import_module(WEB)
    errors = importlib.import_module("lexigram.http_errors")
    for name in ("ProblemDetail", "HTTPError", "NotFoundError", "TooManyRequestsError"):
        assert getattr(web, name) is getattr(errors, name)
