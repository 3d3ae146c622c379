# The two commands a newcomer needs: `make run` and `make test`.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
export PORT HOST

.PHONY: run test install browser nginx wrk migrate demo bench bench-monitoring bench-history bench-notifications bench-public lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

## run: install, migrate, load the demo, then serve web, worker and monitor.
run: install
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py collectstatic --noinput -v0
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py load_demo
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py ensure_admin
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py serve --host $(HOST) --port $(PORT)

# Browser tests drive Debian's Chromium; Playwright cannot download one here.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	}

# The proxy configuration test runs deploy/nginx.conf in Debian's nginx.
nginx:
	@test -x /usr/sbin/nginx || { \
		echo "Installing Debian's nginx-light for the proxy tests and benchmark"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; \
	}

wrk:
	@command -v wrk >/dev/null 2>&1 || { \
		echo "Installing Debian's wrk for the benchmark"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	}

## test: the whole suite, then statuscore's tests again without Wagtail.
test: install browser nginx
	$(BIN)/pytest
	$(BIN)/pytest -p no:cacheprovider --ds=statussite.settings.core tests/statuscore

bench: install
	$(BIN)/python -m bench

## bench-monitoring: run the monitor on CHECKS HTTP checks for SECONDS seconds.
CHECKS ?= 2000
SECONDS ?= 65
bench-monitoring: install
	$(BIN)/python -m bench.monitoring --checks $(CHECKS) --seconds $(SECONDS)

## bench-history: public reads over long history; BENCH_DATABASE_URL=postgres://... uses PostgreSQL.
bench-history: install
	$(BIN)/python -m bench.history $(if $(BENCH_DATABASE_URL),--database-url $(BENCH_DATABASE_URL))

## bench-notifications: fan out one incident update to SUBSCRIBERS email subscribers and send SEND of them.
SUBSCRIBERS ?= 100000
SEND ?= 3000
bench-notifications: install
	$(BIN)/python -m bench.notifications --subscribers $(SUBSCRIBERS) --send $(SEND) $(if $(BENCH_DATABASE_URL),--database-url $(BENCH_DATABASE_URL))

## bench-public: requests/s of the public page over HTTP: embedded servers against nginx.
bench-public: install nginx wrk
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m bench.public

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) var build *.egg-info
