"""Fixtures: a shared stack of real service processes for the session, and isolated
stacks (own database, own Redis server) for tests that kill, flush or restart."""

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
def stack(infra, tmp_path_factory) -> harness.Stack:
    shared = harness.Stack(tmp_path_factory.mktemp("stack"), f"club_test_{os.getpid()}")
    yield shared
    shared.close()


@pytest.fixture
def isolated_stack(infra, tmp_path):
    """Factory for a private stack; every stack made is closed after the test."""
    made: list[harness.Stack] = []

    def make(**extra_env: str) -> harness.Stack:
        n = next(_isolated_counter)
        made.append(harness.Stack(tmp_path / f"stack{n}", f"club_iso_{os.getpid()}_{n}", extra_env))
        return made[-1]

    yield make
    for item in made:
        item.close()
