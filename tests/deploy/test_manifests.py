"""deploy/'s container files, checked without a container runtime (none runs on these machines): the
compose file and the Kubernetes example parse as YAML and hold what a sticky, WebSocket-friendly
deployment needs; the Dockerfile copies everything the app imports and runs it as a non-root user."""

from __future__ import annotations

import ast
import re

import yaml

from deploy import serve
from tests.deploy.conftest import ROOT

DEPLOY = ROOT / "deploy"


def test_compose_runs_one_app_service_per_server_of_its_haproxy_config():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    apps = sorted(name for name in compose["services"] if name.startswith("app"))
    config = (DEPLOY / "haproxy-compose.cfg").read_text()
    assert re.findall(r"^\s*server (app\d+) \1:8501 check cookie \1$", config, re.M) == apps
    assert config == serve.render_compose(len(apps))
    for name in apps:
        app = compose["services"][name]
        assert (DEPLOY / app["build"]["context"] / app["build"]["dockerfile"]).resolve() == DEPLOY / "Dockerfile"
        assert app["environment"]["OMP_NUM_THREADS"] == "1"
        assert app["environment"]["STREAMLIT_SERVER_COOKIE_SECRET"].startswith("${UNROLLED_COOKIE_SECRET:?")
    proxy = compose["services"]["haproxy"]
    assert proxy["image"].startswith("haproxy:2.6")
    assert "./haproxy-compose.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro" in proxy["volumes"]
    assert proxy["ports"] == ["${PORT:-8501}:8501"] and set(proxy["depends_on"]) == set(apps)


def test_the_kubernetes_ingress_keeps_each_browser_on_one_pod_of_the_service():
    docs = {doc["kind"]: doc for doc in yaml.safe_load_all((DEPLOY / "kubernetes.yaml").read_text())}
    assert set(docs) == {"Deployment", "Service", "Ingress"}
    notes = docs["Ingress"]["metadata"]["annotations"]
    prefix = "nginx.ingress.kubernetes.io/"
    assert notes[prefix + "affinity"] == "cookie" and notes[prefix + "affinity-mode"] == "persistent"
    assert notes[prefix + "session-cookie-name"] and notes[prefix + "proxy-buffering"] == "off"
    assert int(notes[prefix + "proxy-read-timeout"]) >= 86400
    service, pod = docs["Service"], docs["Deployment"]["spec"]["template"]
    backend = docs["Ingress"]["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": service["metadata"]["name"], "port": {"number": service["spec"]["ports"][0]["port"]}}
    assert service["spec"]["selector"].items() <= pod["metadata"]["labels"].items()
    (container,) = pod["spec"]["containers"]
    assert container["ports"][0]["containerPort"] == service["spec"]["ports"][0]["targetPort"] == 8501
    assert container["readinessProbe"]["httpGet"]["path"] == "/_stcore/health"
    env = {e["name"]: e for e in container["env"]}
    assert env["OMP_NUM_THREADS"]["value"] == "1"
    assert "secretKeyRef" in env["STREAMLIT_SERVER_COOKIE_SECRET"]["valueFrom"]
    assert pod["spec"]["securityContext"]["runAsNonRoot"] is True


def _instructions() -> list[tuple[str, str]]:
    """The Dockerfile's (INSTRUCTION, arguments), continuation lines joined, comments dropped."""
    lines = [line for line in (DEPLOY / "Dockerfile").read_text().splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    return [tuple(line.split(None, 1)) for line in joined.splitlines() if line.strip()]


def _local_packages_the_app_imports() -> set[str]:
    """Top-level folders of this repository that app.py, pages/, ui/ and engine/ import from."""
    files = [ROOT / "app.py", *(p for d in ("pages", "ui", "engine") for p in (ROOT / d).rglob("*.py"))]
    names = set()
    for path in files:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
            elif isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
    return {name for name in names if (ROOT / name).is_dir()}


def test_the_dockerfile_copies_what_the_app_needs_and_runs_it_unprivileged_with_a_health_check():
    steps = _instructions()
    kinds = [kind for kind, _ in steps]
    copied = {args.split()[0].rstrip("/") for kind, args in steps if kind == "COPY"}
    assert _local_packages_the_app_imports() | {"app.py", "assets", ".streamlit"} <= copied
    assert any("download.pytorch.org/whl/cpu" in args and "torch==" in args for kind, args in steps if kind == "RUN")
    assert any("-r requirements.txt" in args for kind, args in steps if kind == "RUN")
    user = [args for kind, args in steps if kind == "USER"]
    assert (
        user
        and user[-1] not in ("root", "0")
        and kinds.index("USER") > max(i for i, k in enumerate(kinds) if k in ("RUN", "COPY"))
    )
    health = dict(steps)["HEALTHCHECK"]
    assert "/_stcore/health" in health
    command = dict(steps)["CMD"]
    assert '"--server.fileWatcherType", "none"' in command and '"--server.port", "8501"' in command
    ignored = (DEPLOY / "Dockerfile.dockerignore").read_text().split()
    assert not copied & set(ignored)
