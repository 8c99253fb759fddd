# Two commands do all the set-up on a fresh clone:
#   make demo   - create .venv, install marketnotes, render the offline demo note
#   make test   - install test dependencies (and Chromium via apt when root), run the tests
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: demo test bench system-deps clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "marketnotes needs Python >= 3.11"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e '.[test,jupyter]'  # jupyter: the JupyterLab test edits a template as people do
	$(BIN)/python -c 'import matplotlib.font_manager'  # build the font cache once, not in the first note
	touch $@

system-deps:
	bash scripts/install_system_deps.sh

demo: $(VENV)/.installed system-deps
	$(BIN)/marketnotes render params/demo.yaml

test: $(VENV)/.installed system-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; exit 0; fi; exit $$rc

bench: $(VENV)/.installed system-deps
	$(BIN)/python scripts/bench.py

clean:
	rm -rf $(VENV) reports/*/ .pytest_cache
