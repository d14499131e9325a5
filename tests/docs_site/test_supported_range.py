"""The supported range, stated once and kept in step: tests/smoke/versions.txt (the ansible-core versions and
Pythons `make smoke` runs), meta/runtime.yml (requires_ansible), tests/config.yml (python_requires), the README's
"Tested with" line, and the pins requirements-demo.txt shares with requirements-dev.txt. Plain file reading."""

import os
import re

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def read(path):
    with open(os.path.join(REPO, path), encoding="utf-8") as f:
        return f.read()


def smoke_versions():
    rows = {}
    for line in read("tests/smoke/versions.txt").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, core, python, modules = line.split()
            rows[name] = {"core": core, "python": python, "modules": modules}
    return rows


def lower_bound(spec):
    match = re.fullmatch(r"\s*>=\s*(\d+)\.(\d+)(?:\.(\d+))?\s*", spec)
    assert match, "expected a plain '>=X.Y[.Z]' lower bound, got %r" % spec
    return "%s.%s" % match.group(1, 2), match.group(3)


def as_tuple(version):
    return tuple(int(part) for part in version.split("."))


def test_smoke_runs_the_oldest_claimed_and_a_newer_ansible_core():
    rows = smoke_versions()
    assert sorted(rows) == ["newest", "oldest"]
    claimed, patch = lower_bound(yaml.safe_load(read("meta/runtime.yml"))["requires_ansible"])
    assert patch in (None, "0"), "requires_ansible names a patch release; the smoke step runs a series' newest patch"
    assert rows["oldest"]["core"] == claimed
    assert as_tuple(rows["newest"]["core"]) > as_tuple(rows["oldest"]["core"])


def test_smoke_runs_the_modules_on_the_oldest_python_they_claim():
    claimed, _patch = lower_bound(yaml.safe_load(read("tests/config.yml"))["modules"]["python_requires"])
    rows = smoke_versions()
    assert rows["oldest"]["modules"] == claimed
    assert all(as_tuple(row["modules"]) >= as_tuple(claimed) for row in rows.values())


def test_readme_states_the_tested_range():
    rows = smoke_versions()
    readme = read("README.md")
    lines = [line for line in readme.splitlines() if line.startswith("Tested with")]
    assert len(lines) == 1, "one 'Tested with' line in README.md"
    line = lines[0]
    for row in rows.values():
        assert "ansible-core %s on Python %s" % (row["core"], row["python"]) in line, line
    assert "modules on Python %s" % rows["oldest"]["modules"] in line, line
    python_min = rows["oldest"]["modules"]
    assert "**Python %s or newer**" % python_min in readme
    assert "ansible-core %s or newer" % rows["oldest"]["core"] in readme


def pins(path):
    """{name: specifier} of a requirements file and of the files it includes with -r (relative to it)."""
    result = {}
    for line in read(path).splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r"):
            result.update(pins(os.path.normpath(os.path.join(os.path.dirname(path), line[2:].strip()))))
            continue
        match = re.match(r"([A-Za-z0-9_.-]+)\s*([<>=!~].*)?$", line)
        if match:
            result[match.group(1).lower()] = (match.group(2) or "").replace(" ", "")
    return result


def test_the_demo_environment_uses_the_pins_of_the_dev_environment():
    demo, dev = pins("requirements-demo.txt"), pins("requirements-dev.txt")
    # ansible-core, the modules' runtime dependencies and the SDKs the emulator verifies signatures with
    assert {"ansible-core", "requests", "tzdata", "huaweicloudsdkcore", "tencentcloud-sdk-python-common"} <= set(demo)
    for name, spec in demo.items():
        assert dev.get(name) == spec, "%s: %r in requirements-demo.txt, %r in requirements-dev.txt" % (name, spec, dev.get(name))
    # and none of the test tools
    assert not {"ansible-lint", "sphinx", "ansible-builder", "ansible-runner", "pytest"} & set(demo)
