"""The end-to-end tests that also run against a Redis Cluster: the marker parametrizes the
session's `stack` (tests/conftest.py) as single Redis, then cluster, for the test and every
fixture built on it (a club, its merchant, its offers)."""

import pytest

from tests import harness

on_single_and_cluster = pytest.mark.parametrize("stack", [harness.SINGLE, harness.CLUSTER], indirect=True)
