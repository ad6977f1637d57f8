# kinerja_research — every target documents itself (`make help`).
# Set-up is implicit: any target that needs Python creates .venv and installs the locked versions first;
# the stamp file makes that happen again only when pyproject.toml or requirements.lock change.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DOCS_STAMP := $(VENV)/.docs-installed
DATASET ?= default
SEED ?= 2026
LANG_REPORT ?= id
WORKERS ?=
NATIONAL ?= --scale 1
RAW := data/raw/$(DATASET)

.PHONY: help install report data clean-data test lint test-slow lab bench lock references agreement distclean docs docs-serve lock-docs

help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install the locked dependencies (done automatically by other targets)

$(RAW)/dataset.yml: | $(STAMP)
	$(BIN)/kinerja data synth --seed $(SEED) --out $(RAW)

data: $(RAW)/dataset.yml ## Write the default synthetic raw dataset (only when missing)

clean-data: data ## Clean data/raw/$(DATASET) into data/processed/$(DATASET)
	$(BIN)/kinerja clean $(DATASET)

report: clean-data ## Main job: default dataset -> clean -> every notebook -> reports/index.html
	$(BIN)/kinerja report --dataset $(DATASET) --lang $(LANG_REPORT) $(if $(WORKERS),--workers $(WORKERS))

test: lint ## Run the lint and format check, then the test suite (fast; no R needed)
	$(BIN)/python -m pytest -q

lint: $(STAMP) ## ruff: lint and format check of the package, tests, benchmarks and notebooks
	$(BIN)/ruff check --quiet .
	$(BIN)/ruff format --check --quiet .

test-slow: $(STAMP) ## Run the slow simulation tests (coverage over many seeds)
	$(BIN)/python -m pytest -q -m slow --run-slow

lab: $(STAMP) ## Open JupyterLab with the registered `kinerja` kernel
	$(BIN)/python -m ipykernel install --sys-prefix --name kinerja --display-name "kinerja (Python)"
	$(BIN)/jupyter lab notebooks/

bench: $(STAMP) ## Run every benchmark in bench/ (national: scale 1, NATIONAL="--scale 10" for the national size)
	@set -e; for b in bench/*_bench.py; do [ "$$b" = bench/national_bench.py ] && continue; echo "== $$b"; \
		$(BIN)/python $$b; done
	@echo "== bench/national_bench.py $(NATIONAL) (national size: make bench NATIONAL=\"--scale 10\"; steps: --steps synth,clean)"
	$(BIN)/python bench/national_bench.py $(NATIONAL)

agreement: $(STAMP) ## Print the agreement table: every R reference fixture recomputed (max abs/rel difference); no R needed
	$(BIN)/python bench/agreement.py

$(DOCS_STAMP): $(STAMP) requirements-docs.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -r requirements-docs.lock
	@touch $(DOCS_STAMP)

docs: $(DOCS_STAMP) ## Build the documentation site (tutorials + API reference) into site/; warnings are errors
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

docs-serve: $(DOCS_STAMP) ## Serve the documentation site at http://127.0.0.1:8000 while you edit docs/
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve

lock-docs: $(STAMP) ## Refresh requirements-docs.lock (the docs tools; what they share with the package stays as locked)
	rm -rf .venv-docs && $(PYTHON) -m venv .venv-docs
	.venv-docs/bin/python -m pip install --quiet -r requirements.lock
	.venv-docs/bin/python -m pip freeze > .venv-docs/before.txt
	.venv-docs/bin/python -m pip install --quiet -c requirements.lock "mkdocs" "mkdocs-material" "mkdocstrings[python]"
	(head -2 requirements-docs.lock; .venv-docs/bin/python -m pip freeze | grep -v -x -F -f .venv-docs/before.txt | sort -f) > requirements-docs.lock.new
	mv requirements-docs.lock.new requirements-docs.lock && rm -rf .venv-docs

references: ## Regenerate the R reference fixtures (needs R: see tests/reference/README.md)
	@set -e; for r in tests/reference/*.R; do echo "== $$r"; Rscript $$r; done

lock: ## Refresh requirements.lock from pyproject.toml (fresh venv, newest allowed versions)
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet -e ".[test]"
	.venv-lock/bin/python -m pip freeze --exclude-editable | grep -v -i '^kinerja' > requirements.lock
	rm -rf .venv-lock

distclean: ## Remove .venv, processed data and reports (never data/raw of real datasets)
	rm -rf $(VENV) data/processed/$(DATASET) reports/*/
