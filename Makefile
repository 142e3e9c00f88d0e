# The two commands the README promises: `make run` and `make test`. CI (.ci/run) calls `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
DEBIAN_PACKAGES := chromium fonts-noto-cjk fonts-wqy-microhei poppler-utils libreoffice-calc-nogui
export PYTHONPATH := $(CURDIR)

.PHONY: run test install system-packages migrate demo bench clean

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "需要 $(PYTHON)（Python 3.11）"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $@

# Debian packages: Chromium for the browser tests, CJK fonts for pages and PDFs.
# Installed when running as root; otherwise say what is missing.
system-packages:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = "0" ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
		else echo "请以 root 安装：apt-get install$$missing"; fi; \
	fi

install: $(VENV)/.installed system-packages

migrate: install
	$(PY) manage.py migrate --noinput -v0

demo: migrate
	$(PY) manage.py load_demo
	$(PY) manage.py render_pdfs --missing
	$(PY) manage.py rebuild_search_index

run: demo
	$(PY) manage.py runserver 127.0.0.1:8000

test: install
	$(PY) manage.py check
	$(PY) -m pytest -q -n auto

bench: migrate
	$(PY) bench/import_and_render.py
	$(PY) bench/pdf_import.py
	$(PY) bench/secrecy_scan.py

clean:
	rm -rf $(VENV) db.sqlite3 media
