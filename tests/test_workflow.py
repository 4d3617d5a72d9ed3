"""The publishing workflow (.github/workflows/pages.yml) gives each job the least it needs.

Code-running jobs only read; the notebooks job runs git only; only deploy deploys; the weekly
``make test-latest`` job publishes nothing; actions are pinned, Dependabot-updated, zizmor-clean.
"""

import re
import subprocess
import sys
from pathlib import Path

import yaml

from tools import layout

WORKFLOW = layout.ROOT / ".github" / "workflows" / "pages.yml"
DEPENDABOT = layout.ROOT / ".github" / "dependabot.yml"
README = layout.ROOT / ".github" / "notebooks-README.md"  # the notebooks branch's
FLOW = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
JOBS = FLOW["jobs"]
#: What a job that runs the book's code, or installs packages, has in its steps.
RUNS_CODE = re.compile(r"\b(make|python|pip|npm|npx)\b")
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
#: What keeps a job off the weekly schedule and off a manual run of `make test-latest` only.
NOT_LATEST = "github.event_name != 'schedule' && !inputs.latest"


def _runs(job: dict) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def _uses(job: dict) -> list[str]:
    return [step["uses"].split("@")[0] for step in job["steps"] if "uses" in step]


def _steps(job: dict, action: str) -> list[dict]:
    """The job's steps that use ``action`` (``owner/name``)."""
    return [step for step in job["steps"] if step.get("uses", "").startswith(f"{action}@")]


def test_no_permission_is_granted_to_the_whole_workflow_and_the_code_running_jobs_only_read():
    assert FLOW["permissions"] == {}
    assert all("permissions" in job for job in JOBS.values())
    running = {name: job for name, job in JOBS.items() if RUNS_CODE.search(_runs(job))}
    assert list(running) == ["build", "checks", "portable", "latest"]
    assert all(job["permissions"] == {"contents": "read"} for job in running.values())


def test_a_weekly_job_tests_the_newest_releases_and_publishes_nothing():
    triggers = FLOW[True]  # YAML 1.1 reads the key `on` as true
    (schedule,) = triggers["schedule"]
    assert re.fullmatch(r"\d{1,2} \d{1,2} \* \* [0-6]", schedule["cron"])  # once a week
    assert triggers["workflow_dispatch"]["inputs"]["latest"]["type"] == "boolean"
    latest = JOBS["latest"]
    assert latest["if"] == "github.event_name == 'schedule' || inputs.latest"
    assert "needs" not in latest
    assert _runs(latest).strip() == "make test-latest" and latest["timeout-minutes"] <= 90
    assert _uses(latest) == ["actions/checkout", "actions/setup-python"]
    # The same pins and Python as the build job.
    build_steps = {s["uses"]: s.get("with") for s in JOBS["build"]["steps"] if "uses" in s}
    for step in latest["steps"]:
        if "uses" in step:
            assert build_steps[step["uses"]] == step["with"], step["uses"]
    # Not one publishing job on the schedule, nor on a manual run of `latest` only (deploy
    # and notebooks also need build, so this holds twice over).
    for name in JOBS.keys() - {"latest"}:
        assert JOBS[name]["if"].startswith(NOT_LATEST), name
    # Its own concurrency group: queued in `pages`, it would cancel a waiting publication.
    assert "schedule" in FLOW["concurrency"]["group"]


def test_make_test_and_make_html_run_on_macos_arm64_and_ubuntu_with_python_3_11_and_3_13():
    job = JOBS["portable"]
    assert job["if"] == NOT_LATEST and "needs" not in job
    assert job["strategy"]["fail-fast"] is False
    assert job["strategy"]["matrix"] == {
        "os": ["ubuntu-24.04", "macos-15"],  # macos-15 runs on arm64
        "python": ["3.11", "3.13"],
    }
    assert job["runs-on"] == "${{ matrix.os }}"
    assert [s["run"] for s in job["steps"] if "run" in s] == ["make test", "make html"]
    (setup,) = _steps(job, "actions/setup-python")
    assert setup["with"] == {"python-version": "${{ matrix.python }}"}


def test_deploy_waits_only_for_the_checks_that_guard_what_it_publishes():
    assert JOBS["deploy"]["needs"] == "build" and JOBS["notebooks"]["needs"] == "build"
    build = _runs(JOBS["build"])
    for guard in ("make test", "make html", "make pdf", "make test-site", "make test-reader"):
        assert guard in build, guard
    checks = _runs(JOBS["checks"])
    for other in ("make test-oldest", "make test-rebuild", "tools.lock --check"):
        assert other in checks and other not in build, other


def test_every_make_names_the_python_setup_python_installed():
    """Ubuntu's runners have python3.12 on PATH: the newest, which the Makefile would take."""
    for name, job in JOBS.items():
        setup = _steps(job, "actions/setup-python")
        for step in job["steps"]:
            if "make" in step.get("run", ""):
                environment = {**job.get("env", {}), **step.get("env", {})}
                wanted = f"python{setup[0]['with']['python-version']}"
                assert environment.get("PYTHON") == wanted, (name, step["run"])


def test_only_the_notebooks_job_writes_and_it_runs_git_only():
    writers = [name for name, job in JOBS.items() if job["permissions"].get("contents") == "write"]
    assert writers == ["notebooks"]
    job = JOBS["notebooks"]
    assert job["permissions"] == {"contents": "write"}
    assert _uses(job) == ["actions/checkout", "actions/download-artifact"]
    assert "git push origin HEAD:notebooks" in _runs(job)
    assert README.is_file() and f"cp {README.relative_to(layout.ROOT)} " in _runs(job)
    assert not RUNS_CODE.search(_runs(job))
    (download,) = _steps(job, "actions/download-artifact")
    (upload,) = _steps(JOBS["build"], "actions/upload-artifact")
    assert download["with"]["name"] == upload["with"]["name"] == "notebooks"


def test_only_deploy_may_deploy_pages():
    deploying = [n for n, job in JOBS.items() if {"pages", "id-token"} & set(job["permissions"])]
    assert deploying == ["deploy"]
    assert JOBS["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert _uses(JOBS["deploy"]) == ["actions/deploy-pages"]


def test_checkouts_keep_no_credentials_except_where_the_job_pushes():
    for name, job in JOBS.items():
        for step in _steps(job, "actions/checkout"):
            persist = step.get("with", {}).get("persist-credentials", True)
            assert persist is (name == "notebooks"), name


def test_every_action_is_pinned_to_a_commit_with_its_version_in_a_comment():
    lines = [line for line in WORKFLOW.read_text(encoding="utf-8").splitlines() if "uses:" in line]
    assert lines
    for line in lines:
        reference, _, comment = line.split("uses:", 1)[1].partition("#")
        assert PINNED.match(reference.strip()), line
        assert re.fullmatch(r" v\d+\.\d+\.\d+", comment), line


def test_dependabot_keeps_actions_and_python_pins_current():
    updates = yaml.safe_load(DEPENDABOT.read_text(encoding="utf-8"))["updates"]
    watched = {(update["package-ecosystem"], update["directory"]) for update in updates}
    assert {("github-actions", "/"), ("pip", "/")} <= watched


def test_zizmor_finds_nothing_in_the_workflow_or_dependabot():
    """zizmor's offline audits, pedantic: permissions, pinning, credentials, injection."""
    zizmor = Path(sys.executable).with_name("zizmor")
    audit = [str(zizmor), "--offline", "--persona=pedantic", "--no-progress"]
    result = subprocess.run([*audit, str(WORKFLOW.parent.parent)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
