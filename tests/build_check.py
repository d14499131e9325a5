"""Check a built collection tarball against the allow-list of what it may hold at the top level.

    python tests/build_check.py dist/cloudjobs-cleanup-*.tar.gz

`make build` (.ci/dev build_and_install) runs this on the tarball it builds; tests/e2e/test_first_week.py runs
it on a tarball built from a tree full of stray folders and on hand-made bad ones. An allow-list, not a
deny-list: whatever a working tree holds that build_ignore (galaxy.yml) does not cover fails the build,
whatever its name. Exit 0 when the tarball is clean, 1 (one line per stray path) when it is not, 2 on bad usage.
"""

import sys
import tarfile

# Every top-level path of a clean build today. ansible-galaxy writes MANIFEST.json and FILES.json and leaves
# galaxy.yml out (MANIFEST.json carries its data). A new top-level file or folder that belongs in the
# collection is added here, on purpose.
ALLOWED_FILES = frozenset({
    "MANIFEST.json",
    "FILES.json",
    "README.md",
    "COPYING",
    "bindep.txt",         # system packages, for ansible-builder
    "requirements.txt",   # the modules' Python dependencies, for ansible-builder
    "requirements-dev.txt",
})
ALLOWED_DIRS = frozenset({
    "changelogs",
    "docs",
    "meta",
    "playbooks",
    "plugins",
    "tests",
})
REQUIRED = ("MANIFEST.json", "FILES.json")

# Build output and caches that have no place anywhere in the tree, below an allowed folder included.
NESTED_STRAYS = ("__pycache__", ".pytest_cache", ".hypothesis", ".mypy_cache", ".ruff_cache", ".tox", ".venv",
                 ".ansible", ".cache", ".git")
NESTED_PATHS = ("docs/_build", "tests/output")


def _paths(names):
    for raw in names:
        name = (raw[2:] if raw.startswith("./") else raw).rstrip("/")
        if name and name != ".":
            yield name


def _nested_stray(name):
    """The leading part of ``name`` that is build output or a cache (``plugins/x/__pycache__``), or None."""
    parts = name.split("/")
    for i, part in enumerate(parts):
        if part in NESTED_STRAYS:
            return "/".join(parts[:i + 1])
    for prefix in NESTED_PATHS:
        if name == prefix or name.startswith(prefix + "/"):
            return prefix
    if name.endswith((".pyc", ".pyo", ".swp", "~")):
        return name
    return None


def problems(names):
    """Why the tarball members ``names`` (paths as tar lists them) are not a clean build: one line per stray
    top-level entry or nested cache, with how many paths it brought in; empty when clean."""
    members = set(_paths(names))
    tops = {}
    nested = {}
    for name in sorted(members):
        top, sep, _rest = name.partition("/")
        if (sep and top not in ALLOWED_DIRS) or (not sep and top not in ALLOWED_FILES | ALLOWED_DIRS):
            tops[top] = tops.get(top, 0) + 1
            continue
        where = _nested_stray(name)
        if where is not None:
            nested[where] = nested.get(where, 0) + 1
    found = ["%s: top-level entry not in the allow-list (%d path%s)" % (top, n, "" if n == 1 else "s")
             for top, n in sorted(tops.items())]
    found += ["%s: build output or a cache (%d path%s)" % (where, n, "" if n == 1 else "s")
              for where, n in sorted(nested.items())]
    found += ["%s: missing (not a collection artifact?)" % name for name in REQUIRED if name not in members]
    return found


def strays(names):
    """The distinct top-level entries of ``names`` that the allow-list does not admit."""
    tops = set()
    for name in _paths(names):
        top, sep, _rest = name.partition("/")
        if (sep and top not in ALLOWED_DIRS) or (not sep and top not in ALLOWED_FILES | ALLOWED_DIRS):
            tops.add(top)
    return sorted(tops)


def check(path):
    """The problems of the tarball at ``path`` (empty: clean)."""
    with tarfile.open(path, "r:gz") as tar:
        return problems(tar.getnames())


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.stderr.write("usage: python tests/build_check.py <collection tarball>\n")
        return 2
    try:
        found = check(args[0])
    except (OSError, tarfile.TarError) as exc:
        sys.stderr.write("%s: cannot read the tarball: %s\n" % (args[0], exc))
        return 2
    if found:
        for line in found:
            sys.stderr.write("%s: %s\n" % (args[0], line))
        sys.stderr.write("%s: not a clean build: extend build_ignore in galaxy.yml, or the allow-list in "
                         "tests/build_check.py if the path belongs in the collection\n" % args[0])
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
