"""Shared fixtures for the unit tests (pure logic, no daemons)."""

import copy

import pytest
import yaml


@pytest.fixture(scope='session')
def _multi_gpu_doc(repo_root):
    return yaml.safe_load((repo_root / 'config' / 'examples' / 'multi-gpu.yaml').read_text())


@pytest.fixture
def multi_gpu(_multi_gpu_doc):
    """A fresh, mutable copy of the plan's multi-GPU example (valid as shipped)."""
    return copy.deepcopy(_multi_gpu_doc)
