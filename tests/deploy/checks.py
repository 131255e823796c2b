"""Checks over rendered Kubernetes manifests and the compose file, each returning the problems it
found (empty = good), so a test can assert both that ours pass and that a broken copy fails."""

from __future__ import annotations

import re

import kubernetes_validate
from kubernetes_validate.utils import SchemaNotFoundError

# The oldest Kubernetes the manifests must be valid for (native gRPC probes are GA since 1.27,
# the preStop sleep action is on by default since 1.30).
KUBERNETES_VERSION = "1.30.0"
HEALTH_PORT = "8081"
SERVICE_COMPONENT = "service"
WEB_COMPONENT = "web"  # the portal: HTTP behind an Ingress, probed over HTTP
WEB_HEALTH_PATH = "/healthz"
INGRESS_NAMESPACE = "ingress-nginx"
SECRET_NAME = "club-secrets"
TLS_MOUNT = "/etc/club/tls"
MODULE_COMMAND = re.compile(
    r"^services\.(?:(?P<service>cards|wallet|tasheem|switch|crm|portal)|shared\.(?P<tool>migrate))$")
# Variables a container must be given: the image's defaults point at 127.0.0.1 or ./var.
REQUIRED_EVERYWHERE = {"CLUB_DATABASE_URL", "CLUB_DATA_DIR"}
REQUIRED_IN_SERVICES = {"CLUB_REDIS_URL", "CLUB_HEALTH_PORT", "CLUB_GRPC_PORT"}
# Who may open a gRPC connection to whom (NetworkPolicy), besides operator pods running clubctl.
# The portal calls every service, each call with the signed-in person's own token.
GRPC_CALLERS = {
    "cards": {"switch", "wallet", "tasheem", "crm", "portal", "clubctl"},
    "wallet": {"switch", "tasheem", "crm", "portal", "clubctl"},
    "tasheem": {"switch", "crm", "portal", "clubctl"},  # crm: coupons in the member view
    "switch": {"crm", "portal", "clubctl"},  # crm: recent transactions in the member view, the journal for receipts
    "crm": {"portal", "clubctl"},
}


def name_of(doc: dict) -> str:
    return f"{doc['kind']}/{doc['metadata']['name']}"


def schema_problems(docs: list[dict], version: str = KUBERNETES_VERSION) -> list[str]:
    problems = []
    for doc in docs:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            path = ".".join(str(part) for part in exc.path)
            problems.append(f"{name_of(doc)}: {path}: {exc.message}")
        except SchemaNotFoundError as exc:
            problems.append(f"{name_of(doc)}: no schema ({exc.message})")
    return problems


def pod_templates(docs: list[dict]) -> list[tuple[dict, dict]]:
    return [(doc, doc["spec"]["template"]) for doc in docs if doc["kind"] in ("Deployment", "Job")]


def process_of(container: dict) -> str | None:
    command = container.get("command") or []
    if len(command) >= 3 and command[:2] == ["python", "-m"]:
        match = MODULE_COMMAND.match(command[2])
        if match:
            return match.group("service") or match.group("tool")
    return None


def container_env(container: dict, docs: list[dict]) -> dict[str, object]:
    """name -> value (a string, or the valueFrom dict) for env and envFrom ConfigMaps."""
    configmaps = {doc["metadata"]["name"]: doc.get("data", {}) for doc in docs if doc["kind"] == "ConfigMap"}
    env: dict[str, object] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            env.update(configmaps.get(source["configMapRef"]["name"], {}))
        else:
            env["<envFrom secretRef>"] = source  # refused below: secrets are named one by one
    for item in container.get("env", []):
        env[item["name"]] = item.get("value", item.get("valueFrom"))
    return env


def is_web(doc: dict) -> bool:
    return doc["spec"]["template"]["metadata"]["labels"].get("app.kubernetes.io/component") == WEB_COMPONENT


def web_probe_problems(doc: dict) -> list[str]:
    """The portal: HTTP probes of its health path on its own HTTP port."""
    problems = []
    for container in doc["spec"]["template"]["spec"]["containers"]:
        ports = {p.get("name"): p["containerPort"] for p in container.get("ports", [])}
        for kind in ("startupProbe", "readinessProbe", "livenessProbe"):
            probe = (container.get(kind) or {}).get("httpGet")
            if not probe:
                problems.append(f"{name_of(doc)}: {container['name']} has no HTTP {kind}")
            elif probe.get("path") != WEB_HEALTH_PATH or ports.get(probe["port"], probe["port"]) not in ports.values():
                problems.append(f"{name_of(doc)}: {kind} is not {WEB_HEALTH_PATH} on the container's port")
    return problems


def probe_problems(docs: list[dict]) -> list[str]:
    problems = []
    for doc, template in pod_templates(docs):
        if doc["kind"] != "Deployment":
            continue
        if is_web(doc):
            problems += web_probe_problems(doc)
            continue
        for container in template["spec"]["containers"]:
            env = container_env(container, docs)
            for kind in ("startupProbe", "readinessProbe", "livenessProbe"):
                probe = container.get(kind)
                if not probe or "grpc" not in probe:
                    problems.append(f"{name_of(doc)}: {container['name']} has no gRPC {kind}")
                elif str(probe["grpc"]["port"]) != str(env.get("CLUB_HEALTH_PORT")):
                    problems.append(f"{name_of(doc)}: {kind} port {probe['grpc']['port']} is not CLUB_HEALTH_PORT")
            liveness = container.get("livenessProbe", {}).get("grpc", {})
            if liveness and liveness.get("service") != "liveness":
                problems.append(f"{name_of(doc)}: livenessProbe must ask for the 'liveness' health name")
    return problems


def security_problems(docs: list[dict]) -> list[str]:
    problems = []
    for doc, template in pod_templates(docs):
        spec = template["spec"]
        pod = spec.get("securityContext", {})
        if pod.get("runAsNonRoot") is not True or not pod.get("runAsUser"):
            problems.append(f"{name_of(doc)}: pod must run as a numeric non-root user")
        if pod.get("seccompProfile", {}).get("type") != "RuntimeDefault":
            problems.append(f"{name_of(doc)}: pod needs seccompProfile RuntimeDefault")
        if spec.get("automountServiceAccountToken") is not False:
            problems.append(f"{name_of(doc)}: pod must not mount a service account token")
        for container in spec["containers"]:
            context = container.get("securityContext", {})
            if context.get("readOnlyRootFilesystem") is not True:
                problems.append(f"{name_of(doc)}: {container['name']} needs readOnlyRootFilesystem")
            if context.get("allowPrivilegeEscalation") is not False:
                problems.append(f"{name_of(doc)}: {container['name']} must not allow privilege escalation")
            if context.get("capabilities", {}).get("drop") != ["ALL"]:
                problems.append(f"{name_of(doc)}: {container['name']} must drop ALL capabilities")
            if "memory" not in container.get("resources", {}).get("limits", {}):
                problems.append(f"{name_of(doc)}: {container['name']} needs a memory limit")
            if "cpu" not in container.get("resources", {}).get("requests", {}):
                problems.append(f"{name_of(doc)}: {container['name']} needs a CPU request")
    return problems


def env_problems(docs: list[dict], reads, production: bool) -> list[str]:
    """`reads(process)` -> {name: Setting} the process reads (None when its code is not there yet)."""
    problems = []
    for doc, template in pod_templates(docs):
        spec = template["spec"]
        for container in spec["containers"]:
            process = process_of(container)
            if process is None:
                problems.append(f"{name_of(doc)}: {container['name']} runs no known process: {container.get('command')}")
                continue
            settings = reads(process)
            if settings is None:
                continue
            env = container_env(container, docs)
            for name, value in env.items():
                if name not in settings:
                    problems.append(f"{name_of(doc)}: {name} is not a setting {process} reads")
                elif isinstance(value, dict) and "secretKeyRef" not in value:
                    problems.append(f"{name_of(doc)}: {name} must come from a value or a secretKeyRef")
                elif isinstance(value, dict) and value["secretKeyRef"]["name"] != SECRET_NAME:
                    problems.append(f"{name_of(doc)}: {name} must come from Secret {SECRET_NAME}")
                elif settings[name].secret and not isinstance(value, dict):
                    problems.append(f"{name_of(doc)}: secret {name} has a value in the manifest")
            required = set(REQUIRED_EVERYWHERE)
            if process == "portal" and ({"CLUB_AUTH_SECRET", "CLUB_DATABASE_URL"} & set(env)):
                problems.append(f"{name_of(doc)}: the portal holds no auth secret and no database")
            if process != "migrate":
                required |= REQUIRED_IN_SERVICES
                required |= {n for n, s in settings.items() if s.secret and not s.default}
                required |= {n for n in settings if n.endswith("_ADDR")}
                if production:
                    required.add("CLUB_TLS_DIR")
            for name in sorted(required & set(settings) - set(env)):
                problems.append(f"{name_of(doc)}: {process} needs {name} and is not given it")
            if production and env.get("CLUB_ENV") != "production":
                problems.append(f"{name_of(doc)}: CLUB_ENV must be production")
            if process != "migrate" and env.get("CLUB_TLS_DIR"):
                mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
                secret_volumes = {v["name"] for v in spec.get("volumes", []) if "secret" in v}
                if mounts.get(env["CLUB_TLS_DIR"]) not in secret_volumes:
                    problems.append(f"{name_of(doc)}: CLUB_TLS_DIR {env['CLUB_TLS_DIR']} is not a mounted Secret")
    return problems


# A URL of the shape club-secrets holds when the hosts come from CLUB_DATABASE_HOSTS.
SECRET_URL_SHAPE = "postgresql://club:password@/club"


def redis_problems(docs: list[dict], reads) -> list[str]:
    """Every process that reads CLUB_REDIS_CLUSTER is told, in a form it accepts, that its Redis is
    a Redis Cluster (production's is one; a single-node client would fail on the first MOVED), and
    that counted writes wait for a replica (CLUB_REDIS_WAIT_REPLICAS >= 1), so a failover loses none."""
    from services.shared import config as cfg

    problems = []
    for doc, template in pod_templates(docs):
        for container in template["spec"]["containers"]:
            process = process_of(container)
            settings = reads(process) if process else None
            if not settings or "CLUB_REDIS_CLUSTER" not in settings:
                continue
            value = container_env(container, docs).get("CLUB_REDIS_CLUSTER", "")
            try:
                cluster = cfg.boolean(value) if isinstance(value, str) else False
            except ValueError as exc:
                problems.append(f"{name_of(doc)}: CLUB_REDIS_CLUSTER {exc}")
                continue
            if not cluster:
                problems.append(f"{name_of(doc)}: {process} is not told its Redis is a cluster (CLUB_REDIS_CLUSTER)")
            if "CLUB_REDIS_WAIT_REPLICAS" in settings:
                wait = container_env(container, docs).get("CLUB_REDIS_WAIT_REPLICAS", "0")
                try:
                    replicas = cfg.non_negative_int(wait) if isinstance(wait, str) else 0
                except ValueError as exc:
                    problems.append(f"{name_of(doc)}: CLUB_REDIS_WAIT_REPLICAS {exc}")
                    continue
                if replicas < 1:
                    problems.append(f"{name_of(doc)}: {process} answers counted writes before a replica has them "
                                    "(CLUB_REDIS_WAIT_REPLICAS)")
    return problems


def database_problems(docs: list[dict], reads) -> list[str]:
    """Every process that reads CLUB_DATABASE_HOSTS is given the Postgres primary and at least one
    standby, in a form the process accepts (services.shared.config), so that it uses the writable one."""
    from psycopg.conninfo import conninfo_to_dict

    from services.shared import config as cfg

    problems = []
    for doc, template in pod_templates(docs):
        for container in template["spec"]["containers"]:
            process = process_of(container)
            settings = reads(process) if process else None
            if not settings or "CLUB_DATABASE_HOSTS" not in settings:
                continue
            hosts = container_env(container, docs).get("CLUB_DATABASE_HOSTS", "")
            if not isinstance(hosts, str):
                problems.append(f"{name_of(doc)}: CLUB_DATABASE_HOSTS must be a value (servers are not secrets)")
                continue
            try:
                loaded = cfg.load([s for s in cfg.COMMON if s.name.startswith("CLUB_DATABASE_")],
                                  {"CLUB_DATABASE_URL": SECRET_URL_SHAPE, "CLUB_DATABASE_HOSTS": hosts})
            except cfg.ConfigError as exc:
                problems.append(f"{name_of(doc)}: {exc}")
                continue
            if len(set(loaded.database_hosts)) < 2:
                problems.append(f"{name_of(doc)}: CLUB_DATABASE_HOSTS={hosts!r} does not name a primary and a standby")
            elif conninfo_to_dict(loaded.database_url).get("target_session_attrs") not in cfg.WRITABLE_SESSION_ATTRS:
                problems.append(f"{name_of(doc)}: {process} would not insist on the writable host")
    return problems


def _labels(selector: dict) -> dict:
    return selector.get("matchLabels", {})


def service_problems(docs: list[dict]) -> list[str]:
    """Each service Deployment: a headless Service on its gRPC port, a PDB and an HPA, and the
    addresses other Deployments are given resolve to such a Service."""
    problems = []
    by_kind: dict[str, dict[str, dict]] = {}
    for doc in docs:
        by_kind.setdefault(doc["kind"], {})[doc["metadata"]["name"]] = doc
    headless = {}
    for name, svc in by_kind.get("Service", {}).items():
        if svc["spec"].get("clusterIP") == "None":
            headless[name] = {str(port["port"]) for port in svc["spec"]["ports"]}
    for name, deployment in by_kind.get("Deployment", {}).items():
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        env = container_env(container, docs)
        if is_web(deployment):
            problems += web_service_problems(deployment, by_kind)
        else:
            port = str(env.get("CLUB_GRPC_PORT"))
            if port not in headless.get(name, set()):
                problems.append(f"Deployment/{name}: no headless Service {name} on gRPC port {port}")
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        if not any(set(_labels(p["spec"]["selector"]).items()) <= set(labels.items())
                   for p in by_kind.get("PodDisruptionBudget", {}).values()):
            problems.append(f"Deployment/{name}: no PodDisruptionBudget")
        if not any(h["spec"]["scaleTargetRef"]["name"] == name for h in by_kind.get("HorizontalPodAutoscaler", {}).values()):
            problems.append(f"Deployment/{name}: no HorizontalPodAutoscaler")
        for key, value in env.items():
            if key.endswith("_ADDR") and isinstance(value, str):
                match = re.fullmatch(r"dns:///([a-z-]+):(\d+)", value)
                if not match or match.group(2) not in headless.get(match.group(1), set()):
                    problems.append(f"Deployment/{name}: {key}={value} is not dns:/// to a headless Service")
    return problems


def web_service_problems(deployment: dict, by_kind: dict[str, dict[str, dict]]) -> list[str]:
    """The portal: a Service on its HTTP port, and an Ingress with TLS for every host routed to it."""
    name = deployment["metadata"]["name"]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    ports = {p.get("name"): p["containerPort"] for p in deployment["spec"]["template"]["spec"]["containers"][0]["ports"]}
    services = [svc for svc in by_kind.get("Service", {}).values()
                if svc["spec"].get("selector") and set(svc["spec"]["selector"].items()) <= set(labels.items())
                and any(port.get("targetPort") in (*ports, *ports.values()) for port in svc["spec"]["ports"])]
    if not services:
        return [f"Deployment/{name}: no Service on its HTTP port"]
    routed = [ingress for ingress in by_kind.get("Ingress", {}).values()
              if any(path["backend"]["service"]["name"] in {s["metadata"]["name"] for s in services}
                     for rule in ingress["spec"].get("rules", []) for path in rule["http"]["paths"])]
    if not routed:
        return [f"Deployment/{name}: no Ingress routes to its Service"]
    problems = []
    for ingress in routed:
        hosts = {rule.get("host") for rule in ingress["spec"].get("rules", [])}
        with_tls = {host for tls in ingress["spec"].get("tls", []) if tls.get("secretName") for host in tls.get("hosts", [])}
        if not hosts <= with_tls:
            problems.append(f"{name_of(ingress)}: hosts without TLS: {sorted(hosts - with_tls)}")
    return problems


def grpc_callers(docs: list[dict], target: str, port: int) -> set[str] | None:
    """The app names whose pods NetworkPolicies let reach `target` pods on `port`; None = anyone."""
    allowed: set[str] = set()
    for policy in (d for d in docs if d["kind"] == "NetworkPolicy"):
        selector = _labels(policy["spec"]["podSelector"])
        if selector and selector.get("app.kubernetes.io/name") not in (target, None):
            continue
        if selector.get("app.kubernetes.io/component") not in (None, SERVICE_COMPONENT):
            continue
        for rule in policy["spec"].get("ingress", []):
            ports = {p.get("port") for p in rule.get("ports", [])}
            if rule.get("ports") and port not in ports:
                continue
            if "from" not in rule:
                return None
            for source in rule["from"]:
                if "podSelector" in source and "namespaceSelector" not in source:
                    allowed.add(_labels(source["podSelector"]).get("app.kubernetes.io/name", "*"))
                else:
                    allowed.add("<another namespace or address>")
    return allowed


def network_problems(docs: list[dict], ports: dict[str, int]) -> list[str]:
    problems = []
    policies = [d for d in docs if d["kind"] == "NetworkPolicy"]
    if not any(p["spec"]["podSelector"] == {} and "Ingress" in p["spec"]["policyTypes"] and not p["spec"].get("ingress")
               for p in policies):
        problems.append("no default-deny ingress NetworkPolicy")
    for target, expected in GRPC_CALLERS.items():
        callers = grpc_callers(docs, target, ports[target])
        if callers != expected:
            problems.append(f"{target} gRPC port {ports[target]}: reachable from {callers}, expected {sorted(expected)}")
    for web in (d for d in docs if d["kind"] == "Deployment" and is_web(d)):
        name = web["metadata"]["name"]
        for port in web["spec"]["template"]["spec"]["containers"][0]["ports"]:
            sources = web_sources(policies, name, port["containerPort"])
            if sources != {INGRESS_NAMESPACE}:
                problems.append(f"{name} HTTP port {port['containerPort']}: reachable from {sources}, "
                                f"expected only the {INGRESS_NAMESPACE} namespace")
    return problems


def web_sources(policies: list[dict], target: str, port: int) -> set[str] | None:
    """The namespaces (or app names) NetworkPolicies let reach `target` pods on `port`; None = anyone."""
    allowed: set[str] = set()
    for policy in policies:
        selector = _labels(policy["spec"]["podSelector"])
        if selector and selector.get("app.kubernetes.io/name") != target:
            continue
        for rule in policy["spec"].get("ingress", []):
            if rule.get("ports") and port not in {p.get("port") for p in rule["ports"]}:
                continue
            if "from" not in rule:
                return None
            for source in rule["from"]:
                if "namespaceSelector" in source and "podSelector" not in source:
                    allowed.add(_labels(source["namespaceSelector"]).get("kubernetes.io/metadata.name", "*"))
                else:
                    allowed.add(_labels(source.get("podSelector", {})).get("app.kubernetes.io/name", "<an address>"))
    return allowed
