# hyperscaler.workstation — the commands README shows, and the test tiers CI runs.
#   make setup        OS packages + .venv (idempotent)
#   make hpc          bring up the default HPC cluster (site.yml -e cluster=hpc)
#   make test         everything CI runs
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

ROOT := $(abspath .)
VENV := $(ROOT)/.venv
BIN := $(VENV)/bin
PYTHON ?= python3
COLLECTION_LINK := collections/ansible_collections/hyperscaler/workstation
SANITY_ROOT ?= /tmp/hyperscaler-sanity
SANITY_DIR := $(SANITY_ROOT)/ansible_collections/hyperscaler/workstation
SANITY_PYTHON := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')
CLUSTER_CONFIG ?= config/cluster.yaml
# pytest-xdist workers for the unit tests (make unit, and make compat's runs): CI's 2 cores. The slow tests are
# ansible-playbook runs, bound by one core each.
PYTEST_WORKERS ?= 2

# Supported versions are tested versions. meta/runtime.yml's requires_ansible (">=2.19.0,<2.22") claims exactly
# the minor releases CI tests: the main one, requirements.txt's ansible-core pin (every tier runs on it), and these,
# on which `make compat` runs the unit tests and ansible-test sanity (2.20 and 2.21 need Python >= 3.12, so they run
# in the Debian 13 container from tests/images/build-compat.sh). 2.18 reached its end of life in November 2026.
# tests/tools/check_requires_ansible.py (make lint) fails when the range and this list disagree.
COMPAT_VERSIONS ?= 2.20.10 2.21.5
# Sanity tests make compat leaves out (the main release runs every test in `make sanity`). Measured cold on the
# CI kind (2 vCPU), the full set took 112 s (2.20) and 103 s (2.21) per release. Left out everywhere:
# pep8, yamllint, changelog (~10 s each; style tools whose verdict on our files does not depend on the release).
# pylint (33-44 s) runs on the newest release only: its ansible plugins grow rules (2.21's ansible-bad-function
# flags subprocess.Popen that 2.20 accepts), older releases' rules are the same or fewer.
# What runs on every release is what a release changes: validate-modules (argument spec and doc schema),
# ansible-doc (plugin docs load), import (module_utils imports), compile, runtime-metadata (meta/runtime.yml),
# ignores (tests/sanity/ignore-<release>.txt, links to ignore-2.19.txt) and the cheap file checks.
COMPAT_SANITY_SKIP ?= pep8 yamllint changelog
COMPAT_PYLINT_ON ?= $(lastword $(COMPAT_VERSIONS))

export PATH := $(BIN):$(PATH)
export CONTAINERS_CONF := $(ROOT)/tests/containers.conf
export ANSIBLE_CONFIG := $(ROOT)/ansible.cfg
export PYTHONPATH := $(ROOT)/collections
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# Debian 12 packages for the controller, the hypervisor and the tests.
APT_PACKAGES := python3 python3-venv python3-dev gcc pkg-config git rsync make \
	libvirt-daemon-system libvirt-clients libvirt-dev qemu-system-x86 qemu-utils ovmf dnsmasq-base iptables \
	podman runc containernetworking-plugins debootstrap genisoimage xorriso e2fsprogs \
	openssh-client jq gpg

.PHONY: help setup apt venv link validate hpc images provision start stop status destroy inventory manifests schema check lint \
	sanity unit compat integration molecule molecule-hpc molecule-cloud-services e2e test-images \
	test bench changelog clean

help:
	@grep -E '^#   make' Makefile | sed 's/^#   //'
	@echo "make check        lint + unit (fast)"
	@echo "make compat       unit + sanity on the other ansible-core releases requires_ansible claims"
	@echo "make validate     validate $(CLUSTER_CONFIG)"
	@echo "make manifests    the cloud cluster's Kubernetes objects under build/manifests/"
	@echo "make images | provision | start | stop | status | destroy   [CLUSTER=hpc|cloud|all]"

## ---- setup ---------------------------------------------------------------------------------------------------
setup: apt venv link

apt:
	@missing=$$(for p in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${db:Status-Abbrev}' $$p 2>/dev/null | grep -q '^ii' || echo $$p; done | xargs); \
	if [ -n "$$missing" ]; then \
		echo "apt: installing $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "apt: all $(words $(APT_PACKAGES)) packages present"; fi

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -r requirements.txt
	touch $@

venv: $(VENV)/.installed

link:
	@mkdir -p $(dir $(COLLECTION_LINK))
	@ln -sfn ../../.. $(COLLECTION_LINK)

## ---- the product -------------------------------------------------------------------------------------------
validate: link
	ansible-playbook playbooks/validate.yml -e cluster_config=$(ROOT)/$(CLUSTER_CONFIG)

hpc: link
	ansible-playbook site.yml -e cluster=hpc -e cluster_config=$(ROOT)/$(CLUSTER_CONFIG)

CLUSTER ?= all
images: link
	ansible-playbook playbooks/images.yml -e cluster=$(CLUSTER) -e cluster_config=$(ROOT)/$(CLUSTER_CONFIG)

provision: link
	ansible-playbook playbooks/provision.yml -e cluster=$(CLUSTER) -e cluster_config=$(ROOT)/$(CLUSTER_CONFIG)

start stop status: link
	ansible-playbook playbooks/lifecycle.yml -e lifecycle_action=$@ -e cluster=$(CLUSTER) -e cluster_config=$(ROOT)/$(CLUSTER_CONFIG)

# Removes the VMs, volumes and networks the collection created for $(CLUSTER); keeps images and keys.
destroy: link
	ansible-playbook playbooks/lifecycle.yml -e lifecycle_action=destroy -e confirm=yes -e cluster=$(CLUSTER) \
		-e cluster_config=$(ROOT)/$(CLUSTER_CONFIG)

inventory: link
	ansible-inventory --graph

# Every Kubernetes object the collection authors for $(CLUSTER_CONFIG)'s cloud cluster, under build/manifests/cloud/.
manifests: link
	ansible-playbook playbooks/manifests.yml -e cluster_config=$(ROOT)/$(CLUSTER_CONFIG)

schema:
	$(BIN)/python tests/tools/sync_schema.py

## ---- tests ---------------------------------------------------------------------------------------------------
check: lint unit

lint: link
	$(BIN)/python tests/tools/sync_schema.py --check
	$(BIN)/python tests/tools/check_requires_ansible.py $(COMPAT_VERSIONS)
	$(BIN)/python tests/tools/check_argument_specs.py
	$(BIN)/black --check --quiet plugins tests roles
	ansible-lint --profile production
	antsibull-changelog lint

sanity: link
	rm -rf $(SANITY_ROOT)
	mkdir -p $(SANITY_DIR)
	git ls-files -co --exclude-standard -z | rsync -a --from0 --files-from=- ./ $(SANITY_DIR)/
	@v=$$(grep -o "pip='[0-9.]*'" $(VENV)/lib/python3*/site-packages/ansible_test/_internal/python_requirements.py \
		| grep -o '[0-9][0-9.]*'); mkdir -p ~/.ansible/test/cache; \
		cp tests/tools/ansible_test_get_pip.py ~/.ansible/test/cache/get_pip_$${v//./_}.py
	cd $(SANITY_DIR) && ansible-test sanity --venv --python $(SANITY_PYTHON) --color no $(SANITY_ARGS)

unit: link
	pytest -q -n $(PYTEST_WORKERS) tests/unit tests/tools

# The unit tests and ansible-test sanity on each of COMPAT_VERSIONS (tests/compat/run.py; venvs, wheels and the
# container's ansible-test venvs are cached under ~/.cache/hyperscaler-workstation/compat, keyed by version).
compat: link
	COMPAT_SANITY_SKIP='$(COMPAT_SANITY_SKIP)' COMPAT_PYLINT_ON='$(COMPAT_PYLINT_ON)' COMPAT_PYTEST_WORKERS=$(PYTEST_WORKERS) \
		$(BIN)/python tests/compat/run.py $(COMPAT_VERSIONS)

integration: link test-images
	tests/helpers/libvirtd.sh
	pytest -q tests/integration

# Container images for the molecule scenarios (debootstrap + podman import, cached by a hash of their inputs).
test-images:
	tests/images/build-base.sh

# The scenarios in two lanes side by side: a scenario waits on `podman exec` round trips and its containers'
# daemons far more than it computes, so two at once use CI's 2 cores (each lane's output comes when it ends).
molecule: link test-images
	$(MAKE) --no-print-directory -j2 --output-sync=target molecule-hpc molecule-cloud-services

molecule-hpc:
	cd roles/slurm_controller && molecule test -s slurm
	cd roles/containerd && molecule test -s containerd
	cd roles/container_registry && molecule test -s registry

molecule-cloud-services:
	cd roles/kubeadm_control_plane && molecule test -s kubeadm
	cd roles/mlflow && molecule test -s services

# The datacenter on VMs: site.yml -e cluster=all on config/examples/datacenter.yaml (README's HPC cluster + a services
# node), jobs over SSH, S3 and PostgreSQL from the hypervisor and an HPC node, rerun changed=0, --check, a compute node
# added and removed, stop, destroy; and the cloud cluster of config/examples/cloud.yaml up to the Kubernetes package
# step (tests/e2e/test_site_cloud.py, which runs first).
e2e: link
	tests/helpers/libvirtd.sh
	pytest -q tests/e2e

TIERS := lint sanity unit compat integration molecule e2e
# Every tier in order, cheap ones first; prints each tier's wall time (docs/benchmarks.md keeps them).
test:
	@for tier in $(TIERS); do start=$$(date +%s); $(MAKE) --no-print-directory $$tier; \
		echo "make test: tier $$tier took $$(( $$(date +%s) - start )) s"; done

bench: link
	$(BIN)/python tests/bench/bench_inventory.py
	$(BIN)/python tests/bench/bench_gpu_plan.py 5
	$(BIN)/python tests/bench/bench_libvirt_domain.py --runs 5

changelog:
	antsibull-changelog release

clean:
	rm -rf build tests/output .pytest_cache
