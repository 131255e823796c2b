"""docker-compose.yml validated offline by docker-compose (Debian's package) `config`, with
.env.example as its .env, and checked for health checks, start order, lock-down and settings."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
import yaml

from services.shared.clients import DEFAULT_PORTS
from tests.deploy import tools

SERVICES = tuple(DEFAULT_PORTS)
INTERPOLATED = re.compile(r"^\$\{(?P<name>[A-Z0-9_]+):-(?P<default>[^}]*)\}$")
TEST_POSTGRES_PASSWORD = "compose-config-test-only"


@pytest.fixture(scope="module")
def compose_bin() -> str:
    return tools.ensure_apt_tool("docker-compose", "docker-compose")


@pytest.fixture(scope="module")
def env_file(tmp_path_factory):
    """.env.example as an operator would copy it, with the one required value filled in."""
    text = (tools.ROOT / ".env.example").read_text()
    assert "\nPOSTGRES_PASSWORD=\n" in text
    path = tmp_path_factory.mktemp("compose") / ".env"
    path.write_text(text.replace("\nPOSTGRES_PASSWORD=\n", f"\nPOSTGRES_PASSWORD={TEST_POSTGRES_PASSWORD}\n"))
    return path


def compose_config(compose_bin: str, compose_file, env_file) -> subprocess.CompletedProcess:
    return subprocess.run([compose_bin, "--project-directory", str(tools.ROOT), "--env-file", str(env_file),
                           "-f", str(compose_file), "config"], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def resolved(compose_bin, env_file) -> dict:
    result = compose_config(compose_bin, tools.COMPOSE_FILE, env_file)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


@pytest.fixture(scope="module")
def settings_module():
    return tools.settings_module()


def test_compose_config_validates_with_the_example_env(resolved):
    assert set(resolved["services"]) == {"postgres", "redis", "migrate", *SERVICES, "portal"}
    assert set(resolved["volumes"]) >= {"postgres-data", "redis-data"}


def test_compose_refuses_to_start_without_a_postgres_password(compose_bin, tmp_path):
    empty = tmp_path / "empty.env"
    empty.write_text("")
    result = compose_config(compose_bin, tools.COMPOSE_FILE, empty)
    assert result.returncode != 0
    assert "POSTGRES_PASSWORD" in result.stderr


def test_compose_config_fails_on_a_broken_file(compose_bin, env_file, tmp_path):
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(tools.COMPOSE_FILE.read_text().replace(
        "condition: service_completed_successfully", "condition: service_finished_somehow", 1))
    result = compose_config(compose_bin, broken, env_file)
    assert result.returncode != 0
    assert "service_finished_somehow" in result.stderr


def test_every_long_running_container_has_a_health_check(resolved):
    for name in ("postgres", "redis", *SERVICES):
        check = resolved["services"][name].get("healthcheck")
        assert check and check.get("test") and not check.get("disable"), name
    for name in SERVICES:
        test = resolved["services"][name]["healthcheck"]["test"]
        port = resolved["services"][name]["environment"]["CLUB_HEALTH_PORT"]
        assert test == ["CMD", "python", "-m", "services.shared.healthcheck", port]


def test_start_order_waits_for_healthy_infra_and_finished_migrations(resolved):
    services = resolved["services"]
    assert services["migrate"]["command"] == ["python", "-m", "services.shared.migrate"]
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert services["migrate"].get("restart") == "no"
    for name in SERVICES:
        assert services[name]["command"] == ["python", "-m", f"services.{name}"]
        depends = services[name]["depends_on"]
        assert depends["postgres"] == depends["redis"] == {"condition": "service_healthy"}
        assert depends["migrate"] == {"condition": "service_completed_successfully"}
    assert {"cards", "wallet", "tasheem"} <= set(services["switch"]["depends_on"])


def test_persistent_volumes_for_postgres_and_redis(resolved):
    assert any(v.startswith("postgres-data:/var/lib/postgresql/data") for v in resolved["services"]["postgres"]["volumes"])
    assert any(v.startswith("redis-data:/data") for v in resolved["services"]["redis"]["volumes"])
    assert "--appendonly" in resolved["services"]["redis"]["command"]


def test_club_containers_are_locked_down(resolved):
    for name in ("migrate", *SERVICES):
        service = resolved["services"][name]
        user = service["user"].split(":")
        assert user[0].isdigit() and int(user[0]) > 0, name
        assert service["read_only"] is True, name
        assert service["cap_drop"] == ["ALL"], name
        assert "no-new-privileges:true" in service["security_opt"], name
        assert any(t.startswith("/tmp") for t in service["tmpfs"]), name
        assert service["environment"]["CLUB_DATA_DIR"] == "/var/lib/club"
        assert any(v.startswith("club-data:/var/lib/club") for v in service["volumes"]), name


def published(service: dict) -> set[tuple[str, int, int]]:
    """(host address, host port, container port); docker-compose prints short or long syntax."""
    found = set()
    for port in service.get("ports", []):
        if isinstance(port, dict):
            found.add((port.get("host_ip", "0.0.0.0"), int(port["published"]), int(port["target"])))
        else:
            parts = port.split("/")[0].split(":")
            host = parts[0] if len(parts) == 3 else "0.0.0.0"
            found.add((host, int(parts[-2]), int(parts[-1])))
    return found


def test_ports_for_terminals_and_the_cli(resolved):
    switch = resolved["services"]["switch"]
    assert ("0.0.0.0", 8583, 8583) in published(switch)
    assert switch["environment"]["CLUB_ISO_PORT"] == "8583"
    for name, port in DEFAULT_PORTS.items():
        service = resolved["services"][name]
        # gRPC only on the host's loopback: the CLI runs there; other machines have no business.
        assert ("127.0.0.1", port, port) in published(service), name
        assert service["environment"]["CLUB_GRPC_PORT"] == str(port)


def raw_environments() -> dict[str, dict[str, str]]:
    """Each container's environment as written (anchors merged, nothing interpolated)."""
    compose = yaml.safe_load(tools.COMPOSE_FILE.read_text())
    return {name: {k: str(v) for k, v in (svc.get("environment") or {}).items()}
            for name, svc in compose["services"].items()}


def test_every_club_variable_in_compose_is_a_setting_its_process_reads(settings_module):
    present = settings_module.present_services()
    for name, env in raw_environments().items():
        if name in ("postgres", "redis"):
            continue
        process = "migrate" if name == "migrate" else name
        if process not in (*present, "migrate", "portal"):
            continue  # that service's code is not in the tree yet
        known = settings_module.all_settings()
        reads = settings_module.settings_read_by(process)
        unknown = sorted(n for n in env if n.startswith("CLUB_") and n not in known)
        assert unknown == [], f"{name}: not a setting any process reads: {unknown}"
        if process != "migrate":
            missing = sorted(set(reads) - set(env))
            assert missing == [], (f"{name} reads {missing} but docker-compose.yml does not pass them: "
                                   "run python scripts/gen_env_example.py")


def test_compose_defaults_are_the_code_defaults(settings_module):
    """A ${NAME:-default} that drifted from the Setting's default would silently change behaviour."""
    known = settings_module.all_settings()
    for name, env in raw_environments().items():
        for variable, value in env.items():
            match = INTERPOLATED.match(value)
            if match and variable in known:
                assert match.group("name") == variable, f"{name}: {variable} reads ${{{match.group('name')}}}"
                assert match.group("default") == known[variable].default, f"{name}: {variable} default drifted"


def test_secrets_are_never_given_a_value_in_compose(settings_module):
    known = settings_module.all_settings()
    for name, env in raw_environments().items():
        for variable, value in env.items():
            if variable in known and known[variable].secret:
                assert value == f"${{{variable}:-}}", f"{name}: secret {variable} must come from .env only"


def test_generated_files_are_current_and_name_only_real_settings(settings_module):
    """.env.example, the services' settings in docker-compose.yml and docs/operations.md's table."""
    result = subprocess.run([sys.executable, str(tools.ROOT / "scripts" / "gen_env_example.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    text = (tools.ROOT / ".env.example").read_text()
    named = set(re.findall(r"^#? ?(CLUB_[A-Z0-9_]+)=", text, flags=re.M))
    assert named == set(settings_module.all_settings())
    for setting in settings_module.all_settings().values():
        if setting.secret:
            assert f"\n{setting.name}=\n" in text, f"{setting.name} must be empty in .env.example"


def test_the_generator_restores_a_setting_removed_from_compose(settings_module):
    text = tools.COMPOSE_FILE.read_text()
    line = next(ln for ln in text.splitlines(keepends=True) if ln.strip().startswith("CLUB_PVKI:"))
    broken = text.replace(line, "", 1)
    assert broken != text
    assert settings_module.updated_compose(broken) == text


def test_the_portal_starts_after_the_services_is_checked_over_http_and_holds_no_secret_of_theirs(resolved):
    portal = resolved["services"]["portal"]
    assert portal["command"] == ["python", "-m", "services.portal"]
    assert set(portal["depends_on"]) == set(SERVICES)
    assert all(d == {"condition": "service_healthy"} for d in portal["depends_on"].values())
    assert "/healthz" in " ".join(portal["healthcheck"]["test"])
    env = portal["environment"]
    assert "CLUB_AUTH_SECRET" not in env and "CLUB_DATABASE_URL" not in env
    assert env["CLUB_PORTAL_PORT"] == "7180" and ("0.0.0.0", 7180, 7180) in published(portal)
    assert portal["read_only"] is True and portal["cap_drop"] == ["ALL"]
