"""The dashboard API fuzzed from its own OpenAPI spec (schemathesis): no request gets a 500."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # schemathesis drives every route many times (tens of seconds)

pytest.importorskip("fastapi")
pytest.importorskip("python_multipart")
schemathesis = pytest.importorskip("schemathesis")
try:
    import starlette.testclient  # noqa: F401  (schemathesis drives the app through it)
except RuntimeError as exc:
    pytest.skip(f"no HTTP client for the ASGI transport: {exc}", allow_module_level=True)

from hypothesis import HealthCheck, settings  # noqa: E402

from realpolitik.dashboard.app import create_app  # noqa: E402

_FOLDER = Path(tempfile.mkdtemp(prefix="realpolitik-fuzz-"))
# small jobs only: the fuzzer's valid requests must not leave heavy work behind
APP = create_app(scenario_dir=_FOLDER, max_samples=50)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def _stop_jobs() -> object:
    """Jobs the fuzzer starts are cancelled when the module ends (no work left running)."""
    yield
    APP.state.jobs.shutdown()


@schema.parametrize()
@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.function_scoped_fixture])
def test_api_never_fails_with_server_error(case: schemathesis.Case) -> None:
    """Whatever the fuzzer sends, the answer is a success or a client error, never a 5xx."""
    from schemathesis.checks import not_a_server_error

    try:
        case.call_and_validate(checks=[not_a_server_error])
    finally:
        APP.state.jobs.shutdown()  # cancel whatever the case started: no work piles up
    assert not any(p.parent != _FOLDER for p in _FOLDER.rglob("*") if p.is_file())
