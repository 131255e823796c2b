"""Fixtures: a shared stack of real service processes for the session, and isolated
stacks (own database, own Redis server) for tests that kill, flush or restart.

`stack` is the session's stack on a single Redis; a test marked `on_single_and_cluster` (tests/redis_modes.py) runs
twice, the second time with `stack` the session's stack on a Redis Cluster (started for the
first such test)."""

from __future__ import annotations

import itertools
import os

import pytest

from tests import harness

_isolated_counter = itertools.count(1)


@pytest.fixture(scope="session")
def infra() -> None:
    harness.ensure_infra()


@pytest.fixture(scope="session")
def single_stack(infra, tmp_path_factory) -> harness.Stack:
    shared = harness.Stack(tmp_path_factory.mktemp("stack"), f"club_test_{os.getpid()}")
    yield shared
    shared.close()


@pytest.fixture(scope="session")
def cluster_stack(infra, tmp_path_factory) -> harness.Stack:
    shared = harness.Stack(tmp_path_factory.mktemp("cluster_stack"), f"club_test_cluster_{os.getpid()}",
                           redis_cluster=True)
    yield shared
    shared.close()


@pytest.fixture(scope="session")
def stack(request) -> harness.Stack:
    """The single-Redis stack, or with the parameter `cluster` (on_single_and_cluster) the cluster one."""
    mode = getattr(request, "param", harness.SINGLE)
    return request.getfixturevalue("cluster_stack" if mode == harness.CLUSTER else "single_stack")



@pytest.fixture
def isolated_stack(infra, tmp_path):
    """Factory for a private stack; every stack made is closed after the test."""
    made: list[harness.Stack] = []

    def make(redis_cluster: bool | None = None, **extra_env: str) -> harness.Stack:
        n = next(_isolated_counter)
        made.append(harness.Stack(tmp_path / f"stack{n}", f"club_iso_{os.getpid()}_{n}", extra_env,
                                  redis_cluster=redis_cluster))
        return made[-1]

    yield make
    for item in made:
        item.close()
