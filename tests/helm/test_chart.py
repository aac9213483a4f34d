"""The Helm chart: `helm lint --strict`, every rendered object valid for Kubernetes 1.29-1.33, and the
production properties an operator relies on, for the default values and three realistic value sets."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import helm_python
import kubernetes_validate
import pytest

from core.settings import Settings

from .chart import (
    CHART,
    KUBE_VERSIONS,
    NAMESPACE,
    VALUE_SETS,
    WORKLOAD_KINDS,
    containers,
    find,
    one,
    pod_labels,
    pod_spec,
    render,
    render_set,
    secret_values,
    values_of,
)

SETS = list(VALUE_SETS)
SECRET_ENV = re.compile(r"(PASSWORD|SECRET|_KEY$|_TOKEN$|CREDENTIAL)")


def _matches(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in selector.items())


# ---------------------------------------------------------------------------------------------- lint


@pytest.mark.parametrize("set_name", SETS)
def test_helm_lint_strict_is_clean(set_name: str) -> None:
    for version in KUBE_VERSIONS:
        report = helm_python.lint(
            CHART, values_of(set_name), strict=True, namespace=NAMESPACE, kube_version=f"v{version}"
        )
        assert report["total_charts_linted"] == 1
        assert report["errors"] == [], report
        assert report["messages"] == [], report


def test_lint_reports_a_broken_value_set() -> None:
    """The lint call really checks: a value set the schema refuses is an error."""
    report = helm_python.lint(CHART, {"api": {"replicas": "two"}}, strict=True)
    assert report["errors"] or any(m["severity"] >= 2 for m in report["messages"])


# ------------------------------------------------------------------------------------ schema validity


@pytest.mark.parametrize("set_name", SETS)
def test_every_manifest_validates_for_kubernetes_1_29_to_1_33(set_name: str) -> None:
    docs = render_set(set_name)
    assert len(docs) >= 15
    errors = []
    for doc in docs:
        for version in KUBE_VERSIONS:
            try:
                kubernetes_validate.validate(doc, version, strict=True)
            except kubernetes_validate.ValidationError as exc:
                errors.append(f"{doc['kind']}/{doc['metadata']['name']} @ {version}: {exc.message}")
            except kubernetes_validate.SchemaNotFoundError as exc:
                errors.append(exc.message)
    assert errors == []


def test_validation_really_rejects_a_bad_object() -> None:
    bad = json.loads(json.dumps(one(render_set("default"), "Deployment", "fuban-api")))
    bad["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"] = "http"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, KUBE_VERSIONS[0], strict=True)


@pytest.mark.parametrize("set_name", SETS)
def test_every_object_is_namespaced_and_labelled(set_name: str) -> None:
    for doc in render_set(set_name):
        meta = doc["metadata"]
        assert meta["namespace"] == NAMESPACE, meta["name"]
        assert meta["labels"]["app.kubernetes.io/instance"] == "fuban"
        assert len(meta["name"]) <= 63


# --------------------------------------------------------------------------------------- security


@pytest.mark.parametrize("set_name", SETS)
def test_no_root_and_read_only_root_filesystem(set_name: str) -> None:
    workloads = [d for d in render_set(set_name) if d["kind"] in WORKLOAD_KINDS]
    assert workloads
    for doc in workloads:
        spec = pod_spec(doc)
        assert spec is not None
        where = f"{doc['kind']}/{doc['metadata']['name']}"
        assert spec["securityContext"]["runAsNonRoot"] is True, where
        assert spec["securityContext"]["runAsUser"] > 0, where
        assert spec["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", where
        assert spec["automountServiceAccountToken"] is False, where
        tmp_volumes = {v["name"] for v in spec["volumes"] if "emptyDir" in v}
        for c in containers(spec):
            sc = c["securityContext"]
            assert sc["runAsNonRoot"] is True, (where, c["name"])
            assert sc.get("runAsUser", 1) != 0, (where, c["name"])
            assert sc["readOnlyRootFilesystem"] is True, (where, c["name"])
            assert sc["allowPrivilegeEscalation"] is False, (where, c["name"])
            assert sc["capabilities"]["drop"] == ["ALL"], (where, c["name"])
            assert "add" not in sc["capabilities"]
            tmp = [m for m in c.get("volumeMounts", []) if m["mountPath"] == "/tmp"]
            assert len(tmp) == 1 and tmp[0]["name"] in tmp_volumes, (where, c["name"], "/tmp emptyDir")


@pytest.mark.parametrize("set_name", SETS)
def test_every_container_has_resources(set_name: str) -> None:
    for doc in render_set(set_name):
        spec = pod_spec(doc)
        if spec is None:
            continue
        for c in containers(spec):
            res = c["resources"]
            assert res["requests"]["cpu"] and res["requests"]["memory"], (doc["metadata"]["name"], c["name"])
            assert res["limits"]["memory"], (doc["metadata"]["name"], c["name"])


@pytest.mark.parametrize("set_name", SETS)
def test_secrets_are_never_inlined(set_name: str) -> None:
    docs = render_set(set_name)
    generated = secret_values(docs)
    for doc in docs:
        if doc["kind"] == "Secret":
            continue
        text = json.dumps(doc, ensure_ascii=False)
        for value in generated:
            assert value not in text, f"a generated secret appears in {doc['kind']}/{doc['metadata']['name']}"
        spec = pod_spec(doc)
        if spec is None:
            continue
        for c in containers(spec):
            for var in c.get("env", []):
                if SECRET_ENV.search(var["name"]):
                    assert "secretKeyRef" in var.get("valueFrom", {}), (doc["metadata"]["name"], var["name"])
                value = str(var.get("value", ""))
                if "://" in value and "@" in value:
                    # A URL with credentials may only carry them as a $(VAR) read from a Secret.
                    creds = value.split("://", 1)[1].split("@", 1)[0]
                    assert re.fullmatch(r"[a-z_]*:?\$\([A-Z_]+\)", creds), (var["name"], value)


def test_values_hold_no_passwords() -> None:
    text = (CHART / "values.yaml").read_text(encoding="utf-8")
    for line in text.splitlines():
        stripped = line.split("#", 1)[0]
        if re.search(r"(?i)(password|secretkey|secret_key)\s*:\s*\S", stripped):
            assert re.search(r"(?i)(passwordKey|secretKeyKey|secretKey:\s*$)", stripped), line


@pytest.mark.parametrize("set_name", ["default", "small-county", "ha-city"])
def test_generated_secrets_are_kept(set_name: str) -> None:
    secrets = find(render_set(set_name), "Secret")
    assert secrets
    for s in secrets:
        ann = s["metadata"]["annotations"]
        assert ann["helm.sh/resource-policy"] == "keep"
        # Created before the migrations hook, which reads them.
        assert "pre-install" in ann["helm.sh/hook"] and "pre-upgrade" in ann["helm.sh/hook"]
        assert int(ann["helm.sh/hook-weight"]) < 0
        for v in s["data"].values():
            assert len(v) >= 24  # base64 of >= 20 random characters


def test_existing_secret_replaces_the_generated_one() -> None:
    docs = render_set("ha-city")
    assert not [s for s in find(docs, "Secret") if s["metadata"]["name"] == "fuban-app"]
    api = one(docs, "Deployment", "fuban-api")
    env = {e["name"]: e for e in api["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["FUBAN_SECRET_KEY"]["valueFrom"]["secretKeyRef"] == {
        "name": "fuban-app-keys",
        "key": "secret-key",
    }
    assert env["FUBAN_DATABASE_URL"]["valueFrom"]["secretKeyRef"] == {
        "name": "city-pg-fuban",
        "key": "database-url",
    }
    assert env["FUBAN_DOCUMENTS_LDAP_BIND_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == "city-ldap"


# ------------------------------------------------------------------------------------------- probes


@pytest.mark.parametrize("set_name", SETS)
def test_long_running_containers_have_probes(set_name: str) -> None:
    docs = render_set(set_name)
    for doc in docs:
        if doc["kind"] not in {"Deployment", "StatefulSet"}:
            continue
        spec = doc["spec"]["template"]["spec"]
        for c in spec["containers"]:
            assert "readinessProbe" in c and "livenessProbe" in c, (doc["metadata"]["name"], c["name"])
            ports = {p["name"] for p in c.get("ports", [])}
            for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
                for how in ("httpGet", "tcpSocket"):
                    port = c.get(probe, {}).get(how, {}).get("port")
                    if isinstance(port, str):
                        assert port in ports, (doc["metadata"]["name"], probe, port)
    api = one(docs, "Deployment", "fuban-api")["spec"]["template"]["spec"]["containers"][0]
    # Readiness is the real health check of core/health.py: database, Valkey and S3.
    assert api["readinessProbe"]["httpGet"]["path"] == "/api/health"
    # Liveness asks only whether the process answers (core/health.py ``live``), not its dependencies.
    assert api["livenessProbe"]["httpGet"]["path"] == "/api/live"
    assert api["args"][0] == "serve"
    for worker in find(docs, "Deployment", ""):
        if worker["metadata"]["labels"]["app.kubernetes.io/component"] in {"worker", "scheduler"}:
            probe = worker["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]
            assert probe["exec"]["command"] == ["python", "/scripts/probe_queue.py"]


# ------------------------------------------------------------------------------------ consistency


@pytest.mark.parametrize("set_name", SETS)
def test_selectors_services_and_targets_match(set_name: str) -> None:
    docs = render_set(set_name)
    workloads = [d for d in docs if d["kind"] in {"Deployment", "StatefulSet"}]
    for w in workloads:
        assert _matches(w["spec"]["selector"]["matchLabels"], pod_labels(w)), w["metadata"]["name"]
    # Two Deployments must never select each other's pods.
    for a in workloads:
        for b in workloads:
            if a is not b:
                assert not _matches(a["spec"]["selector"]["matchLabels"], pod_labels(b))
    for svc in find(docs, "Service"):
        backing = [w for w in workloads if _matches(svc["spec"]["selector"], pod_labels(w))]
        assert backing, f"Service {svc['metadata']['name']} selects no pods"
        for port in svc["spec"]["ports"]:
            named = {
                p["name"]
                for w in backing
                for c in w["spec"]["template"]["spec"]["containers"]
                for p in c.get("ports", [])
            }
            assert port["targetPort"] in named, (svc["metadata"]["name"], port)
    for pdb in find(docs, "PodDisruptionBudget"):
        assert [w for w in workloads if _matches(pdb["spec"]["selector"]["matchLabels"], pod_labels(w))]
    for hpa in find(docs, "HorizontalPodAutoscaler"):
        target = hpa["spec"]["scaleTargetRef"]
        assert "replicas" not in one(docs, target["kind"], target["name"])["spec"]
    for sts in find(docs, "StatefulSet"):
        one(docs, "Service", sts["spec"]["serviceName"])
    cm_names = {c["metadata"]["name"] for c in find(docs, "ConfigMap")}
    secret_names = {s["metadata"]["name"] for s in find(docs, "Secret")}
    external = {
        "fuban-app-keys",
        "city-pg-fuban",
        "city-ldap",
        "govcloud-pg",
        "govcloud-redis",
        "govcloud-s3",
    }
    for doc in docs:
        spec = pod_spec(doc)
        if spec is None:
            continue
        for vol in spec.get("volumes", []):
            if "configMap" in vol:
                assert vol["configMap"]["name"] in cm_names
        for c in containers(spec):
            for var in c.get("env", []):
                ref = var.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    assert ref["name"] in secret_names | external, ref
            mounted = {m["name"] for m in c.get("volumeMounts", [])}
            assert mounted <= {v["name"] for v in spec.get("volumes", [])} | {"data"}


@pytest.mark.parametrize("set_name", SETS)
def test_ingress_routes_api_and_frontend(set_name: str) -> None:
    docs = render_set(set_name)
    (ing,) = find(docs, "Ingress")
    paths = {p["path"]: p["backend"]["service"]["name"] for p in ing["spec"]["rules"][0]["http"]["paths"]}
    assert paths["/api"] == "fuban-api"
    assert paths["/"] == "fuban-web"
    assert ing["spec"]["rules"][0]["host"] == (
        values_of(set_name).get("ingress", {}).get("host") or "fuban.example.gov.cn"
    )


# ---------------------------------------------------------------------------------- environment


@pytest.mark.parametrize("set_name", SETS)
def test_env_matches_core_settings(set_name: str) -> None:
    """Every FUBAN_* variable the chart sets is a setting of core/settings.py (or a helper the chart
    composes URLs from, or a plugin's own setting), and production's required ones are all there."""
    docs = render_set(set_name)
    fields = {f"FUBAN_{name.upper()}" for name in Settings.model_fields}
    helpers = {"FUBAN_DB_PASSWORD", "FUBAN_REDIS_PASSWORD"}
    plugins = {f"FUBAN_{p.upper()}_" for p in ["documents", "petitions"]}
    required = {
        "FUBAN_ENV",
        "FUBAN_DATABASE_URL",
        "FUBAN_REDIS_URL",
        "FUBAN_S3_ENDPOINT",
        "FUBAN_S3_ACCESS_KEY",
        "FUBAN_S3_SECRET_KEY",
        "FUBAN_SECRET_KEY",
        "FUBAN_S3_BUCKET",
        "FUBAN_S3_SECURE",
        "FUBAN_PLUGINS",
    }
    checked = 0
    for doc in docs:
        spec = pod_spec(doc)
        if spec is None or doc["metadata"]["labels"]["app.kubernetes.io/component"] not in {
            "api",
            "worker",
            "scheduler",
            "migrations",
        }:
            continue
        for c in containers(spec):
            if "env" not in c:  # wait-for-database needs only a host and port
                continue
            names = [e["name"] for e in c["env"]]
            assert len(names) == len(set(names)), c["name"]
            fuban = {n for n in names if n.startswith("FUBAN_")}
            unknown = {n for n in fuban - fields - helpers if not any(n.startswith(p) for p in plugins)}
            assert unknown == set(), unknown
            assert required <= fuban, required - fuban
            env = {e["name"]: e.get("value") for e in c["env"]}
            assert env["FUBAN_ENV"] == "production"
            checked += 1
    assert checked >= 4


def test_plugins_allowlist_and_settings_become_env() -> None:
    docs = render_set("small-county")
    api = one(docs, "Deployment", "fuban-api")["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e.get("value") for e in api["env"]}
    assert env["FUBAN_PLUGINS"] == "documents,petitions"
    assert env["FUBAN_DOCUMENTS_ISSUER_NAME"] == "某某县人民政府办公室"
    ext = one(render_set("external"), "Deployment", "fuban-api")["spec"]["template"]["spec"]["containers"][0]
    assert {e["name"]: e.get("value") for e in ext["env"]}["FUBAN_PLUGINS"] == "documents"


def test_sign_in_policy_becomes_settings_the_api_accepts() -> None:
    """The office's sign-in policy set in values reaches the API as settings core/settings.py parses."""
    values = {"fuban": {"login": {"maxFailures": 3, "ipMaxFailures": 20}, "session": {"idleMinutes": 10}}}
    api = one(render(values), "Deployment", "fuban-api")["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e["value"] for e in api["env"] if "value" in e}
    policy = {k: v for k, v in env.items() if k.startswith(("FUBAN_LOGIN_", "FUBAN_SESSION_"))}
    assert policy == {
        "FUBAN_LOGIN_MAX_FAILURES": "3",
        "FUBAN_LOGIN_LOCKOUT_MINUTES": "15",
        "FUBAN_LOGIN_IP_MAX_FAILURES": "20",
        "FUBAN_LOGIN_IP_WINDOW_MINUTES": "15",
        "FUBAN_SESSION_IDLE_MINUTES": "10",
        "FUBAN_SESSION_MAX_HOURS": "12",
    }
    parsed = Settings(env="dev", **{k.removeprefix("FUBAN_").lower(): v for k, v in policy.items()})
    assert (parsed.login_max_failures, parsed.session_idle_minutes) == (3, 10)


# ------------------------------------------------------------------------------------ topology


def test_ha_city_has_hpa_pdbs_and_per_queue_workers() -> None:
    docs = render_set("ha-city")
    (hpa,) = find(docs, "HorizontalPodAutoscaler")
    assert hpa["spec"]["scaleTargetRef"]["name"] == "fuban-api"
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (3, 10)
    pdbs = {p["metadata"]["name"]: p["spec"]["minAvailable"] for p in find(docs, "PodDisruptionBudget")}
    assert pdbs == {
        "fuban-api": 2,
        "fuban-web": 2,
        "fuban-scheduler": 1,
        "fuban-worker-core": 1,
        "fuban-worker-documents": 1,
        "fuban-worker-petitions": 1,
    }
    assert one(docs, "Deployment", "fuban-scheduler")["spec"]["replicas"] == 2
    queues: dict[str, list[str]] = {}
    for w in find(docs, "Deployment"):
        if w["metadata"]["labels"]["app.kubernetes.io/component"] != "worker":
            continue
        args = w["spec"]["template"]["spec"]["containers"][0]["args"]
        queues[w["metadata"]["name"]] = [args[i + 1] for i, a in enumerate(args) if a == "--queues"]
        assert args[0] == "worker"
    assert queues == {
        "fuban-worker-core": ["core"],
        "fuban-worker-documents": ["documents"],
        "fuban-worker-petitions": ["petitions"],
    }
    assert one(docs, "Deployment", "fuban-worker-documents")["spec"]["replicas"] == 3
    # Every queue (core + each enabled plugin) has a consumer.
    assert {"core", *values_of("ha-city")["plugins"]["enabled"]} <= {q for qs in queues.values() for q in qs}
    for sts in find(docs, "StatefulSet"):
        assert sts["spec"]["volumeClaimTemplates"][0]["spec"]["storageClassName"] == "ceph-rbd"
    assert one(docs, "Deployment", "fuban-api")["spec"]["template"]["spec"]["imagePullSecrets"] == [
        {"name": "harbor-pull"}
    ]
    image = one(docs, "Deployment", "fuban-api")["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image == "harbor.city.gov.cn/fuban/api:0.1.0"


def test_small_county_runs_single_replicas_without_blocking_pdbs() -> None:
    docs = render_set("small-county")
    assert find(docs, "HorizontalPodAutoscaler") == []
    assert find(docs, "PodDisruptionBudget") == []
    assert one(docs, "Deployment", "fuban-api")["spec"]["replicas"] == 1
    worker = one(docs, "Deployment", "fuban-worker-default")["spec"]["template"]["spec"]["containers"][0]
    assert "--queues" not in worker["args"]  # one pool consumes every queue
    kinds = {d["metadata"]["name"] for d in find(docs, "StatefulSet")}
    assert kinds == {"fuban-postgresql", "fuban-valkey", "fuban-minio"}
    for sts in find(docs, "StatefulSet"):
        assert sts["spec"]["volumeClaimTemplates"][0]["spec"]["storageClassName"] == "local-path"


def test_external_set_renders_no_bundled_servers() -> None:
    docs = render_set("external")
    assert find(docs, "StatefulSet") == []
    assert find(docs, "PersistentVolumeClaim") == []
    names = {d["metadata"]["name"] for d in docs}
    for server in ("postgresql", "valkey", "minio"):
        assert not [n for n in names if server in n], server
    assert [s["metadata"]["name"] for s in find(docs, "Secret")] == ["fuban-app"]
    api = one(docs, "Deployment", "fuban-api")["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e.get("value") for e in api["env"]}
    assert env["FUBAN_DATABASE_URL"] == (
        "postgresql+asyncpg://fuban_app:$(FUBAN_DB_PASSWORD)@pg-primary.db.gov-cloud.internal:5432/fuban_prod"
    )
    assert env["FUBAN_REDIS_URL"] == "rediss://:$(FUBAN_REDIS_PASSWORD)@redis.cache.gov-cloud.internal:6380/2"
    assert (env["FUBAN_S3_ENDPOINT"], env["FUBAN_S3_SECURE"]) == ("oss.gov-cloud.internal", "true")
    # External servers exist before the release: migrate before anything else is created.
    (job,) = find(docs, "Job")
    assert job["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"


def test_bundled_install_migrates_with_its_servers_then_by_hook() -> None:
    install = render_set("default")
    hook = one(install, "Job", "fuban-migrate")
    assert hook["metadata"]["annotations"]["helm.sh/hook"] == "pre-upgrade"
    first = one(install, "Job", "fuban-migrate-install")
    assert "helm.sh/hook" not in first["metadata"].get("annotations", {})
    for job in (hook, first):
        c = job["spec"]["template"]["spec"]["containers"][0]
        assert c["args"] == ["db", "upgrade"]
    upgrade = render_set("default", upgrade=True)
    assert [j["metadata"]["name"] for j in find(upgrade, "Job")] == ["fuban-migrate"]
    # App pods wait for the schema instead of running against an empty database.
    for name in ("fuban-api", "fuban-scheduler", "fuban-worker-default"):
        init = one(install, "Deployment", name)["spec"]["template"]["spec"]["initContainers"]
        assert [c["name"] for c in init] == ["wait-for-schema"]


def test_network_policies_fence_the_bundled_servers() -> None:
    docs = render_set("default")
    policies = {p["metadata"]["name"]: p for p in find(docs, "NetworkPolicy")}
    assert set(policies) == {
        "fuban-api",
        "fuban-web",
        "fuban-no-ingress",
        "fuban-postgresql",
        "fuban-valkey",
        "fuban-minio",
    }
    pg = policies["fuban-postgresql"]["spec"]["ingress"][0]["from"][0]["podSelector"]
    allowed = set(pg["matchExpressions"][0]["values"])
    assert allowed == {"api", "worker", "scheduler", "migrations", "backup"}
    assert "web" not in allowed
    no_ingress = policies["fuban-no-ingress"]["spec"]
    assert no_ingress["policyTypes"] == ["Ingress"] and "ingress" not in no_ingress
    # An empty ingressFrom opens the API and web to any namespace.
    ext = {p["metadata"]["name"]: p for p in find(render_set("external"), "NetworkPolicy")}
    assert "from" not in ext["fuban-api"]["spec"]["ingress"][0]


def test_backup_cronjob_dumps_and_uploads() -> None:
    docs = render_set("default")
    (cron,) = find(docs, "CronJob")
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    assert cron["spec"]["timeZone"] == "Asia/Shanghai"
    spec = pod_spec(cron)
    assert spec is not None
    assert spec["initContainers"][0]["image"] == "postgres:16-alpine"
    assert "pg_dump --format=custom" in spec["initContainers"][0]["command"][-1]
    upload = spec["containers"][0]
    env = {e["name"]: e.get("value") for e in upload["env"]}
    assert env["BACKUP_BUCKET"] == "fuban-backups" and env["BACKUP_KEEP"] == "14"
    assert find(render({"backup": {"enabled": False}}), "CronJob") == []


def _deep_get(values: dict[str, Any], dotted: str) -> Any:
    for part in dotted.split("."):
        values = values[part]
    return values


def test_ci_value_sets_are_distinct_and_realistic() -> None:
    assert _deep_get(values_of("ha-city"), "api.autoscaling.enabled") is True
    assert _deep_get(values_of("external"), "postgresql.mode") == "external"
    assert _deep_get(values_of("small-county"), "api.replicas") == 1


def test_plugin_tenants_job_installs_each_listed_plugin() -> None:
    docs = render_set("ha-city")
    job = one(docs, "Job", "fuban-plugin-tenants")
    assert job["metadata"]["annotations"]["helm.sh/hook"] == "post-install,post-upgrade"
    command = job["spec"]["template"]["spec"]["containers"][0]["command"]
    assert command == [
        "sh",
        "-c",
        "set -e; fuban plugins install documents --tenant city-office; "
        "fuban plugins install petitions --tenant city-office; "
        "fuban plugins install petitions --tenant east-district; "
        "fuban plugins install petitions --tenant west-district",
    ]
    assert find(render_set("default"), "Job", "plugin-tenants") == []


def test_plugin_tenants_must_be_allowlisted() -> None:
    with pytest.raises(helm_python.HelmRenderError, match=r"not in plugins\.enabled"):
        render({"plugins": {"enabled": ["documents"], "tenants": {"xx-county": ["petitions"]}}})


def test_api_trusts_forwarded_headers_from_the_configured_proxies() -> None:
    for set_name, want in (("default", "*"), ("ha-city", "10.42.0.0/16")):
        api = one(render_set(set_name), "Deployment", "fuban-api")["spec"]["template"]["spec"]["containers"][
            0
        ]
        assert {e["name"]: e.get("value") for e in api["env"]}["FORWARDED_ALLOW_IPS"] == want


def test_helm_test_pod_checks_api_health_and_web() -> None:
    docs = render_set("default")
    pod = one(docs, "Pod", "fuban-test-health")
    assert pod["metadata"]["annotations"]["helm.sh/hook"] == "test"
    args = pod["spec"]["containers"][0]["command"][3:]
    assert args == ["http://fuban-api:8000/api/health", "http://fuban-web:80/healthz"]
    # The API's network policy admits it.
    api_policy = one(docs, "NetworkPolicy", "fuban-api")["spec"]["ingress"][0]["from"]
    allowed = [p["podSelector"]["matchExpressions"][0]["values"] for p in api_policy if "podSelector" in p]
    assert ["web", "test"] in allowed


def test_packaged_chart_renders_the_same(tmp_path: Path) -> None:
    """`helm package` keeps everything the templates read (files/, the schema); .helmignore drops none."""
    archive = helm_python.package(CHART, destination=tmp_path)
    with helm_python.Chart.load(archive) as packed:
        assert packed.schema is not None
        names = {f["name"] for f in packed.files}
        assert {f"files/{p.name}" for p in (CHART / "files").glob("*.py")} <= names
        rendered = packed.render({}, name="fuban", namespace=NAMESPACE, is_install=True)
    scripts = [t for n, t in rendered.items() if n.endswith("scripts-configmap.yaml")]
    assert scripts and "def main() -> int:" in scripts[0]
    assert len([n for n in rendered if n.endswith(".yaml")]) == len(
        [t for t in (CHART / "templates").rglob("*.yaml")]
    )
