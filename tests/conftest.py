"""Fixtures shared by every test tier."""

import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture(scope='session')
def repo_root():
    return ROOT

