# The course's commands. `make lab` to study, `make test` to check everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: setup machine prepare-if-engine lab run test lint test-live test-recorded test-binder test-unit record clean

$(STAMP): pyproject.toml
	@# A venv made without python3-venv has bin/python but no pip: check pip, and make it again (once) if missing.
	@test -x $(BIN)/pip || { rm -rf $(VENV) && $(PYTHON) -m venv $(VENV) >/dev/null 2>&1 && test -x $(BIN)/pip; } || \
		{ rm -rf $(VENV); echo "make: $(PYTHON) -m venv cannot make $(VENV) with pip: install python3-venv (Debian/Ubuntu: sudo apt-get install python3-venv), then run make again."; exit 1; }
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# Connect to the engine (or start it on Debian/Ubuntu as root), then check the machine and
# make the base images available. Without an engine the doctor says what to do.
prepare-if-engine: $(STAMP)
	@if $(BIN)/python -c 'import dockerlab, sys; sys.exit(0 if dockerlab.engine.available() else 1)'; then \
		$(BIN)/dockerlab doctor || true; \
		$(BIN)/dockerlab prepare; \
	else \
		$(BIN)/dockerlab doctor || true; \
		echo "No Docker engine: notebooks that need one will say so."; \
	fi

# Jupyter refuses to run as root unless told; containers and CI machines often are root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

# binder/jupyter/ (on JUPYTER_CONFIG_PATH, as binder/start does on Binder) makes a terminal start in notebooks/,
# where the course's terminal commands are written from; without it, it would start here (dockerlab/terminals.py).
lab: prepare-if-engine
	JUPYTER_CONFIG_PATH="$(CURDIR)/binder/jupyter$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH}" $(BIN)/jupyter lab $(ALLOW_ROOT) notebooks/

# Execute every notebook (live, or recorded without an engine) into build/executed/ and build the
# course site with Jupyter Book 2 into build/html/ (index.html): real outputs, navigation, search;
# it reads offline.
run: prepare-if-engine
	$(BIN)/dockerlab render

# Unit tests, engine tests (marked `docker`; they fail, never skip, when no engine answers),
# and nbval over notebooks/ twice: live on the engine, then recorded with the engine hidden.
test: lint test-live test-binder

# pyflakes, bugbear, pyupgrade, complexity <= 12 and lines <= 160 characters (configured in pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff check .

# What `make test` needs besides Python: a Docker engine (started, or installed with apt as root on
# Debian/Ubuntu; with a stale pid file too), Chromium for the browser tests, and qemu for notebook 01's
# VM (optional: without it the notebook measures containers only), skopeo (dl.fetch_image) and arm64
# emulation for notebook 02a (optional: qemu-user-static in binfmt_misc). Where a script cannot do it itself
# it stops with one sentence saying what to install.
machine: $(STAMP)
	bash scripts/ensure-docker-engine
	bash scripts/install-browser-tools
	bash scripts/install-image-tools
	bash scripts/install-vm-tools || echo "machine: no qemu, so notebook 01 measures containers only"
	bash scripts/install-emulation || echo "machine: no arm64 emulation, so notebook 02a shows exec format error and no slowdown"

test-live: $(STAMP) machine
	$(BIN)/dockerlab prepare --quiet
	$(BIN)/python -m pytest --require-docker --require-browser --nbval-lax --durations=25 $(PYTEST_ARGS)

# Every notebook replaying data/recorded/ with no engine, in this environment (prints the time; target <= 90 s).
# `make test` runs the same replay in a fresh Binder environment instead (test-binder), timed the same way.
test-recorded: $(STAMP)
	$(BIN)/python benchmarks/recorded_run.py

# repo2docker's own recipe for this repository (it must use binder/), then a fresh environment from
# binder/ + pyproject.toml and no engine, as on mybinder.org.
test-binder: $(STAMP)
	bash scripts/simulate-binder

# Run every notebook live and rewrite data/recorded/ (commit the result). Experiments repeat in
# full here (DOCKERLAB_REPEAT is cleared; CI sets it to 1 to fit its time budget).
record: $(STAMP)
	$(BIN)/dockerlab prepare --quiet
	DOCKERLAB_REPEAT= $(BIN)/dockerlab record
	$(BIN)/dockerlab record --exercises

# No engine needed.
test-unit: $(STAMP)
	$(BIN)/python -m pytest -m "not docker" tests/unit $(PYTEST_ARGS)

# Keeps the stand-in base images (minutes to rebuild); `dockerlab clean --bases` removes them too.
clean: $(STAMP)
	$(BIN)/dockerlab clean
