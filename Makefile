# Two commands do everything on a fresh machine: `make demo` and `make test`.
# Each creates .venv when it is missing and installs what it needs.
#
# torch is pinned because an unpinned `torch` pulls a multi-GB CUDA build;
# override it, e.g. `make TORCH="torch==2.14.1" test`.

PYTHON ?= python3
TORCH ?= torch==2.13.0
EXTRAS ?= dev,datasets,plot,docs
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(subst $() ,_,$(subst /,_,$(subst <,_,$(subst >,_,$(subst =,_,$(TORCH))))))

# The oldest scikit-learn and skorch that setup.cfg admits; `make test-oldest`
# runs the test suite against them in .venv-oldest.
OLDEST ?= scikit-learn==1.6.1 skorch==1.2.0
OLDEST_VENV := .venv-oldest

.PHONY: demo test lint test-oldest bench docs clean

$(STAMP): setup.cfg pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet "$(TORCH)"
	$(PY) -m pip install --quiet -e ".[$(EXTRAS)]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

demo: $(STAMP)
	$(PY) examples/demo.py

test: $(STAMP)
	$(PY) -m pytest

# ruff with the rules of pyproject.toml ([tool.ruff])
lint: $(STAMP)
	$(PY) -m ruff check .

test-oldest:
	test -x $(OLDEST_VENV)/bin/python || $(PYTHON) -m venv $(OLDEST_VENV)
	printf '%s\n' $(OLDEST) > $(OLDEST_VENV)/constraints.txt
	$(OLDEST_VENV)/bin/python -m pip install --quiet "$(TORCH)"
	$(OLDEST_VENV)/bin/python -m pip install --quiet \
		-c $(OLDEST_VENV)/constraints.txt $(OLDEST) -e ".[dev,datasets]"
	$(OLDEST_VENV)/bin/python -m pytest -p no:cacheprovider

bench: $(STAMP)
	$(PY) benchmarks/run.py

docs: $(STAMP)
	$(PY) -m sphinx -W --keep-going -b html docs docs/_build/html

clean:
	rm -rf $(VENV) $(OLDEST_VENV) docs/_build docs/api/generated docs/auto_examples demo-output
