# The two commands of the Quick start: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt

.PHONY: run test bench soak install install-dev lock clean

run: $(VENV)/.runtime config.yaml  ## create .venv, install, serve the console on SQLite
	@$(BIN)/cocreate run --config config.yaml

test: $(VENV)/.dev  ## install the dev dependencies and run the whole suite
	$(BIN)/python -m pytest

soak: $(VENV)/.dev  ## the long reliability runs: 2,000-message crash replay killed 15 times, 10,000 fuzz examples each
	COCREATE_SOAK=1 $(BIN)/python -m pytest tests/reliability -q -p no:cacheprovider

bench: $(VENV)/.dev  ## print throughput and latency figures beside floors measured in the same run
	$(BIN)/python -m benchmarks

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

$(VENV)/bin/python:
	@$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: pyproject.toml constraints.txt | $(VENV)/bin/python
	@$(PIP) -e .
	@touch $@

$(VENV)/.dev: pyproject.toml constraints.txt | $(VENV)/bin/python
	@$(PIP) -e '.[dev]'
	@touch $@ $(VENV)/.runtime

config.yaml:
	@cp config.example.yaml config.yaml
	@echo "created config.yaml from config.example.yaml" >&2

lock:  ## re-pin every installed package after changing pyproject.toml
	$(BIN)/pip freeze --exclude-editable | grep -v '^-e ' > constraints.txt

clean:
	rm -rf $(VENV) .pytest_cache
