"""Set the collection's version everywhere it is written, for `make release`.

    python tests/release/set_version.py 0.1.0 1.0.0

galaxy.yml's ``version``, ``COLLECTION_VERSION`` (plugins/module_utils/_version.py, sent in the User-Agent), and in
the README and the AWX files the tarball's name (``cloudjobs-cleanup-X.tar.gz``), the execution environment's tag
(``cloudjobs-cleanup-ee:X``) and the requirement ``">=X"``. Tests keep each of them equal to galaxy.yml's version
(tests/unit/test_version.py, tests/docs_site/test_execution_environment.py). Exit 1 if galaxy.yml or _version.py could not
be set.
"""

import glob
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MENTIONS = ["README.md"] + sorted(glob.glob(os.path.join(ROOT, "docs", "awx", "*.yml"))) \
    + sorted(glob.glob(os.path.join(ROOT, "docs", "docsite", "rst", "*.rst")))


def edit(path, pairs):
    path = os.path.join(ROOT, path)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    changed = text
    for pattern, replacement in pairs:
        changed = re.sub(pattern, replacement, changed, flags=re.M)
    if changed != text:
        with open(path, "w", encoding="utf-8") as f:
            f.write(changed)
    return changed != text


def main(current, new):
    old = re.escape(current)
    done = [edit("galaxy.yml", [(r"^version: %s$" % old, "version: %s" % new)]),
            edit(os.path.join("plugins", "module_utils", "_version.py"),
                 [(r'^COLLECTION_VERSION = "%s"' % old, 'COLLECTION_VERSION = "%s"' % new)])]
    if not all(done):
        sys.exit("could not set the version %s in galaxy.yml and _version.py (is %s the current one?)" % (new, current))
    mentions = [(r"cloudjobs-cleanup-%s\.tar\.gz" % old, "cloudjobs-cleanup-%s.tar.gz" % new),
                (r"cloudjobs-cleanup-ee:%s\b" % old, "cloudjobs-cleanup-ee:%s" % new),
                (r'">=%s"' % old, '">=%s"' % new)]
    changed = [os.path.relpath(p, ROOT) for p in MENTIONS if edit(p, mentions)]
    print("version %s -> %s: galaxy.yml, plugins/module_utils/_version.py%s" % (
        current, new, "".join(", " + p for p in changed)))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: set_version.py CURRENT NEW")
    main(sys.argv[1], sys.argv[2])
