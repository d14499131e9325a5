"""The Ansible community package's collection requirements (the "inclusion checklist"), every point this collection
can check offline, checked rather than claimed:

* documents: licence (COPYING, GPL-3.0-or-later in galaxy.yml), README, CONTRIBUTING.md, CODE_OF_CONDUCT.md (the
  Ansible code of conduct by reference), SECURITY.md, a generated CHANGELOG.md with a section for the current
  version, and the README's release, versioning and deprecation policy;
* versions: galaxy.yml's version is semantic and 1.0.0 or later; galaxy.yml names a public issue tracker and the
  repository; meta/runtime.yml's requires_ansible, the oldest and newest ansible-core of sanity
  (tests/sanity/versions.txt) and of the smoke test, and the README agree;
* sanity: no ignore file for any ansible-core (zero ignore entries);
* documentation: every module documents the check_mode and diff_mode attributes (ansible-doc, as users and Galaxy
  read it); the _info modules support check mode fully (and say so) and change nothing;
* the changelog lints (antsibull-changelog lint).

What cannot be checked offline (publishing to Galaxy, the tracker being public, CI on the Ansible side) is in the
1.0.0 release's closing note.
"""

import ast
import glob
import json
import os
import re
import subprocess
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BIN = os.path.dirname(sys.executable)
MODULES = sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(REPO, "plugins", "modules", "*.py")))


def read(path):
    with open(os.path.join(REPO, path), encoding="utf-8") as f:
        return f.read()


def documentation(module):
    tree = ast.parse(read(os.path.join("plugins", "modules", module + ".py")))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "DOCUMENTATION":
            return yaml.safe_load(node.value.value)
    raise AssertionError(module + " has no DOCUMENTATION")


def galaxy():
    return yaml.safe_load(read("galaxy.yml"))


def as_tuple(version):
    return tuple(int(part) for part in version.split("."))


def sanity_versions():
    rows = [line.split() for line in read("tests/sanity/versions.txt").splitlines()
            if line.strip() and not line.lstrip().startswith("#")]
    return [tuple(row) for row in rows]


def test_the_documents_the_checklist_asks_for_are_there_and_say_what_they_must():
    for name in ("README.md", "COPYING", "CONTRIBUTING.md", "CODE_OF_CONDUCT.md", "SECURITY.md", "CHANGELOG.md"):
        assert os.path.isfile(os.path.join(REPO, name)), name
    assert "GNU GENERAL PUBLIC LICENSE" in read("COPYING") and "Version 3" in read("COPYING")
    assert galaxy()["license"] == ["GPL-3.0-or-later"]
    assert "docs.ansible.com/ansible/latest/community/code_of_conduct.html" in read("CODE_OF_CONDUCT.md")
    security = read("SECURITY.md")
    assert "privately" in security and "do **not** open a public issue" in security
    contributing = read("CONTRIBUTING.md")
    for needed in ("make demo", "make test", ".ci/dev pytest", "emulator", "changelogs/fragments", "Adding a service"):
        assert needed in contributing, needed


def test_the_readme_states_the_release_versioning_and_deprecation_policy():
    readme = read("README.md")
    policy = readme.split("## Releases, versions and deprecation", 1)[1].split("\n## ", 1)[0]
    for needed in ("Semantic versioning", "removed_in_version", "Deprecated Features", "CHANGELOG.md",
                   "make release VERSION=x.y.z", "end of life"):
        assert needed in policy, needed
    for document in ("CONTRIBUTING.md", "CODE_OF_CONDUCT.md", "SECURITY.md"):
        assert "(%s)" % document in readme, document


def test_the_version_is_semantic_and_stable_and_the_changelog_has_it():
    version = galaxy()["version"]
    assert re.fullmatch(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)", version), version
    assert as_tuple(version) >= (1, 0, 0), "a collection in the Ansible package is 1.0.0 or later"
    changelog = read("CHANGELOG.md")
    heading = r"\\?\.".join(re.escape(part) for part in version.split("."))  # antsibull writes v1\.0\.0
    found = re.search(r"^## v%s$" % heading, changelog, re.M)
    assert found, "CHANGELOG.md has no section for " + version
    section = changelog[found.end():].split("\n## ", 1)[0]
    added = [m for m in MODULES if str(documentation(m).get("version_added")) == version]
    for module in added:  # a module new in this version is listed as new (antsibull writes mrs\_job\_executions)
        listed = re.search(r"\b%s\b" % re.escape(module).replace("_", r"\\?_"), section)
        assert "### New Modules" in section and listed, module
    releases = yaml.safe_load(read("changelogs/changelog.yaml"))["releases"]
    assert version in releases and releases[version]["changes"].get("release_summary")


def test_galaxy_names_a_public_tracker_and_the_repository():
    meta = galaxy()
    for key in ("repository", "issues", "documentation"):
        assert str(meta.get(key, "")).startswith("https://"), key
    assert meta["issues"].rstrip("/").endswith("/issues")


def test_the_supported_range_agrees_everywhere():
    claimed = re.fullmatch(r"\s*>=\s*(\d+\.\d+)(?:\.0)?\s*", yaml.safe_load(read("meta/runtime.yml"))["requires_ansible"])
    assert claimed, "requires_ansible is a plain lower bound"
    cores = [core for core, _python in sanity_versions()]
    assert cores[0] == claimed.group(1), "sanity's oldest ansible-core is the oldest claimed"
    assert cores == sorted(cores, key=as_tuple) and len(set(cores)) == len(cores)
    minors = [as_tuple(core)[1] for core in cores]
    assert minors == list(range(minors[0], minors[-1] + 1)), "sanity-all runs every release of the range"
    smoke = {line.split()[0]: line.split()[1] for line in read("tests/smoke/versions.txt").splitlines()
             if line.strip() and not line.lstrip().startswith("#")}
    assert (smoke["oldest"], smoke["newest"]) == (cores[0], cores[-1])
    readme = read("README.md")
    assert "ansible-core %s or newer" % cores[0] in readme
    assert "ansible-core from %s (`requires_ansible` in `meta/runtime.yml`) to %s, the newest" % (cores[0], cores[-1]) \
        in readme


def test_no_sanity_ignore_file_exists_for_any_version():
    assert glob.glob(os.path.join(REPO, "tests", "sanity", "ignore-*.txt")) == []


def test_every_module_documents_check_and_diff_mode_and_the_info_modules_support_check_mode():
    done = subprocess.run([os.path.join(BIN, "ansible-doc"), "--json", "-t", "module"]
                          + ["cloudjobs.cleanup." + m for m in MODULES],
                          capture_output=True, text=True, check=True, timeout=300)
    docs = json.loads(done.stdout)
    assert sorted(docs) == ["cloudjobs.cleanup." + m for m in MODULES]
    for name, doc in docs.items():
        attributes = doc["doc"]["attributes"]
        assert {"check_mode", "diff_mode"} <= set(attributes), name
        if name.endswith("_info"):
            assert attributes["check_mode"]["support"] == "full" and attributes["diff_mode"]["support"] == "N/A", name
    for module in MODULES:
        tree = ast.parse(read(os.path.join("plugins", "modules", module + ".py")))
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", None) == "AnsibleModule"]
        assert len(calls) == 1, module
        check_mode = [k.value.value for k in calls[0].keywords if k.arg == "supports_check_mode"]
        assert check_mode == [True], module


def test_the_changelog_lints():
    done = subprocess.run([os.path.join(BIN, "antsibull-changelog"), "lint"], cwd=REPO, capture_output=True,
                          text=True, check=False, timeout=300)
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr
