# The one interface to every component. Set-up is two commands: `make demo` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8501
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: demo install generate run serve stop test fuzz browser bench bench-pages pipeline-time status clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	touch $@

install: $(VENV)/.installed

## demo: install, generate the Huayang Street year, run the whole pipeline, start the dashboard
demo: install generate run serve

generate: install
	$(PY) -m pipelines.cli generate

run: install
	$(PY) -m pipelines.cli run

serve: install stop
	$(PY) -m pipelines.cli serve --background --port $(PORT)
	@for i in $$(seq 1 60); do \
	  if curl -fsS -o /dev/null http://localhost:$(PORT)/ 2>/dev/null; then break; fi; sleep 1; done
	@curl -fsS -o /dev/null -w "仪表盘已启动 (HTTP %{http_code}): http://localhost:$(PORT)/\n" http://localhost:$(PORT)/

stop:
	@# [s] keeps pkill from matching this very shell's command line
	-@pkill -f "streamlit run .*dashboards/[s]treamlit_app.py" 2>/dev/null; true

status: install
	$(PY) -m pipelines.cli status

## pipeline-time: how long the pipeline part of `make demo` takes (fresh data/, demo raw files present)
pipeline-time: install
	rm -rf data/lake data/warehouse.duckdb data/serving.duckdb
	/usr/bin/time -f "pipeline wall time: %e s, peak RSS %M KB" $(PY) -m pipelines.cli run

## browser: Debian's Chromium, a CJK font and poppler for the browser and report tests (Playwright's own download fails offline)
browser:
	@command -v chromium >/dev/null && command -v pdftoppm >/dev/null && fc-list 2>/dev/null | grep -qi "noto.*cjk" || { \
	  echo "installing chromium, fonts-noto-cjk and poppler-utils (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk poppler-utils >/dev/null; }

## test: everything the tests need is installed here; pytest's "no tests" (exit 5) fails loudly
test: install browser
	@$(PY) -m pytest $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing on purpose" >&2; fi; exit $$rc

## fuzz: the property-based ingest test with 5,000 built submissions (300 in `make test`); counts in bench/results/fuzz.json
fuzz: install
	GRIDPULSE_FUZZ_EXAMPLES=5000 GRIDPULSE_FUZZ_REPORT=bench/results/fuzz.json $(PY) -m pytest tests/fuzz -q

## bench: ingest throughput against bare reads and page render times on the demo year (bench/results/);
## with SF=0.1 (a share of Chengdu's communities; 1 = the whole city) the city-scale benchmark, MONTHS=3 by default
SF ?=
MONTHS ?= 3
bench: install
	$(PY) -m bench.run $(if $(SF),--sf $(SF) --months $(MONTHS))

## bench-pages: render time of every dashboard page on the demo year (needs `make demo` or `make run` first)
bench-pages: install
	$(PY) -m bench.pages

clean: stop
	rm -rf data
