"""deployments/prefect.yaml is generated from the series files and must match them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from deployments.plan import deployment_plan, digest_available
from deployments.render import PREFECT_YAML, main, render_prefect_yaml, rendered_from_series
from reportwatch.errors import SeriesError
from reportwatch.series import BUNDLED_SERIES_DIR, list_series


def test_committed_prefect_yaml_is_what_the_series_files_render() -> None:
    assert PREFECT_YAML.read_text(encoding="utf-8") == rendered_from_series(BUNDLED_SERIES_DIR), (
        "deployments/prefect.yaml is stale: run `python -m deployments.render` and commit it"
    )


def test_every_series_gets_a_scheduled_ingestion_with_timezone_slug_and_one_run_at_a_time() -> None:
    deployed = yaml.safe_load(PREFECT_YAML.read_text(encoding="utf-8"))
    by_name = {d["name"]: d for d in deployed["deployments"]}
    for series in list_series(BUNDLED_SERIES_DIR):
        ingest = by_name[f"{series.id}-ingest"]
        assert ingest["schedules"] == [
            {
                "cron": series.schedule["cron"],
                "timezone": series.schedule["timezone"],
                "slug": f"{series.id}-ingest",
                "active": True,
            }
        ]
        assert ingest["parameters"] == {"series": series.id}
        assert ingest["concurrency_limit"]["limit"] == 1
        assert "skip-late" in ingest["tags"]
    for name in ("backfill", "reprocess"):
        assert "schedules" not in by_name[name], f"{name} runs on demand only"
    # the pull step is explicit: without it `prefect deploy` would bake in the deploying
    # machine's current directory
    assert deployed["pull"] == [
        {
            "prefect.deployments.steps.set_working_directory": {
                "directory": "{{ $REPORTWATCH_CODE_DIR }}"
            }
        }
    ]


def _series_dir(tmp_path: Path, schedule: str) -> Path:
    folder = tmp_path / "series"
    shutil.copytree(BUNDLED_SERIES_DIR, folder)
    text = (folder / "kfor.yaml").read_text(encoding="utf-8")
    start = text.index("schedule:")
    end = text.index("\n\n", start)
    (folder / "kfor.yaml").write_text(text[:start] + schedule + text[end:], encoding="utf-8")
    return folder


def test_a_series_without_a_schedule_is_weekly_in_utc(tmp_path: Path) -> None:
    specs = deployment_plan(list_series(_series_dir(tmp_path, "schedule: {}")), with_digest=False)
    ingest = next(s for s in specs if s.name == "kfor-ingest")
    assert [(s.cron, s.timezone, s.slug) for s in ingest.schedules] == [
        ("0 6 * * 1", "UTC", "kfor-ingest")
    ]


def test_a_daily_schedule_in_the_series_file_reaches_prefect_yaml(tmp_path: Path) -> None:
    folder = _series_dir(tmp_path, 'schedule: {cron: "30 5 * * *", timezone: America/New_York}')
    document = yaml.safe_load(rendered_from_series(folder))
    ingest = next(d for d in document["deployments"] if d["name"] == "kfor-ingest")
    assert ingest["schedules"][0]["cron"] == "30 5 * * *"
    assert ingest["schedules"][0]["timezone"] == "America/New_York"


@pytest.mark.parametrize(
    ("schedule", "named"),
    [
        ('schedule: {cron: "every monday", timezone: UTC}', "schedule.cron 'every monday'"),
        ('schedule: {cron: "0 6 * * 1", timezone: Europe/Atlantis}', "schedule.timezone"),
    ],
)
def test_a_bad_schedule_is_refused_before_deploying_naming_the_file(
    tmp_path: Path, schedule: str, named: str
) -> None:
    folder = _series_dir(tmp_path, schedule)
    with pytest.raises(SeriesError) as caught:
        deployment_plan(list_series(folder), with_digest=False)
    assert named in caught.value.message and "kfor.yaml" in caught.value.message


def test_render_check_fails_on_a_stale_file_and_render_fixes_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "prefect.yaml"
    target.write_text("deployments: []\n", encoding="utf-8")
    assert main(["--check", "--output", str(target)]) == 1
    assert "out of date" in capsys.readouterr().err
    assert main(["--output", str(target)]) == 0
    assert main(["--check", "--output", str(target)]) == 0


def test_the_digest_deployment_appears_once_the_digest_flow_exists(tmp_path: Path) -> None:
    assert not digest_available(tmp_path)
    (tmp_path / "flows").mkdir()
    (tmp_path / "flows" / "digest.py").write_text("# the lead's digest flow\n", encoding="utf-8")
    assert digest_available(tmp_path)
    text = render_prefect_yaml(deployment_plan(list_series(BUNDLED_SERIES_DIR), with_digest=True))
    digest = next(d for d in yaml.safe_load(text)["deployments"] if d["name"] == "kfor-digest")
    assert digest["entrypoint"] == "flows/digest.py:digest"
    assert digest["schedules"][0]["slug"] == "kfor-digest"
    assert digest["schedules"][0]["timezone"] == "Europe/Brussels"


def _crash_message(ui_url: str | None) -> str:
    """The backstop automation's body, rendered by the Prefect server's own template code."""
    import uuid

    from prefect.server.events.jinja_filters import all_filters
    from prefect.server.schemas.core import FlowRun
    from prefect.server.schemas.states import State, StateType
    from prefect.server.utilities.user_templates import (
        register_user_template_filters,
        render_user_template_sync,
        validate_user_template,
    )
    from prefect.settings import PREFECT_API_URL, PREFECT_UI_URL, temporary_settings

    from deployments.automations import OPS_BODY

    register_user_template_filters(all_filters)  # as the server does at start-up
    validate_user_template(OPS_BODY)
    run = FlowRun(
        id=uuid.UUID(int=7), flow_id=uuid.uuid4(), name="calm-otter", parameters={"series": "kfor"},
        state=State(type=StateType.CRASHED, message="Worker stopped while the run was running"),
    )  # fmt: skip
    # Prefect derives a UI URL from PREFECT_API_URL (the test harness sets one): unset both
    with temporary_settings({PREFECT_UI_URL: ui_url, PREFECT_API_URL: ui_url and f"{ui_url}/api"}):
        return render_user_template_sync(OPS_BODY, {"flow_run": run})


def test_the_crash_backstop_has_no_link_line_without_a_ui_url_and_points_at_a_real_section() -> (
    None
):
    without = _crash_message(None)
    assert "None" not in without
    assert without.splitlines() == [
        "Worker stopped while the run was running",
        "Parameters: {'series': 'kfor'}",
        "What to do: docs/runbook.md, 'A run crashed'.",
    ]
    with_url = _crash_message("http://127.0.0.1:4200")
    assert with_url.splitlines()[-1] == (
        "The run: http://127.0.0.1:4200/runs/flow-run/00000000-0000-0000-0000-000000000007"
    )
    runbook = (Path(__file__).resolve().parents[2] / "docs" / "runbook.md").read_text()
    assert "\n## A run crashed\n" in runbook
