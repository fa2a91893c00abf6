"""The deployment files render, match the Kubernetes and Compose schemas, and carry settings
the platform accepts; the image runs as a non-root user.

No cluster or Docker daemon is needed: ``kubectl kustomize`` renders offline, the schemas
ship with kubernetes-validate and check-jsonschema.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from apps.config.loading import load_settings
from apps.config.settings import Settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
ROOT = DEPLOY.parent
OVERLAYS = ("cloud-sql", "self-hosted")
KUBERNETES_VERSION = "1.30.0"
"""The oldest version the manifests promise: native sidecars need 1.29."""
SECRETS = {
    "PASSERELLE_DATABASE__URL": "postgresql+asyncpg://passerelle:pw@127.0.0.1:5432/passerelle",
    "PASSERELLE_AUTH__JWT_SECRET": "a-jwt-secret-that-is-at-least-32-characters",
    "PASSERELLE_ENCRYPTION__KEYS": "ZGVwbG95LXRlc3QtZW5jcnlwdGlvbi1rZXktMDEyMzQ",
}
"""What the Secret ``passerelle-secrets`` holds at the least, with placeholder values."""


def render(overlay: str) -> list[dict[str, Any]]:
    kubectl = shutil.which("kubectl")
    assert kubectl is not None, "kubectl renders the kustomizations (apt install kubectl)"
    output = subprocess.run(
        [kubectl, "kustomize", str(DEPLOY / "kubernetes" / "overlays" / overlay)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [doc for doc in yaml.safe_load_all(output) if doc]


def _of_kind(documents: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [doc for doc in documents if doc["kind"] == kind]


def _pod_specs(documents: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    for doc in documents:
        if doc["kind"] in ("Deployment", "Job"):
            yield doc["metadata"]["name"], doc["spec"]["template"]["spec"]


def _settings_from(environment: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings exactly as a pod with this environment would load them (typos refused)."""
    for name in [n for n in os.environ if n.startswith("PASSERELLE_")]:
        monkeypatch.delenv(name)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return load_settings()


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_rendered_manifest_matches_the_kubernetes_schema_strictly(overlay: str) -> None:
    documents = render(overlay)
    assert {doc["kind"] for doc in documents} >= {
        "Deployment",
        "HorizontalPodAutoscaler",
        "Job",
        "ConfigMap",
        "Service",
        "Ingress",
    }
    for doc in documents:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_a_misspelled_field_is_refused_by_the_same_validation() -> None:
    [job] = _of_kind(render("self-hosted"), "Job")
    job["spec"]["template"]["spec"]["restartPolicty"] = "Never"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(job, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_container_runs_unprivileged_with_resources(overlay: str) -> None:
    for name, pod in _pod_specs(render(overlay)):
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        for container in [*pod["containers"], *pod.get("initContainers", [])]:
            security = container["securityContext"]
            assert security["allowPrivilegeEscalation"] is False, (name, container["name"])
            assert security["readOnlyRootFilesystem"] is True, (name, container["name"])
            assert "requests" in container["resources"], (name, container["name"])


def test_the_api_is_probed_and_scaled_and_the_worker_scraped_on_its_own_port() -> None:
    documents = render("cloud-sql")
    [api] = [
        doc
        for doc in _of_kind(documents, "Deployment")
        if doc["metadata"]["name"] == "passerelle-api"
    ]
    container = api["spec"]["template"]["spec"]["containers"][0]
    assert container["livenessProbe"]["httpGet"]["path"] == "/api/v1/health"
    assert container["readinessProbe"]["httpGet"]["path"] == "/api/v1/health/ready"
    [hpa] = _of_kind(documents, "HorizontalPodAutoscaler")
    assert hpa["spec"]["scaleTargetRef"]["name"] == "passerelle-api"
    assert hpa["spec"]["minReplicas"] >= 2
    [settings] = _of_kind(documents, "ConfigMap")
    [worker] = [
        doc
        for doc in _of_kind(documents, "Deployment")
        if doc["metadata"]["name"] == "passerelle-worker"
    ]
    annotations = worker["spec"]["template"]["metadata"]["annotations"]
    assert (
        annotations["prometheus.io/port"]
        == settings["data"]["PASSERELLE_OBSERVABILITY__WORKER_METRICS_PORT"]
    )


def test_migrations_run_as_a_job_beside_the_cloud_sql_proxy_sidecar() -> None:
    [job] = _of_kind(render("cloud-sql"), "Job")
    pod = job["spec"]["template"]["spec"]
    assert pod["containers"][0]["args"] == ["migrate"]
    [proxy] = pod["initContainers"]
    assert proxy["restartPolicy"] == "Always", "a native sidecar lets the Job complete"
    assert "--port=5432" in proxy["args"]


def test_only_the_api_paths_are_public_so_metrics_stay_in_the_cluster() -> None:
    [ingress] = _of_kind(render("self-hosted"), "Ingress")
    paths = [path["path"] for rule in ingress["spec"]["rules"] for path in rule["http"]["paths"]]
    assert paths == ["/api"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_configmap_with_the_secrets_is_a_valid_production_configuration(
    overlay: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    [config] = _of_kind(render(overlay), "ConfigMap")
    settings = _settings_from({**config["data"], **SECRETS}, monkeypatch)
    assert settings.profile.value == "production"
    assert settings.observability.worker_metrics_port == 9100


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / "compose" / "docker-compose.yml").read_text())
    return loaded


def test_the_compose_file_matches_the_compose_specification() -> None:
    schema_file = resources.files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json"
    schema = json.loads(schema_file.read_text())
    jsonschema.validate(_compose(), schema)
    broken = {**_compose(), "services": {"api": {"image": "x", "restart": ["always"]}}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_the_compose_services_share_a_valid_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    services = _compose()["services"]
    assert {"postgres", "minio", "redis", "mailpit", "migrate", "api", "worker"} <= set(services)
    settings = _settings_from(services["worker"]["environment"], monkeypatch)
    assert (settings.storage_backend, settings.smtp.host) == ("s3", "mailpit")
    assert services["api"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def _final_stage(dockerfile: str) -> list[str]:
    stages = re.split(r"^FROM ", dockerfile, flags=re.MULTILINE)
    return stages[-1].splitlines()


def test_the_image_runs_as_a_non_root_user_and_copies_only_what_exists() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    [user] = [line for line in _final_stage(dockerfile) if line.startswith("USER ")]
    uid = user.split()[1].split(":")[0]
    assert uid.isdigit()
    assert int(uid) >= 1000
    sources = re.findall(r"^COPY (?!--from)(.+) \S+$", dockerfile, flags=re.MULTILINE)
    for source in " ".join(sources).split():
        assert (ROOT / source).exists(), source
    assert 'ENTRYPOINT ["passerelle"]' in dockerfile
