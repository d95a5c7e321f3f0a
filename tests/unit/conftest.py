"""Shared fixtures for the unit tests (pure logic, no daemons)."""
import copy
import pathlib

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope='session')
def repo_root():
    return ROOT


@pytest.fixture(scope='session')
def _multi_gpu_doc():
    return yaml.safe_load((ROOT / 'config' / 'examples' / 'multi-gpu.yaml').read_text())


@pytest.fixture
def multi_gpu(_multi_gpu_doc):
    """A fresh, mutable copy of the plan's multi-GPU example (valid as shipped)."""
    return copy.deepcopy(_multi_gpu_doc)
