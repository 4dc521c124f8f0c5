"""What the chart deploys, rendered by Helm itself (see ``tests/helm/chart.py``).

``make helm-check`` validates every object against the Kubernetes schemas and
checkov's policies; these tests check what those cannot know: that the chart,
the Procfile and the image start the same commands, and how the pieces fit.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import helm_python as helm
import pytest

from amtsweg.cli import main
from amtsweg.platform import gunicorn_conf
from tests.helm.chart import ROOT, find, load_values, objects, render

PROCFILE = ROOT / "Procfile"
CONTAINERFILE = ROOT / "Containerfile"
PRODUCTION = ROOT / "helm" / "amtsweg" / "ci" / "production-values.yaml"


def procfile() -> dict[str, list[str]]:
    entries = (line.partition(":") for line in PROCFILE.read_text().splitlines() if line)
    return {name: shlex.split(command) for name, _, command in entries}


def container(obj: dict) -> dict:
    (only,) = obj["spec"]["template"]["spec"]["containers"]
    return only


def env_names(obj: dict) -> set[str]:
    return {variable["name"] for variable in container(obj).get("env", [])}


def test_the_chart_the_procfile_and_the_image_start_the_same_commands() -> None:
    rendered = objects({})
    commands = procfile()
    assert set(commands) == {"release", "web", "worker"}
    assert container(find(rendered, "Deployment", "amtsweg-web"))["command"] == commands["web"]
    for pool in ("default", "outbox"):
        worker = container(find(rendered, "Deployment", f"amtsweg-worker-{pool}"))
        assert worker["command"] == commands["worker"]
    assert container(find(rendered, "Job", "amtsweg-migrate"))["command"] == commands["release"]
    (cmd,) = re.findall(r"^CMD (\[.*\])$", CONTAINERFILE.read_text(), re.MULTILINE)
    assert json.loads(cmd) == commands["web"]


def test_the_containerfile_passes_hadolint() -> None:
    hadolint = Path(sys.executable).with_name("hadolint")
    result = subprocess.run(
        [str(hadolint), str(CONTAINERFILE)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_migration_runs_before_install_and_upgrade_as_the_only_table_owner() -> None:
    for upgrade in (False, True):
        rendered = [obj for docs in render({}, upgrade=upgrade).values() for obj in docs]
        job = find(rendered, "Job", "amtsweg-migrate")
        assert job["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
        assert "AMTSWEG_DATABASE_OWNER_URL" in env_names(job)
    deployments = [o for o in rendered if o["kind"] == "Deployment"]
    cron_jobs = [o["spec"]["jobTemplate"] for o in rendered if o["kind"] == "CronJob"]
    assert (len(deployments), len(cron_jobs)) == (3, 2)
    for workload in deployments + cron_jobs:
        assert "DATABASE_URL" in env_names(workload)
        assert "AMTSWEG_DATABASE_OWNER_URL" not in env_names(workload)


def test_the_migration_gets_the_same_settings_as_the_configmap() -> None:
    rendered = objects(load_values(PRODUCTION))
    settings = find(rendered, "ConfigMap", "amtsweg-config")["data"]
    job_env = {
        variable["name"]: variable["value"]
        for variable in container(find(rendered, "Job", "amtsweg-migrate"))["env"]
        if "value" in variable
    }
    assert job_env == settings
    assert settings["AMTSWEG_PROXY_HOPS"] == "2"


def test_a_changed_setting_rolls_the_pods() -> None:
    def pod_checksum(values: dict) -> str:
        web = find(objects(values), "Deployment", "amtsweg-web")
        return web["spec"]["template"]["metadata"]["annotations"]["checksum/config"]

    changed = load_values(PRODUCTION)
    before = pod_checksum(changed)
    changed["config"]["AMTSWEG_LOG_LEVEL"] = "DEBUG"
    assert pod_checksum(changed) != before


def test_a_stopping_web_pod_lets_running_requests_finish() -> None:
    web = find(objects({}), "Deployment", "amtsweg-web")
    pause = int(container(web)["lifecycle"]["preStop"]["exec"]["command"][-1])
    grace = web["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
    assert pause + gunicorn_conf.graceful_timeout <= grace


def worker_args(rendered: list[dict]) -> dict[str, list[str]]:
    return {
        o["metadata"]["name"]: container(o)["args"]
        for o in rendered
        if o["kind"] == "Deployment" and o["metadata"]["name"].startswith("amtsweg-worker-")
    }


def test_each_queue_has_its_workers_and_one_pool_sweeps_the_outbox() -> None:
    assert worker_args(objects({})) == {
        "amtsweg-worker-default": ["--queue", "amtsweg", "--periodic"],
        "amtsweg-worker-outbox": ["--queue", "outbox", "--no-periodic"],
    }
    one_pool = {"default": {"queues": ["amtsweg", "outbox"]}, "outbox": None}
    assert worker_args(objects({"workers": one_pool})) == {
        "amtsweg-worker-default": ["--queue", "amtsweg", "--queue", "outbox", "--periodic"]
    }


@pytest.mark.parametrize(
    ("workers", "refusal"),
    [
        ({"outbox": {"periodic": True}}, "exactly one pool must have periodic: true, not 2"),
        ({"default": {"periodic": False}}, "exactly one pool must have periodic: true, not 0"),
        ({"outbox": None}, "no pool takes the queue outbox"),
    ],
)
def test_a_queue_without_workers_or_a_sweep_not_run_once_is_refused(workers, refusal) -> None:
    with pytest.raises(helm.HelmRenderError, match=refusal):
        objects({"workers": workers})


def test_the_periodic_commands_run_as_cronjobs_of_real_commands(app) -> None:
    rendered = objects({})
    jobs = {o["metadata"]["name"]: o for o in rendered if o["kind"] == "CronJob"}
    commands = {
        name: container(job["spec"]["jobTemplate"])["command"] for name, job in jobs.items()
    }
    assert commands == {
        "amtsweg-drafts-purge": ["amtsweg", "drafts", "purge"],
        "amtsweg-submissions-purge": ["amtsweg", "submissions", "purge"],
    }
    assert jobs["amtsweg-drafts-purge"]["spec"]["schedule"] == "17 3 * * *"
    assert {job["spec"]["concurrencyPolicy"] for job in jobs.values()} == {"Forbid"}
    runner = app.test_cli_runner()
    for command in commands.values():
        assert runner.invoke(main, [*command[1:], "--help"]).exit_code == 0, command
    assert runner.invoke(main, ["drafts", "nonsense", "--help"]).exit_code != 0
    disabled = {"cronJobs": {"drafts-purge": {"enabled": False}}}
    assert not [o for o in objects(disabled) if o["metadata"]["name"] == "amtsweg-drafts-purge"]


@pytest.mark.parametrize("worker_pools", [["default"], ["default", "mail"]])
def test_each_worker_pool_is_a_deployment_with_its_own_budget(worker_pools) -> None:
    pool = load_values(ROOT / "helm" / "amtsweg" / "values.yaml")["workers"]["default"]
    pools = {name: pool | {"periodic": name == "default"} for name in worker_pools}
    rendered = objects({"workers": pools})
    for name in worker_pools:
        deployment = find(rendered, "Deployment", f"amtsweg-worker-{name}")
        budget = find(rendered, "PodDisruptionBudget", f"amtsweg-worker-{name}")
        pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert budget["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
        assert deployment["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    web = find(rendered, "Deployment", "amtsweg-web")["spec"]["template"]["metadata"]["labels"]
    for budget in (o for o in rendered if o["kind"] == "PodDisruptionBudget"):
        selects_web = budget["spec"]["selector"]["matchLabels"].items() <= web.items()
        assert selects_web == (budget["metadata"]["name"] == "amtsweg-web")


def test_only_the_web_pods_can_be_reached_and_only_by_the_ingress_and_the_scraper() -> None:
    rendered = objects({})
    policies = {
        name: find(rendered, "NetworkPolicy", f"amtsweg-{name}")["spec"]
        for name in ("web", "background")
    }

    def selected(policy: dict, obj: dict) -> bool:
        labels = obj["spec"]["template"]["metadata"]["labels"]
        selector = policy["podSelector"]
        expressions = selector.get("matchExpressions", [])
        return selector["matchLabels"].items() <= labels.items() and all(
            labels.get(e["key"]) in e["values"] for e in expressions
        )

    pods = [o for o in rendered if o["kind"] in {"Deployment", "Job"}]
    pods += [
        o["spec"]["jobTemplate"] | {"metadata": o["metadata"]}
        for o in rendered
        if o["kind"] == "CronJob"
    ]
    assert len(pods) == 6
    for pod in pods:
        covering = [name for name, policy in policies.items() if selected(policy, pod)]
        is_web = pod["metadata"]["name"] == "amtsweg-web"
        assert covering == (["web"] if is_web else ["background"])
    assert policies["background"]["ingress"] == []
    values = load_values(ROOT / "helm" / "amtsweg" / "values.yaml")["networkPolicy"]
    assert [rule["from"] for rule in policies["web"]["ingress"]] == [
        values["ingressFrom"],
        values["metricsFrom"],
    ]
