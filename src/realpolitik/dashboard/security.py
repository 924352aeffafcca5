"""Request hygiene and error answers of the dashboard.

- :func:`guard` (an HTTP middleware) refuses state-changing requests from another origin (403)
  and bodies declared larger than the upload limit (413), and sets the security headers of every
  answer (no sniffing, no framing, no referrer, a Content-Security-Policy of the page's own
  origin);
- :func:`install` adds the Host check (when the app has allowed hosts) and the exception handlers:
  scenario problems are 422 with the list of problems, user errors ``{"detail": message}`` with
  the status code that fits their class.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from fastapi import FastAPI, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from starlette.middleware.trustedhost import TrustedHostMiddleware

from realpolitik.dashboard.encoding import SafeJSONResponse, problem_json
from realpolitik.dashboard.jobs import TooManyJobs
from realpolitik.dashboard.store import Conflict, NotFound
from realpolitik.errors import RealpolitikError, ScenarioError

#: Slack for the multipart envelope around an upload, in bytes.
ENVELOPE_BYTES = 65_536
#: Status codes of user errors, most specific class first.
ERROR_STATUS: tuple[tuple[type[RealpolitikError], int], ...] = (
    (NotFound, 404), (Conflict, 409), (TooManyJobs, 429), (RealpolitikError, 400))
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy":
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
}


def same_origin(request: Request) -> bool:
    """Whether the request has no ``Origin`` or one whose host is the request's ``Host``."""
    origin = request.headers.get("origin")
    if not origin:
        return True
    host = request.headers.get("host", "")
    try:
        return urlsplit(origin).netloc.lower() == host.lower()
    except ValueError:
        return False


async def guard(request: Request,
                call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Refuse cross-origin writes and oversized bodies; add the security headers."""
    if request.method not in ("GET", "HEAD", "OPTIONS") and not same_origin(request):
        return SafeJSONResponse({"detail": "cross-origin requests are refused"}, status_code=403)
    limit = request.app.state.settings.max_upload_bytes
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > limit + ENVELOPE_BYTES:
        return SafeJSONResponse({"detail": f"request body over the limit of {limit:,} bytes"},
                                status_code=413)
    response = await call_next(request)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


async def invalid_request(request: Request, exc: Exception) -> SafeJSONResponse:
    """422 listing what is wrong with the request (the echoed input made JSON-safe)."""
    assert isinstance(exc, RequestValidationError)
    return SafeJSONResponse({"detail": jsonable_encoder(exc.errors())}, status_code=422)


def problems_response(exc: ScenarioError, status: int = 422) -> SafeJSONResponse:
    """The answer to a scenario with problems: the message and every problem."""
    return SafeJSONResponse({"detail": str(exc),
                             "problems": [problem_json(p) for p in exc.problems]},
                            status_code=status)


async def scenario_error(request: Request, exc: Exception) -> SafeJSONResponse:
    """422 with the scenario's problems."""
    assert isinstance(exc, ScenarioError)
    return problems_response(exc)


async def user_error(request: Request, exc: Exception) -> SafeJSONResponse:
    """``{"detail": message}`` with the status of the error's class (see :data:`ERROR_STATUS`)."""
    status = next(s for cls, s in ERROR_STATUS if isinstance(exc, cls))
    return SafeJSONResponse({"detail": str(exc)}, status_code=status)


def install(app: FastAPI, allowed_hosts: list[str] | None) -> None:
    """Add the Host check, the guard middleware and the exception handlers to ``app``.

    The guard reads the upload limit from ``app.state.settings`` at request time.
    """
    if allowed_hosts is not None:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts)
    app.middleware("http")(guard)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(ScenarioError, scenario_error)
    # handlers are looked up along the exception's class hierarchy; each of these classes gets
    # the status of its own entry, since user_error takes the first class that matches
    for error, _ in ERROR_STATUS:
        app.add_exception_handler(error, user_error)

