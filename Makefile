# Entry points for users and CI. Everything runs from the repository root with the
# project's own virtual environment (.venv), created from the pinned requirements.txt.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(PATH)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg

LAB_MANAGERS ?= 1
LAB_WORKERS ?= 2
LAB_INVENTORY := .lab/default/inventory.yml

.PHONY: help venv host lab lab-destroy lint unit mutation sanity collection ee-context test clean

help:
	@echo "make lab          create .venv, make sure a Docker Engine runs, start the lab, run site.yml on it"
	@echo "make test         the whole test suite: linters, unit tests, lab scenarios"
	@echo "make lab-destroy  remove every lab container, network, volume and key"
	@echo "make lint         yamllint, ansible-lint (production profile), ruff"
	@echo "make unit         the unit tests only (no Docker Engine needed)"
	@echo "make mutation     mutation testing of the decision modules (on demand, not in CI; about 35 min)"
	@echo "make sanity       ansible-test sanity on the collection as built"
	@echo "make collection   build the collection tarball into .cache/dist"
	@echo "make ee-context   check execution-environment.yml (ansible-builder create into .cache/ee)"

$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

venv: $(BIN)/.installed

# A Docker Engine, debootstrap and ssh; fails with instructions when it cannot get them itself.
host:
	scripts/prepare-lab-host.sh

lab: venv host
	$(BIN)/ansible-playbook playbooks/lab.yml -e lab_managers=$(LAB_MANAGERS) -e lab_workers=$(LAB_WORKERS)
	$(BIN)/ansible-playbook -i $(LAB_INVENTORY) site.yml

lab-destroy: venv
	$(BIN)/ansible-playbook playbooks/lab.yml -e lab_state=absent

lint: venv
	$(BIN)/yamllint --strict .
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/ansible-lint
	$(BIN)/ansible-playbook --syntax-check site.yml playbooks/*.yml

unit: venv
	$(BIN)/pytest tests/unit

# On demand, not part of `make test`: cosmic-ray mutates each decision module listed in
# pyproject.toml ([tool.mixedswarm.mutation]) and runs its unit tests (docs/testing.md).
# MUTATE="plugins/module_utils/_swarm/address.py ..." limits the run to those modules.
MUTATION_TOOL := cosmic-ray==8.7.0
mutation: venv
	$(BIN)/python -c 'import cosmic_ray' 2>/dev/null || $(BIN)/pip install --quiet '$(MUTATION_TOOL)'
	$(BIN)/python scripts/mutation.py $(MUTATE)

# The collection as it ships (scripts/ansible-test.sh builds it into a temporary
# ansible_collections tree and sets up ansible-test's pip bootstrap offline).
sanity: venv
	scripts/ansible-test.sh sanity --venv --python 3.11

collection: venv
	$(BIN)/ansible-galaxy collection build --force --output-path .cache/dist

ee-context: venv
	$(BIN)/ansible-builder create --file execution-environment.yml --context .cache/ee

# The lab's images are built first, once, so that labs starting side by side do not build them
# twice; then scripts/test-suites.sh runs tests/lab beside the rest of the suite.
test: venv host lint sanity ee-context
	$(BIN)/ansible-playbook playbooks/lab.yml -e lab_state=images
	scripts/test-suites.sh

clean: lab-destroy
	rm -rf $(VENV) .cache
