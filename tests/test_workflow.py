"""The publishing workflow gives each job the least it needs (.github/workflows/pages.yml).

The job that runs the book's code (its tests, every page's execution, what pip and npm
install) may only read the repository; the job that pushes the notebooks branch gets the
notebooks as an artifact and runs git only; only the Pages deployment may deploy. Every
action is pinned to a full commit SHA with its version in a comment, and Dependabot keeps
those pins and the Python pins current. zizmor (its offline audits) finds nothing.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tools import layout

WORKFLOW = layout.ROOT / ".github" / "workflows" / "pages.yml"
DEPENDABOT = layout.ROOT / ".github" / "dependabot.yml"
#: What a job that runs the book's code, or installs packages, has in its steps.
RUNS_CODE = re.compile(r"\b(make|python|pip|npm|npx)\b")
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def _workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def _runs(job: dict) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def _uses(job: dict) -> list[str]:
    return [step["uses"].split("@")[0] for step in job["steps"] if "uses" in step]


def test_no_permission_is_granted_to_the_whole_workflow():
    assert _workflow()["permissions"] == {}
    assert all("permissions" in job for job in _workflow()["jobs"].values())


def test_the_job_that_runs_the_book_s_code_can_only_read():
    running = {
        name: job for name, job in _workflow()["jobs"].items() if RUNS_CODE.search(_runs(job))
    }
    assert list(running) == ["build"]
    assert running["build"]["permissions"] == {"contents": "read"}
    assert "make test" in _runs(running["build"]) and "make html" in _runs(running["build"])


def test_only_the_notebooks_job_writes_and_it_runs_git_only():
    jobs = _workflow()["jobs"]
    writers = [name for name, job in jobs.items() if job["permissions"].get("contents") == "write"]
    assert writers == ["notebooks"]
    job = jobs["notebooks"]
    assert job["permissions"] == {"contents": "write"} and job["needs"] == "build"
    assert _uses(job) == ["actions/checkout", "actions/download-artifact"]
    assert "git push origin HEAD:notebooks" in _runs(job)
    assert not RUNS_CODE.search(_runs(job))
    (download,) = [s for s in job["steps"] if s.get("uses", "").startswith("actions/download")]
    (upload,) = [
        s for s in jobs["build"]["steps"] if s.get("uses", "").startswith("actions/upload-artifact")
    ]
    assert download["with"]["name"] == upload["with"]["name"] == "notebooks"


def test_only_deploy_may_deploy_pages():
    jobs = _workflow()["jobs"]
    deploying = [
        name for name, job in jobs.items() if {"pages", "id-token"} & set(job["permissions"])
    ]
    assert deploying == ["deploy"]
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert _uses(jobs["deploy"]) == ["actions/deploy-pages"]


def test_checkouts_keep_no_credentials_except_where_the_job_pushes():
    for name, job in _workflow()["jobs"].items():
        for step in job["steps"]:
            if step.get("uses", "").startswith("actions/checkout@"):
                persist = step.get("with", {}).get("persist-credentials", True)
                assert persist is (name == "notebooks"), name


@pytest.mark.parametrize("path", [WORKFLOW], ids=["pages.yml"])
def test_every_action_is_pinned_to_a_commit_with_its_version_in_a_comment(path: Path):
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if "uses:" in line]
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
    result = subprocess.run(
        [
            str(zizmor),
            "--offline",
            "--persona=pedantic",
            "--no-progress",
            str(WORKFLOW.parent.parent),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
