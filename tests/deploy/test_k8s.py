"""The Kubernetes manifests, rendered offline by kustomize and validated against the Kubernetes
schemas (kubernetes-validate, strict: unknown fields fail), plus the rules a schema cannot say:
probes, security contexts, settings, Services, NetworkPolicies. Each rule is also shown to
fail on a broken copy."""

from __future__ import annotations

import copy
import re
import shutil

import pytest

from services.shared.clients import DEFAULT_PORTS
from tests.deploy import checks, tools

SECRET_VALUE = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----|eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}")


@pytest.fixture(scope="module")
def settings():
    module = tools.settings_module()
    present = module.present_services()

    def reads(process: str):
        if process not in (*present, module.MIGRATE, module.PORTAL):
            return None  # that service's code is not in the tree yet
        return module.settings_read_by(process)

    return reads


@pytest.fixture(scope="module")
def production() -> list[dict]:
    return tools.render(tools.PRODUCTION_OVERLAY)


@pytest.fixture(scope="module")
def base() -> list[dict]:
    return tools.render(tools.BASE)


def kinds(docs: list[dict]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for doc in docs:
        found.setdefault(doc["kind"], set()).add(doc["metadata"]["name"])
    return found


def test_production_renders_every_part(production):
    found = kinds(production)
    services = set(DEFAULT_PORTS)
    assert found["Deployment"] == services | {"portal"}
    assert services | {"switch-iso", "portal"} <= found["Service"]
    assert found["PodDisruptionBudget"] == services | {"portal"}
    assert found["HorizontalPodAutoscaler"] == services | {"portal"}
    assert found["Ingress"] == {"portal"}
    assert found["Job"] == {"club-migrate"}
    assert found["Namespace"] == {"club"}
    assert all(doc["metadata"].get("namespace") == "club" for doc in production if doc["kind"] != "Namespace")
    iso = next(d for d in production if d["kind"] == "Service" and d["metadata"]["name"] == "switch-iso")
    assert iso["spec"]["type"] == "LoadBalancer"
    assert [p["port"] for p in iso["spec"]["ports"]] == [8583]


@pytest.mark.parametrize("overlay", ["production", "base"])
def test_manifests_validate_against_kubernetes_schemas(overlay, production, base):
    docs = production if overlay == "production" else base
    assert checks.schema_problems(docs) == []


def test_every_deployment_has_grpc_startup_readiness_and_liveness_probes(production):
    assert checks.probe_problems(production) == []


def test_every_pod_is_locked_down(production):
    assert checks.security_problems(production) == []
    namespace = next(d for d in production if d["kind"] == "Namespace")
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"


def test_environment_names_are_settings_the_services_read(production, base, settings):
    assert checks.env_problems(production, settings, production=True) == []
    assert checks.env_problems(base, settings, production=False) == []


def test_every_process_is_given_the_postgres_primary_and_its_standby(production, settings):
    assert checks.database_problems(production, settings) == []


def test_every_redis_process_in_production_uses_the_cluster_client(production, settings):
    assert checks.redis_problems(production, settings) == []
    told = [d for d in production if d["kind"] == "ConfigMap" and "CLUB_REDIS_CLUSTER" in d.get("data", {})]
    assert told, "the production overlay names the Redis Cluster"
    for setting, value, expected in (
            ("CLUB_REDIS_CLUSTER", "false", "is not told its Redis is a cluster"),
            ("CLUB_REDIS_CLUSTER", "maybe", "must be true or false"),
            ("CLUB_REDIS_WAIT_REPLICAS", "0", "answers counted writes before a replica has them"),
            ("CLUB_REDIS_WAIT_REPLICAS", "-1", "CLUB_REDIS_WAIT_REPLICAS")):
        broken = copy.deepcopy(production)
        next(d for d in broken if d["kind"] == "ConfigMap" and setting in d["data"])["data"][setting] = value
        problems = checks.redis_problems(broken, settings)
        assert problems and all(expected in p for p in problems), (setting, problems)


def test_services_are_headless_with_budgets_and_autoscalers(production):
    assert checks.service_problems(production) == []


def test_only_the_callers_of_each_service_reach_its_grpc_port(production):
    assert checks.network_problems(production, DEFAULT_PORTS) == []


def test_no_secret_values_are_rendered_or_committed(production):
    assert [d for d in production if d["kind"] == "Secret"] == []
    for path in sorted((tools.ROOT / "deploy").rglob("*")) + [tools.COMPOSE_FILE, tools.ROOT / ".env.example"]:
        if path.is_file():
            assert not SECRET_VALUE.search(path.read_text()), f"{path} holds what looks like a key or a token"


# ---- the validation bites -------------------------------------------------------------------

def deployment(docs: list[dict], name: str) -> dict:
    return next(d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == name)


def test_schema_validation_fails_on_a_wrong_type_and_an_unknown_field(production):
    broken = copy.deepcopy(production)
    deployment(broken, "wallet")["spec"]["replicas"] = "three"
    problems = checks.schema_problems(broken)
    assert len(problems) == 1 and "Deployment/wallet: spec.replicas" in problems[0]

    broken = copy.deepcopy(production)
    deployment(broken, "cards")["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {"grpc": {"port": 8081}}
    assert checks.schema_problems(broken) != []


def test_a_broken_kustomize_tree_fails_the_same_pipeline(tmp_path):
    """Break a copy of the real files (a port that is not a number) and render it like CI does."""
    tree = tmp_path / "k8s"
    shutil.copytree(tools.ROOT / "deploy" / "k8s", tree)
    cards = tree / "base" / "cards.yaml"
    cards.write_text(cards.read_text().replace("containerPort: 7101", "containerPort: fifty-thousand", 1))
    problems = checks.schema_problems(tools.render(tree / "overlays" / "production"))
    assert any("Deployment/cards" in p and "containerPort" in p for p in problems), problems


def test_probe_check_fails_without_a_probe_or_on_the_wrong_port(production):
    broken = copy.deepcopy(production)
    del deployment(broken, "switch")["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]
    assert checks.probe_problems(broken) == ["Deployment/switch: switch has no gRPC readinessProbe"]

    broken = copy.deepcopy(production)
    deployment(broken, "cards")["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["grpc"]["port"] = 7101
    assert checks.probe_problems(broken) == ["Deployment/cards: livenessProbe port 7101 is not CLUB_HEALTH_PORT"]


def test_security_check_fails_on_a_writable_root_or_kept_capabilities(production):
    broken = copy.deepcopy(production)
    context = deployment(broken, "tasheem")["spec"]["template"]["spec"]["containers"][0]["securityContext"]
    context["readOnlyRootFilesystem"] = False
    context["capabilities"] = {"drop": ["NET_RAW"]}
    assert len(checks.security_problems(broken)) == 2


def test_env_check_fails_on_an_unknown_variable_a_missing_secret_or_a_committed_secret(production, settings):
    broken = copy.deepcopy(production)
    container = deployment(broken, "cards")["spec"]["template"]["spec"]["containers"][0]
    container["env"].append({"name": "CLUB_CARDS_TYPO", "value": "1"})
    container["env"] = [e for e in container["env"] if e["name"] != "CLUB_AUTH_SECRET"]
    container["env"].append({"name": "CLUB_PVK", "value": "0123456789ABCDEF0123456789ABCDEF"})
    container["env"] = [e for e in container["env"] if not (e["name"] == "CLUB_PVK" and "valueFrom" in e)]
    problems = checks.env_problems(broken, settings, production=True)
    assert "Deployment/cards: CLUB_CARDS_TYPO is not a setting cards reads" in problems
    assert "Deployment/cards: cards needs CLUB_AUTH_SECRET and is not given it" in problems
    assert "Deployment/cards: secret CLUB_PVK has a value in the manifest" in problems


def test_network_check_fails_when_a_service_is_opened_to_another_caller(production):
    broken = copy.deepcopy(production)
    policy = next(d for d in broken if d["kind"] == "NetworkPolicy" and d["metadata"]["name"] == "tasheem-grpc")
    policy["spec"]["ingress"][0]["from"].append({"podSelector": {"matchLabels": {"app.kubernetes.io/name": "cards"}}})
    assert len(checks.network_problems(broken, DEFAULT_PORTS)) == 1

    broken = [d for d in copy.deepcopy(production) if d["metadata"]["name"] != "club-default-deny-ingress"]
    assert checks.network_problems(broken, DEFAULT_PORTS) == ["no default-deny ingress NetworkPolicy"]


def test_database_check_fails_on_one_host_a_bad_port_or_none(production, settings):
    def with_hosts(hosts: str | None) -> list[str]:
        broken = copy.deepcopy(production)
        data = next(d for d in broken if d["kind"] == "ConfigMap")["data"]
        if hosts is None:
            del data["CLUB_DATABASE_HOSTS"]
        else:
            data["CLUB_DATABASE_HOSTS"] = hosts
        return checks.database_problems(broken, settings)

    one = with_hosts("pg-1.pg.internal:5432")
    assert one and all("does not name a primary and a standby" in p for p in one)
    assert "Deployment/wallet: CLUB_DATABASE_HOSTS: invalid value 'pg-1:5432,pg-2:postgres': 'pg-2:postgres'" \
        " is not host:port" in with_hosts("pg-1:5432,pg-2:postgres")
    assert "Job/club-migrate: CLUB_DATABASE_HOSTS='' does not name a primary and a standby" in with_hosts(None)


# ---- the portal -------------------------------------------------------------------------------

def test_the_portal_is_served_over_tls_probed_over_http_and_holds_no_secret_of_the_services(production):
    portal = deployment(production, "portal")
    container = portal["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e.get("value", e.get("valueFrom")) for e in container["env"]}
    assert "CLUB_AUTH_SECRET" not in env and "CLUB_DATABASE_URL" not in env and not container.get("envFrom")
    assert env["CLUB_PORTAL_SECURE_COOKIES"] == "true"
    assert env["CLUB_PORTAL_SESSION_KEY"] == {"secretKeyRef": {"name": "club-secrets", "key": "CLUB_PORTAL_SESSION_KEY"}}
    ingress = next(d for d in production if d["kind"] == "Ingress")
    assert ingress["spec"]["tls"][0]["secretName"] == "club-portal-tls"


def test_the_portal_checks_fail_without_tls_or_probes_or_with_the_auth_secret(production, settings):
    broken = copy.deepcopy(production)
    next(d for d in broken if d["kind"] == "Ingress")["spec"]["tls"] = []
    assert checks.service_problems(broken) == ["Ingress/portal: hosts without TLS: ['club.example.org']"]

    broken = copy.deepcopy(production)
    del deployment(broken, "portal")["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]
    assert checks.probe_problems(broken) == ["Deployment/portal: portal has no HTTP readinessProbe"]

    broken = copy.deepcopy(production)
    container = deployment(broken, "portal")["spec"]["template"]["spec"]["containers"][0]
    container["env"].append({"name": "CLUB_AUTH_SECRET", "valueFrom": {"secretKeyRef": {"name": "club-secrets",
                                                                                      "key": "CLUB_AUTH_SECRET"}}})
    problems = checks.env_problems(broken, settings, production=True)
    assert "Deployment/portal: the portal holds no auth secret and no database" in problems

    broken = copy.deepcopy(production)
    policy = next(d for d in broken if d["metadata"]["name"] == "portal-http" and d["kind"] == "NetworkPolicy")
    policy["spec"]["ingress"][0]["from"] = [{"ipBlock": {"cidr": "0.0.0.0/0"}}]
    assert len(checks.network_problems(broken, DEFAULT_PORTS)) == 1
