# Muralist: `make run` starts a local node, `make test` runs the whole suite.
# Both create .venv and install what is missing first.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PIP_QUIET := --quiet --disable-pip-version-check
# Every version, with the hashes of its files, that CI tested: pyproject.toml's dependencies
# and its test extra. `make lock` writes it; editing either file reinstalls.
LOCK := requirements.lock
# The interop peers (bovine-herd, fediverse-pasture) pin other versions of cryptography and
# aiosqlite than ours, so they live in a virtualenv of their own that the tests start them from,
# installed from a lock file of their own (after changing INTEROP_PACKAGES, run `make lock`).
INTEROP_VENV := .venv-interop
INTEROP_PACKAGES := bovine-herd==0.5.19 fediverse-pasture==0.2.25
INTEROP_LOCK := requirements-interop.lock
INTEROP_STAMP := $(INTEROP_VENV)/.installed-stamp
# The `diffusion` extra (the diffusers generator, and its tests) has a lock of its own without
# torch: the torch that PyPI offers for Linux is a CUDA build of several GB with nvidia-* wheels,
# while this machine's pip finds a CPU build, torch==2.13.0, among local files, whose hash no
# lock compiled from PyPI would hold. So torch is pinned here and installed first, on its own.
DIFFUSION_LOCK := requirements-diffusion.lock
DIFFUSION_STAMP := $(VENV)/.diffusion-stamp
TORCH := torch==2.13.0
# `make lock` runs uv from a throwaway virtualenv; LOCK_FLAGS=--upgrade moves every pin to the
# newest release in range (without it, pins stay where they are unless a range excludes them).
LOCK_TOOL := /tmp/muralist-lock-tool
LOCK_FLAGS ?=

# Local-only defaults for `make run`; any of them can be overridden from the environment.
MURALIST_SCHEME ?= http
MURALIST_DOMAIN ?= 127.0.0.1:8080
MURALIST_BIND ?= 127.0.0.1:8080
MURALIST_DATABASE_URL ?= sqlite+aiosqlite:///data/muralist.db
MURALIST_MEDIA_DIR ?= data/media
MURALIST_ALLOW_PRIVATE_ADDRESSES ?= true
MURALIST_TEST_POSTGRES_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/test

.PHONY: run test install install-diffusion lock clean chromium

install: $(STAMP)

$(STAMP): pyproject.toml $(LOCK)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install $(PIP_QUIET) --require-hashes -r $(LOCK)
	$(PY) -m pip install $(PIP_QUIET) --no-deps -e .
	@touch $(STAMP)

install-diffusion: $(DIFFUSION_STAMP)

$(DIFFUSION_STAMP): $(STAMP) $(DIFFUSION_LOCK)
	$(PY) -m pip install $(PIP_QUIET) $(TORCH)
	$(PY) -m pip install $(PIP_QUIET) --require-hashes -r $(DIFFUSION_LOCK)
	@touch $(DIFFUSION_STAMP)

$(INTEROP_STAMP): $(INTEROP_LOCK)
	@test -x $(INTEROP_VENV)/bin/python || $(PYTHON) -m venv $(INTEROP_VENV)
	$(INTEROP_VENV)/bin/pip install $(PIP_QUIET) --require-hashes -r $(INTEROP_LOCK)
	@touch $(INTEROP_STAMP)

lock:
	@test -x $(LOCK_TOOL)/bin/uv || { $(PYTHON) -m venv $(LOCK_TOOL) && $(LOCK_TOOL)/bin/pip install $(PIP_QUIET) uv; }
	$(LOCK_TOOL)/bin/uv pip compile --quiet $(LOCK_FLAGS) --generate-hashes --python $(PYTHON) \
		--custom-compile-command "make lock" --extra test pyproject.toml -o $(LOCK)
	$(PYTHON) -c "import tomllib; extra = tomllib.load(open('pyproject.toml', 'rb'))['project']['optional-dependencies']['diffusion']; print('\n'.join(r for r in extra if not r.startswith('torch')))" \
		| $(LOCK_TOOL)/bin/uv pip compile --quiet $(LOCK_FLAGS) --generate-hashes --python $(PYTHON) \
		--custom-compile-command "make lock" -c $(LOCK) - -o $(DIFFUSION_LOCK)
	printf '%s\n' $(INTEROP_PACKAGES) | $(LOCK_TOOL)/bin/uv pip compile --quiet $(LOCK_FLAGS) \
		--generate-hashes --python $(PYTHON) --custom-compile-command "make lock" - -o $(INTEROP_LOCK)

run: $(STAMP)
	@echo "Open $(MURALIST_SCHEME)://$(MURALIST_DOMAIN)/ in a browser to sign up, make images and post them."
	MURALIST_SCHEME=$(MURALIST_SCHEME) MURALIST_DOMAIN=$(MURALIST_DOMAIN) \
	MURALIST_BIND=$(MURALIST_BIND) MURALIST_DATABASE_URL=$(MURALIST_DATABASE_URL) \
	MURALIST_MEDIA_DIR=$(MURALIST_MEDIA_DIR) \
	MURALIST_ALLOW_PRIVATE_ADDRESSES=$(MURALIST_ALLOW_PRIVATE_ADDRESSES) \
	$(VENV)/bin/muralist serve

# The browser tests (tests/web) drive Debian's Chromium through Playwright: Playwright's own
# browser downloads cannot be reached from here, so the distribution's package is installed
# once, and skipped when it is there already.
chromium:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; }

# The suite runs twice: on SQLite, then on the PostgreSQL server of this machine.
# If PostgreSQL is not reachable the second run fails and says so.
# The two runs are alike but for the database and each keeps one core busy, so they run side
# by side, each into a log of its own under build/; the end of each log is printed, and the
# target fails if either run failed.
test: $(STAMP) $(INTEROP_STAMP) $(DIFFUSION_STAMP) chromium
	@mkdir -p build
	@echo "== test suite on SQLite (build/test-sqlite.log) and on PostgreSQL ($(MURALIST_TEST_POSTGRES_URL), build/test-postgresql.log), side by side =="
	@env -u MURALIST_TEST_DATABASE_URL $(PY) -m pytest -q -p no:cacheprovider > build/test-sqlite.log 2>&1 & lite=$$!; \
	MURALIST_TEST_DATABASE_URL=$(MURALIST_TEST_POSTGRES_URL) $(PY) -m pytest -q -p no:cacheprovider > build/test-postgresql.log 2>&1; pg=$$?; \
	wait $$lite; sqlite=$$?; \
	echo "== SQLite =="; tail -n 40 build/test-sqlite.log; \
	echo "== PostgreSQL =="; tail -n 40 build/test-postgresql.log; \
	test $$sqlite -eq 0 && test $$pg -eq 0

clean:
	rm -rf $(VENV) $(INTEROP_VENV) *.egg-info .pytest_cache
