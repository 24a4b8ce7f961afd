# letters: `make help` lists the targets.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
LETTER ?= data/lancashire-2020-peel.yaml
OUT    ?= build
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help letter letters examples check preview diff due findings archive verify test test-fast lint format schema bench bench-quick clean lock system-deps

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -c requirements.lock -e '.[test]'
	@# an editable install compiles nothing: where PYTHONDONTWRITEBYTECODE is set, every run
	@# would compile letters' own modules again (a tenth of a second of each command)
	$(BIN)/python -m compileall -q letters
	@touch $@

system-deps: ## Check (as root on Debian/Ubuntu: install) the system libraries WeasyPrint needs
	@scripts/system-deps.sh run

letter: system-deps $(VENV)/.installed ## Build one letter: make letter [LETTER=data/x.yaml] -> build/x.docx, .pdf, .html
	$(BIN)/letters build $(LETTER) --out $(OUT)

letters: system-deps $(VENV)/.installed ## Build every letter under data/ into build/
	$(BIN)/letters build --out $(OUT)

examples: system-deps $(VENV)/.installed ## Check and build every example under data/examples/ into build/examples/
	$(BIN)/letters check data/examples/*.yaml
	$(BIN)/letters build data/examples/*.yaml --out $(OUT)/examples

A11Y := tests/a11y

$(A11Y)/node_modules/.installed: $(A11Y)/package-lock.json
	cd $(A11Y) && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
	@touch $@

test: $(VENV)/.installed ## Run the linters and the test suite (installs what the tests need)
	@scripts/system-deps.sh test
	@$(MAKE) --no-print-directory $(A11Y)/node_modules/.installed
	@$(MAKE) --no-print-directory lint
	$(BIN)/pytest $(PYTEST_ARGS)

test-fast: $(VENV)/.installed ## Run the linters and the tests not marked slow: no LibreOffice, browser or long property runs (~2 min)
	@scripts/system-deps.sh test
	@$(MAKE) --no-print-directory lint
	$(BIN)/pytest -m "not slow" $(PYTEST_ARGS)

lint: $(VENV)/.installed ## Check the formatting (ruff format), ruff's rules, strict mypy and the import layers
	$(BIN)/ruff format --check letters tests scripts
	$(BIN)/ruff check letters tests scripts
	$(BIN)/mypy letters tests
	$(BIN)/lint-imports

format: $(VENV)/.installed ## Format the code (ruff format) and apply ruff's safe fixes
	$(BIN)/ruff format letters tests scripts
	$(BIN)/ruff check --fix letters tests scripts

schema: $(VENV)/.installed ## Regenerate data/letter.schema.json and data/office.schema.json from the model
	$(BIN)/letters schema > data/letter.schema.json
	$(BIN)/letters schema --office > data/office.schema.json

check: $(VENV)/.installed ## Check letters: make check [LETTER=data/x.yaml] [TODAY=YYYY-MM-DD]
	$(BIN)/letters check $(if $(filter command line,$(origin LETTER)),$(LETTER)) $(if $(TODAY),--today $(TODAY))

preview: system-deps $(VENV)/.installed ## Preview a letter live in the browser: make preview [LETTER=data/x.yaml] [PORT=8055]
	$(BIN)/letters preview $(LETTER) --port $(or $(PORT),8055)

diff: $(VENV)/.installed ## Redline a letter against its approved version: make diff [LETTER=data/x.yaml] [REV=N or a git revision]
	$(BIN)/letters diff $(LETTER) $(if $(REV),--against $(REV)) --out $(OUT)

due: $(VENV)/.installed ## What is due when: make due [TODAY=YYYY-MM-DD] (also build/deadlines.ics)
	@mkdir -p $(OUT)
	$(BIN)/letters due $(if $(TODAY),--today $(TODAY)) --ics $(OUT)/deadlines.ics

findings: $(VENV)/.installed ## Export a letter's findings as CSV: make findings [LETTER=data/x.yaml]
	$(BIN)/letters findings $(LETTER)

archive: system-deps $(VENV)/.installed ## File the approved and sent letters in archive/
	$(BIN)/letters archive

verify: $(VENV)/.installed ## Re-hash the archive and its manifest's chain
	$(BIN)/letters archive --verify

#: The commit before issue 30's work: `make bench` measures it beside this tree, in turns.
BENCH_BASE ?= aa6a9b4ef7ed9a82593f324eae79927daf311d11

bench: system-deps $(VENV)/.installed ## Time issue 30's figures here and at BENCH_BASE, in turns (~5 min; scripts/bench.py --base)
	$(BIN)/python scripts/bench.py --base $(BENCH_BASE)

bench-quick: system-deps $(VENV)/.installed ## The same without the 40-letter batches (~2 min)
	$(BIN)/python scripts/bench.py --base $(BENCH_BASE) --quick

lock: ## Re-pin every dependency in requirements.lock from a fresh environment
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install -q '.[test]'
	{ echo "# Exact versions installed by 'make' (pip install -c requirements.lock). Regenerate with 'make lock'."; \
	  .lock-venv/bin/pip freeze --exclude-editable | grep -v '^letters'; } > requirements.lock
	rm -rf .lock-venv

clean: ## Remove build outputs, caches and the virtual environment
	rm -rf $(OUT) $(VENV) .letters-cache $(A11Y)/node_modules .pytest_cache .mypy_cache .ruff_cache .hypothesis *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
