# One image for every process; the command chooses it:
#   python -m services.cards | services.wallet | services.tasheem | services.switch | services.crm
#   python -m services.portal                  (the members' web portal, HTTP)
#   python -m services.shared.migrate          (one-shot schema migrations)
#   python -m services.cli ...                 (the operator CLI)
# Runs as a numeric non-root user on a read-only root filesystem: the only writable paths
# are CLUB_DATA_DIR (/var/lib/club, a volume) and /tmp (tmpfs / emptyDir).

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS builder
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
WORKDIR /src
# Dependencies first (their own layer, rebuilt only when pyproject.toml changes): the runtime
# dependency list of the project, installed from wheels into the venv.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > requirements.txt \
    && /opt/venv/bin/pip install -r requirements.txt
# The code is run from the source tree, not a wheel: migrations (*.sql) and Lua scripts live
# beside the modules that load them. Compiled here, because the root filesystem is read-only later.
COPY services ./services
RUN find services -name '__pycache__' -prune -exec rm -rf {} + \
    && /opt/venv/bin/python -m compileall -q services

FROM ${PYTHON_IMAGE} AS runtime
# Pango (with HarfBuzz and fontconfig) lays out the statement PDFs (WeasyPrint, services/documents).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 club \
    && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/club --no-create-home club \
    && mkdir -p /var/lib/club \
    && chown 10001:10001 /var/lib/club
COPY --from=builder /opt/venv /opt/venv
COPY --from=builder /src/services /app/services
WORKDIR /app
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    CLUB_DATA_DIR=/var/lib/club \
    CLUB_GRPC_HOST=0.0.0.0
VOLUME ["/var/lib/club"]
# ISO 8583 front, gRPC (cards, wallet, tasheem, switch, crm), the portal (HTTP), plaintext health, metrics
EXPOSE 8583 7101 7102 7103 7104 7105 7180 8081 9100
USER 10001:10001
# No default service: every container names its process (see the top of this file).
CMD ["python", "-c", "import sys; sys.exit('choose a process: python -m services.<cards|wallet|tasheem|switch|crm|portal|shared.migrate|cli>')"]
