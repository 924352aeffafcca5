"""The dashboard's JSON API through FastAPI's TestClient (skipped without the dashboard extra)."""

from __future__ import annotations

import hashlib
import importlib.util
import io
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("python_multipart")
try:
    from fastapi.testclient import TestClient
except RuntimeError as exc:  # starlette's test client needs httpx2 (or httpx)
    pytest.skip(f"no HTTP client for TestClient: {exc}", allow_module_level=True)

from realpolitik.api import forecast as api_forecast
from realpolitik.api.report import Control
from realpolitik.dashboard import capabilities
from realpolitik.dashboard.app import create_app
from realpolitik.dashboard.jobs import JobManager
from realpolitik.dashboard.routes import forecast as forecast_routes
from realpolitik.dashboard.routes import jobs as job_routes
from realpolitik.scenario.loader import builtin_path, load_scenario

DATA = Path(__file__).parent / "data"
IRAQ = "builtin:iraq-2024"
EDIT = {"actor": "us_gov", "field": "position", "issue": "us_presence", "value": 95}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "scenarios"
    d.mkdir()
    return d


@pytest.fixture
def client(folder: Path) -> Any:
    with TestClient(create_app(scenario_dir=folder)) as c:
        yield c


@pytest.fixture
def memory_client() -> Any:
    with TestClient(create_app()) as c:
        yield c


def wait(client: Any, job_id: str) -> dict[str, Any]:
    """Poll a job until it leaves the queued/running states (bounded number of polls)."""
    for _ in range(3000):
        status = client.get(f"/api/jobs/{job_id}").json()
        if status["state"] not in ("queued", "running"):
            return status
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish: {status}")


# -- metadata and scenarios -----------------------------------------------------------------
def test_health_models_and_scenarios(client: Any) -> None:
    """The metadata endpoints list versions, models and the built-in scenarios."""
    health = client.get("/api/health").json()
    assert health["scenario_dir"] is True
    assert {"monte_carlo", "dynamics", "deal"} <= set(health["subsystems"])
    names = [m["name"] for m in client.get("/api/models").json()]
    assert "median" in names and "compromise" in names
    refs = [e["ref"] for e in client.get("/api/scenarios").json()]
    assert IRAQ in refs


def test_openapi_spec_is_served(client: Any) -> None:
    """The OpenAPI spec lists the API's paths."""
    spec = client.get("/openapi.json").json()
    for path in ("/api/forecast", "/api/jobs", "/api/jobs/{job_id}/cancel", "/api/scenarios"):
        assert path in spec["paths"]


def test_page_and_assets_are_local(client: Any) -> None:
    """The page loads its script and style from the server itself, never from a CDN."""
    page = client.get("/")
    assert page.status_code == 200
    assert "/static/app.js" in page.text and "/static/app.css" in page.text
    assert "http://" not in page.text and "https://" not in page.text
    js = client.get("/static/app.js")
    assert js.status_code == 200 and "fetch(" in js.text
    assert "https://" not in js.text
    assert "default-src 'self'" in page.headers["content-security-policy"]


def test_scenario_details(client: Any) -> None:
    """A scenario's editors get every actor's inputs with their ranges."""
    sc = client.get(f"/api/scenarios/{IRAQ}").json()
    expected = load_scenario("iraq-2024")
    assert [a["id"] for a in sc["actors"]] == expected.actor_ids
    us = sc["actors"][0]
    assert us["positions"]["us_presence"]["value"] == expected.actor("us_gov").positions["us_presence"].point


def test_unknown_and_malformed_references(client: Any) -> None:
    """Unknown scenarios are 404; references that are not ORIGIN:NAME are 422."""
    assert client.get("/api/scenarios/builtin:nope").status_code == 404
    assert client.get("/api/scenarios/user:nope").status_code == 404
    assert client.get("/api/scenarios/..%2F..%2Fetc").status_code in (404, 422)
    r = client.post("/api/forecast", json={"scenario": "../../etc/passwd"})
    assert r.status_code == 422


# -- forecasts and edits --------------------------------------------------------------------
def test_point_forecast_matches_python_api(client: Any) -> None:
    """The point forecast of every model is the one realpolitik.api.forecast gives, to the last digit."""
    r = client.post("/api/forecast", json={"scenario": IRAQ})
    assert r.status_code == 200
    assert len(r.json()["models"]) >= 2
    for m in r.json()["models"]:
        expected = api_forecast("iraq-2024", m["model"]).forecast
        assert m["point"] == expected


def test_edit_changes_forecast_as_exported_scenario_does(client: Any, tmp_path: Path) -> None:
    """An edit moves the forecast to what the downloaded (edited) scenario gives."""
    before = client.post("/api/forecast", json={"scenario": IRAQ, "models": ["compromise"]}).json()
    body = {"scenario": IRAQ, "edits": [EDIT], "models": ["compromise"]}
    after = client.post("/api/forecast", json=body).json()
    assert after["models"][0]["point"]["us_presence"] > before["models"][0]["point"]["us_presence"]
    exported = client.post("/api/export/yaml", json={"scenario": IRAQ, "edits": [EDIT]})
    assert exported.status_code == 200
    assert "edited in realpolitik from 45 to 95" in exported.text
    path = tmp_path / "edited.yaml"
    path.write_text(exported.text, encoding="utf-8")
    sc = load_scenario(path)
    assert sc.actor("us_gov").positions["us_presence"].point == 95
    expected = api_forecast(sc, "compromise").forecast
    assert after["models"][0]["point"] == expected


@pytest.mark.slow
def test_edits_never_change_the_builtin_file(client: Any) -> None:
    """Editing, exporting and running jobs leave the built-in scenario's file as it was."""
    path = builtin_path("iraq-2024")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    client.post("/api/forecast", json={"scenario": IRAQ, "edits": [EDIT]})
    client.post("/api/export/yaml", json={"scenario": IRAQ, "edits": [EDIT]})
    job = client.post("/api/jobs", json={"scenario": IRAQ, "edits": [EDIT], "samples": 5,
                                         "sections": ["forecast"], "models": ["median"]}).json()
    wait(client, job["id"])
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    plain = client.post("/api/export/yaml", json={"scenario": IRAQ})
    assert plain.text == path.read_text(encoding="utf-8")


def test_bad_edit_lists_problem_with_field(client: Any) -> None:
    """A salience above 1 is refused with the field and the allowed range."""
    edit = {"actor": "us_gov", "field": "salience", "issue": "us_presence", "value": 3}
    r = client.post("/api/forecast", json={"scenario": IRAQ, "edits": [edit]})
    assert r.status_code == 422
    problem = r.json()["problems"][0]
    assert problem["field"].startswith("actors[us_gov].salience.us_presence")
    assert "[0, 1]" in problem["message"]
    assert problem["line"] is not None


def test_edit_of_unknown_actor_or_issue(client: Any) -> None:
    """Edits naming unknown actors or issues are refused, naming the edit."""
    edits = [{"actor": "nobody", "field": "capability", "value": 3},
             {"actor": "us_gov", "field": "position", "issue": "nothing", "value": 3}]
    r = client.post("/api/forecast", json={"scenario": IRAQ, "edits": edits})
    assert r.status_code == 422
    fields = [p["field"] for p in r.json()["problems"]]
    assert fields == ["edits[0].actor", "edits[1].issue"]


def test_non_finite_edit_and_unknown_model(client: Any) -> None:
    """NaN cannot reach the models; an unknown model is a 400 naming the known ones."""
    r = client.post("/api/forecast", content=b'{"scenario": "builtin:iraq-2024", "edits": '
                    b'[{"actor": "us_gov", "field": "capability", "value": NaN}]}',
                    headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    r = client.post("/api/forecast", json={"scenario": IRAQ, "models": ["oracle"]})
    assert r.status_code == 400
    assert "median" in r.json()["detail"]


def test_non_finite_numbers_are_null(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """NaN and infinity in an answer are JSON null, as in the report's JSON export."""
    # a model whose forecast is not finite: the point forecast answers null for it
    real = forecast_routes.point_forecast

    def broken(*args: Any, **kwargs: Any) -> Any:
        mf = real(*args, **kwargs)
        point = dict.fromkeys(mf.point, float("nan"))
        point[next(iter(point))] = float("inf")
        return replace(mf, point=point)

    monkeypatch.setattr(forecast_routes, "point_forecast", broken)
    r = client.post("/api/forecast", json={"scenario": IRAQ, "models": ["median"]})
    assert r.status_code == 200
    assert b"NaN" not in r.content and b"Infinity" not in r.content and b'"nan"' not in r.content
    point = r.json()["models"][0]["point"]
    assert set(point) == set(load_scenario("iraq-2024").issue_ids)
    assert all(v is None for v in point.values())
    # a request echoed in a validation error: its NaN comes back as null, not as text
    r = client.post("/api/forecast", content=b'{"scenario": "builtin:iraq-2024", "edits": '
                    b'[{"actor": "us_gov", "field": "capability", "value": NaN}]}',
                    headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["input"] is None
    assert b"nan" not in r.content.lower()


def test_problem_values_use_the_same_policy() -> None:
    """A scenario problem about a non-finite value reports the value as null."""
    from realpolitik.dashboard.encoding import json_safe, problem_json
    from realpolitik.errors import Problem

    for bad in (float("nan"), float("inf"), float("-inf")):
        assert problem_json(Problem("f.yaml", 3, "x", "must be finite", bad, True))["value"] is None
    assert problem_json(Problem("f.yaml", 3, "x", "too big", 2.5, True))["value"] == 2.5
    assert json_safe({"a": [1.0, float("nan")], "b": (float("-inf"),)}) == {"a": [1.0, None],
                                                                            "b": [None]}


def test_distribution_moves_with_edited_value(client: Any) -> None:
    """An edit outside an input's range moves the range with it, so the scenario stays valid."""
    edit = {"actor": "us_gov", "field": "capability", "value": 20}  # range was 70-95
    r = client.post("/api/export/yaml", json={"scenario": IRAQ, "edits": [edit]})
    assert r.status_code == 200
    r = client.post("/api/forecast", json={"scenario": IRAQ, "edits": [edit]})
    assert r.status_code == 200


# -- uploads --------------------------------------------------------------------------------
def upload(client: Any, content: bytes, filename: str = "s.yaml", **form: str) -> Any:
    return client.post("/api/scenarios", files={"file": (filename, content, "application/yaml")},
                       data=form)


def test_upload_valid_scenario_is_saved_in_folder(client: Any, folder: Path) -> None:
    """A valid upload is written to the scenario folder and can be opened and forecast."""
    r = upload(client, (DATA / "valid" / "minimal.yaml").read_bytes())
    assert r.status_code == 201, r.text
    assert r.json()["ref"] == "user:minimal"
    assert (folder / "minimal.yaml").is_file()
    assert "user:minimal" in [e["ref"] for e in client.get("/api/scenarios").json()]
    assert client.post("/api/forecast", json={"scenario": "user:minimal"}).status_code == 200
    again = upload(client, (DATA / "valid" / "minimal.yaml").read_bytes())
    assert again.status_code == 409
    assert upload(client, (DATA / "valid" / "minimal.yaml").read_bytes(),
                  overwrite="true").status_code == 201


def test_upload_without_folder_stays_in_memory(memory_client: Any) -> None:
    """Without --scenario-dir an upload lives in memory; saving says why it cannot."""
    r = upload(memory_client, (DATA / "valid" / "minimal.yaml").read_bytes())
    assert r.status_code == 201
    assert r.json()["ref"] == "upload:minimal"
    r = memory_client.post("/api/scenarios/save", json={"scenario": IRAQ, "name": "x"})
    assert r.status_code == 409
    assert "--scenario-dir" in r.json()["detail"]


def test_upload_size_limit(folder: Path) -> None:
    """Uploads over the limit are refused with 413 and nothing is written."""
    with TestClient(create_app(scenario_dir=folder, max_upload_bytes=2000)) as c:
        big = (DATA / "valid" / "minimal.yaml").read_bytes() + b"#" * 3000 + b"\n"
        r = upload(c, big)
        assert r.status_code == 413
        huge = b"#" * 200_000
        assert upload(c, huge).status_code == 413
    assert list(folder.iterdir()) == []


def test_upload_object_tag_is_refused(client: Any, folder: Path) -> None:
    """A YAML tag that would build a Python object is refused, with its line."""
    r = upload(client, (DATA / "invalid" / "17-python-object-tag.yaml").read_bytes(), "evil.yaml")
    assert r.status_code == 422
    problems = r.json()["problems"]
    assert any("tag" in p["message"] and p["line"] for p in problems)
    assert problems[0]["file"] == "evil.yaml"
    assert list(folder.iterdir()) == []


def test_upload_alias_bomb_is_refused(client: Any, folder: Path) -> None:
    """An alias bomb is stopped and reported."""
    r = upload(client, (DATA / "invalid" / "16-yaml-bomb.yaml").read_bytes())
    assert r.status_code == 422
    assert "alias" in r.json()["detail"]
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("name", ["../evil", "a/b", "..", ".hidden", "x" * 70, "a\\b", "/abs"])
def test_upload_name_cannot_leave_folder(client: Any, folder: Path, name: str) -> None:
    """Names with path separators, dot-dot or a leading dot are refused."""
    r = upload(client, (DATA / "valid" / "minimal.yaml").read_bytes(), name=name)
    assert r.status_code == 422
    assert list(folder.iterdir()) == []
    assert not (folder.parent / "evil.yaml").exists()


def test_upload_filename_with_traversal_is_ignored(client: Any, folder: Path) -> None:
    """The client's file name is only a label: the file is saved under the scenario's id."""
    r = upload(client, (DATA / "valid" / "minimal.yaml").read_bytes(), "../../escape.yaml")
    assert r.status_code == 201
    assert [p.name for p in folder.iterdir()] == ["minimal.yaml"]


def test_upload_broken_scenario_lists_every_problem(client: Any) -> None:
    """A scenario with problems is refused with file, line and field of each."""
    r = upload(client, (DATA / "invalid" / "08-salience-above-one.yaml").read_bytes(), "bad.yaml")
    assert r.status_code == 422
    p = r.json()["problems"][0]
    assert p["file"] == "bad.yaml" and p["line"] and "salience" in p["field"]


def test_upload_not_utf8(client: Any) -> None:
    """Bytes that are not UTF-8 are a clear problem, not a crash."""
    r = upload(client, b"id: x\ntitle: \xc9t\xe9\n")
    assert r.status_code == 422
    assert "UTF-8" in r.json()["detail"]


# -- saving ---------------------------------------------------------------------------------
def test_save_edited_scenario(client: Any, folder: Path) -> None:
    """An edited scenario saved to the folder loads with the edit and lists as user:NAME."""
    r = client.post("/api/scenarios/save", json={"scenario": IRAQ, "edits": [EDIT],
                                                 "name": "iraq-more-us"})
    assert r.status_code == 201, r.text
    assert r.json()["ref"] == "user:iraq-more-us"
    sc = load_scenario(folder / "iraq-more-us.yaml")
    assert sc.actor("us_gov").positions["us_presence"].point == 95
    r = client.post("/api/scenarios/save", json={"scenario": IRAQ, "name": "../up"})
    assert r.status_code == 422


@pytest.mark.parametrize("name", ["abc\n", "abc\r\n", " abc", "a" * 65])
def test_save_and_upload_refuse_names_with_trailing_characters(client: Any, name: str) -> None:
    """A name must match as a whole: a trailing newline is refused, not saved as a broken file."""
    r = client.post("/api/scenarios/save", json={"scenario": IRAQ, "name": name})
    assert r.status_code == 422, r.text
    r = upload(client, (DATA / "valid" / "minimal.yaml").read_bytes(), name=name)
    assert r.status_code == 422, r.text


def test_upload_utf16_and_huge_integer(client: Any) -> None:
    """A UTF-16 upload with a BOM is read; a 401-digit capability is a 422, never a 500."""
    text = (DATA / "valid" / "minimal.yaml").read_text()
    r = upload(client, text.replace("id: minimal", "id: m16").encode("utf-16"))
    assert r.status_code == 201, r.text
    r = upload(client, text.replace("capability: 30", "capability: 1" + "0" * 400).encode())
    assert r.status_code == 422 and "must lie within" in r.text


# -- jobs -----------------------------------------------------------------------------------
def test_job_runs_and_results_download(client: Any) -> None:
    """A job reports progress to done; its numbers download as CSV and Parquet."""
    body = {"scenario": IRAQ, "samples": 20, "seed": 3, "models": ["median", "compromise"],
            "sections": ["forecast", "dynamics"], "options": ["status_quo", "full_withdrawal"]}
    r = client.post("/api/jobs", json=body)
    assert r.status_code == 202
    status = wait(client, r.json()["id"])
    assert status["state"] == "done", status
    assert status["progress"] == 1.0
    fc = status["result"]["forecast"]
    assert fc["samples"] == 20
    assert fc["warnings"]  # 20 samples are few: said so
    median = next(m for m in fc["models"] if m["model"] == "median")
    q = median["quantiles"]["us_presence"]
    assert q["p05"] <= q["p50"] <= q["p95"]
    assert sum(median["histogram"]["us_presence"]["counts"]) == 20
    dyn = status["result"]["dynamics"]
    assert [o["id"] for o in dyn["options"]] == ["status_quo", "full_withdrawal"]
    assert status["result"]["deal"] == {"absent": "not requested"}
    csv = client.get(f"/api/jobs/{status['id']}/results.csv")
    assert csv.status_code == 200
    assert csv.text.splitlines()[0] == "section,subject,item,month,statistic,value,text"
    assert "forecast,median,us_presence,,p50," in csv.text
    if importlib.util.find_spec("pyarrow") is not None:
        import pandas as pd

        pq = client.get(f"/api/jobs/{status['id']}/results.parquet")
        assert pq.status_code == 200
        frame = pd.read_parquet(io.BytesIO(pq.content))
        assert set(frame["section"]) == {"forecast", "band", "dynamics", "event"}


def test_same_seed_same_job_result(client: Any) -> None:
    """Two jobs with one seed give the same numbers."""
    body = {"scenario": IRAQ, "samples": 10, "seed": 7, "models": ["compromise"],
            "sections": ["forecast"]}
    a = wait(client, client.post("/api/jobs", json=body).json()["id"])
    b = wait(client, client.post("/api/jobs", json=body).json()["id"])
    assert a["result"]["forecast"] == b["result"]["forecast"]


def blocking_analysis(started: threading.Event) -> Any:
    """An analysis that reports progress until it is cancelled (stands in for a long run)."""

    def analyse(*args: Any, control: Control, **kwargs: Any) -> Any:
        control.progress("waiting", 0.0)
        started.set()  # only now are state and stage both visible to the test
        for k in range(1, 100_000):
            control.progress("waiting", k / 100_000)
            time.sleep(0.01)
        raise AssertionError("never cancelled")

    return analyse


def test_job_cancel(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A running job stops when cancelled; its results are then not available."""
    started = threading.Event()
    monkeypatch.setattr(job_routes, "analyse", blocking_analysis(started))
    r = client.post("/api/jobs", json={"scenario": IRAQ, "samples": 10})
    job_id = r.json()["id"]
    assert started.wait(30)
    running = client.get(f"/api/jobs/{job_id}").json()
    assert running["state"] == "running" and running["stage"] == "waiting"
    assert client.get(f"/api/jobs/{job_id}/results.csv").status_code == 409
    assert client.post(f"/api/jobs/{job_id}/cancel").status_code == 200
    assert wait(client, job_id)["state"] == "cancelled"


def test_unknown_job(client: Any) -> None:
    """Unknown job ids are 404; malformed ones 422."""
    assert client.get("/api/jobs/" + "0" * 32).status_code == 404
    assert client.post("/api/jobs/" + "0" * 32 + "/cancel").status_code == 404
    assert client.get("/api/jobs/not-a-job").status_code == 422


def test_job_limits(client: Any) -> None:
    """Sample counts beyond the limit are refused before any work starts."""
    r = client.post("/api/jobs", json={"scenario": IRAQ, "samples": 10**9})
    assert r.status_code == 422


def test_failed_job_reports_error() -> None:
    """A job whose run raises a user error ends failed with the message."""
    from realpolitik.errors import RealpolitikError

    jobs = JobManager()

    def fail(control: Control) -> None:
        raise RealpolitikError("no such option")

    job = jobs.submit("x", fail)
    for _ in range(2000):
        if not job.active:
            break
        time.sleep(0.01)
    assert job.state == "failed" and job.error == "no such option"
    jobs.shutdown()


def test_parquet_without_pyarrow(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without pyarrow the Parquet download is a clear 501, CSV still works."""
    body = {"scenario": IRAQ, "samples": 0, "models": ["median"], "sections": ["forecast"]}
    job = wait(client, client.post("/api/jobs", json=body).json()["id"])
    monkeypatch.setattr(capabilities, "parquet_available", lambda: False)
    r = client.get(f"/api/jobs/{job['id']}/results.parquet")
    assert r.status_code == 501 and "pyarrow" in r.json()["detail"]
    assert client.get(f"/api/jobs/{job['id']}/results.csv").status_code == 200


# -- request hygiene ------------------------------------------------------------------------
def test_cross_origin_post_is_refused(client: Any) -> None:
    """A page of another origin cannot post to the dashboard (upload, save, jobs)."""
    r = client.post("/api/forecast", json={"scenario": IRAQ},
                    headers={"Origin": "http://evil.example"})
    assert r.status_code == 403
    same = client.post("/api/forecast", json={"scenario": IRAQ},
                       headers={"Origin": "http://testserver"})
    assert same.status_code == 200


def test_unexpected_host_is_refused(folder: Path) -> None:
    """With allowed hosts (as the CLI sets for a local address), other Host headers fail."""
    with TestClient(create_app(scenario_dir=folder, allowed_hosts=["127.0.0.1"]),
                    base_url="http://127.0.0.1") as c:
        assert c.get("/api/health").status_code == 200
        assert c.get("/api/health", headers={"Host": "attacker.example"}).status_code == 400


# -- the CLI command ------------------------------------------------------------------------
def test_dashboard_command_missing_extra(run_cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the extra the command says which packages to install, exit 2."""
    from realpolitik.cli import dashboard as cli

    monkeypatch.setattr(cli, "missing_packages", lambda: ["fastapi", "uvicorn"])
    code, _, err = run_cli("dashboard")
    assert code == 2
    assert "pip install 'realpolitik[dashboard]'" in err


def test_dashboard_command_binds_locally_by_default(run_cli: Any, monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Path) -> None:
    """The default host is 127.0.0.1 with host checks; another host prints a warning."""
    import uvicorn

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append({"app": app, **kw}))
    code, _, err = run_cli("dashboard", "--scenario-dir", str(tmp_path / "mine"))
    assert code == 0
    assert calls[0]["host"] == "127.0.0.1" and calls[0]["port"] == 8050
    assert "warning" not in err
    assert (tmp_path / "mine").is_dir()
    code, _, err = run_cli("dashboard", "--host", "0.0.0.0", "--port", "9000")
    assert code == 0
    assert calls[1]["host"] == "0.0.0.0" and calls[1]["port"] == 9000
    assert "warning" in err and "no authentication" in err


def test_no_page_loads_from_a_cdn(client: Any) -> None:
    """FastAPI's /docs and /redoc (which load scripts from a CDN) are off; the spec stays."""
    assert client.get("/docs").status_code == 404
    assert client.get("/redoc").status_code == 404
    assert client.get("/openapi.json").status_code == 200
