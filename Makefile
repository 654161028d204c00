# Two commands do all set-up on a fresh machine: `make practice` and `make test`.
# torch is installed first and pinned: 2.13.0 is the CPU build; an unpinned torch pulls CUDA.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: practice demo test bench lint

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

practice: $(STAMP)
	$(VENV)/bin/cooldown practice $(ARGS)

demo: $(STAMP)
	$(VENV)/bin/cooldown demo $(ARGS)

test: $(STAMP)
	$(PY) -m pytest -q $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check bot tests bench train

bench: $(STAMP)
	$(PY) -m bench.model
	$(PY) -m bench.rubric
	$(PY) -m bench.store
	$(PY) -m bench.discord
	$(PY) -m bench.cold_start
	$(PY) -m bench.soak
