# The two commands a newcomer needs: `make demo` and `make test`. Everything else is a single step of `make test`.
DEV := .ci/dev

.PHONY: demo docs bench test check setup pytest sanity sanity-range sanity-all importer units integration smoke lint docs-lint \
	changelog-lint build release clean help

help:
	@echo "make demo            start the emulator with demo data, run the example cleanup in check mode, for real"
	@echo "                     and again, stop it (its own light .venv-demo from requirements-demo.txt)"
	@echo "make test            everything CI runs (creates .venv on first use)"
	@echo "make check           the quick inner loop, about a minute: pep8 and pylint, the unit tests, ansible-lint and"
	@echo "                     one end-to-end run (the nightly playbook: check mode, delete, re-run)"
	@echo "make docs            build the HTML docs site (modules and guides) into docs/_build/html"
	@echo "make bench           benchmarks against the do-it-yourself baselines; writes docs/benchmarks.md"
	@echo "make setup           create or refresh .venv from requirements-dev.txt"
	@echo "make sanity-all      ansible-test sanity with every supported ansible-core (tests/sanity/versions.txt)"
	@echo "make release VERSION=x.y.z   changelog, version, tarball, importer, sanity-all, install check, SHA-256"
	@echo "make pytest|sanity|sanity-range|importer|units|integration|smoke|lint|docs-lint|changelog-lint|build   one step"

# Each test runs once: `pytest` runs the signer, emulator, docs and end-to-end tests (pytest.ini testpaths),
# `units` runs tests/unit with ansible-test, in the ansible_collections layout. pytest runs first, then the other steps
# in two lanes at once (TEST_LANES in .ci/dev); the time of every step is printed at the end.
test: setup
	@$(DEV) test

# The inner loop: what most changes break first, in about a minute. `make test` is still what CI runs.
check: setup
	@echo "=== pep8 and pylint";  $(DEV) sanity --test pep8 --test pylint
	@echo "=== unit tests";       $(DEV) pytest tests/unit -q
	@echo "=== ansible-lint";     $(DEV) lint
	@echo "=== one end-to-end run"; $(DEV) pytest tests/e2e/test_shipped_playbooks.py -n 0 -q \
		-k test_check_mode_by_default_then_deletes_the_selection_then_changes_nothing
	@echo "=== check passed (make test runs everything)"

# The demo does not need the test tools: .ci/dev builds .venv-demo from requirements-demo.txt on first use.
demo:
	@$(DEV) demo

bench: setup
	@$(DEV) bench

setup:
	@$(DEV) setup

pytest sanity sanity-range sanity-all importer units integration smoke lint build:
	$(DEV) $@

# make release VERSION=x.y.z: see .ci/release (refuses a dirty tree or a version that is not greater).
release: setup
	@test -n "$(VERSION)" || { echo "usage: make release VERSION=x.y.z" >&2; exit 2; }
	@.ci/release "$(VERSION)"

docs: setup
	@$(DEV) docs

docs-lint:
	$(DEV) docs-lint

changelog-lint:
	$(DEV) changelog

clean:
	rm -rf .cache .pytest_cache .hypothesis tests/output .ansible
