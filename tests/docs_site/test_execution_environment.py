"""The collection in an execution environment, as far as a machine without a container runtime can go.

* ``ansible-builder introspect`` on the installed tarball reports exactly the Python packages the modules
  import (requests) and the system packages of bindep.txt: nothing test-only, nothing missing.
* ``ansible-builder create`` turns both documented EE definitions (docs/awx/) into a build context: the
  Galaxy one names the collection, the tarball one carries the tarball, and that context's own galaxy and
  introspection stages (run here, from the context, in the directories the Containerfile uses) install the
  collection and find requests.
"""

import ast
import importlib.metadata
import os
import shutil
import subprocess
import sys

import pytest
import yaml
from packaging.requirements import Requirement

from support.ansible_runs import BIN, REPO, install_collection

AWX_DOCS = os.path.join(REPO, "docs", "awx")


def tool(name, *args):
    run = subprocess.run([os.path.join(BIN, name)] + [str(a) for a in args], capture_output=True, text=True,
                         timeout=300, check=False)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return run


def requirement_lines(path):
    """The requirement lines of a pip or bindep file, without comments (ansible-builder appends its own)."""
    with open(path, encoding="utf-8") as f:
        lines = [line.split("#", 1)[0].strip() for line in f]
    return [line for line in lines if line]


def imported_distributions():
    """The distributions that the code under plugins/ imports, beyond the standard library and Ansible."""
    names = set()
    for root, _dirs, files in os.walk(os.path.join(REPO, "plugins")):
        for name in files:
            if not name.endswith(".py"):
                continue
            with open(os.path.join(root, name), encoding="utf-8") as f:
                tree = ast.parse(f.read())
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names.add(node.module.split(".")[0])
    third_party = names - set(sys.stdlib_module_names) - {"__future__", "ansible", "ansible_collections"}
    packages = importlib.metadata.packages_distributions()
    return {dist.lower() for module in third_party for dist in packages.get(module, [module])}


@pytest.fixture(scope="module")
def installed(collection_tarball, tmp_path_factory):
    """The tarball installed with ansible-galaxy: ``<dir>/ansible_collections/cloudjobs/cleanup``."""
    return install_collection(tmp_path_factory.mktemp("installed"), collection_tarball)


# Runtime dependencies the modules never import: the time-zone database Python's zoneinfo reads for Workspace's
# filters.expired when the system has none.
DATA_PACKAGES = {"tzdata"}


def test_the_modules_import_only_requests_beyond_ansible_and_the_standard_library():
    assert imported_distributions() == {"requests"}


def test_introspect_reports_exactly_the_runtime_dependencies(installed, tmp_path):
    pip, bindep = tmp_path / "requirements.txt", tmp_path / "bindep.txt"
    tool("ansible-builder", "introspect", installed, "--write-pip", pip, "--write-bindep", bindep)

    reported = requirement_lines(pip)
    assert reported == requirement_lines(os.path.join(REPO, "requirements.txt"))
    assert {Requirement(line).name.lower() for line in reported} == imported_distributions() | DATA_PACKAGES
    assert requirement_lines(bindep) == requirement_lines(os.path.join(REPO, "bindep.txt"))
    # Every line is attributed to this collection, and nothing of requirements-dev.txt leaked in.
    with open(pip, encoding="utf-8") as f:
        assert all(line.rstrip().endswith("# from collection cloudjobs.cleanup") for line in f if line.strip())
    dev_only = {Requirement(line).name.lower() for line in requirement_lines(os.path.join(REPO, "requirements-dev.txt"))
                if not line.startswith("-r")}
    assert not dev_only & {Requirement(line).name.lower() for line in reported}


def create_context(definition, tmp_path):
    """``ansible-builder create`` for ``definition``; returns the context directory."""
    context = tmp_path / "context"
    tool("ansible-builder", "create", "-f", definition, "-c", context, "--output-filename", "Containerfile")
    return context


def base_image(definition):
    with open(definition, encoding="utf-8") as f:
        return yaml.safe_load(f)["images"]["base_image"]["name"]


def test_create_from_the_galaxy_definition(tmp_path):
    definition = os.path.join(AWX_DOCS, "execution-environment.yml")
    context = create_context(definition, tmp_path)

    containerfile = (context / "Containerfile").read_text(encoding="utf-8")
    assert 'ARG EE_BASE_IMAGE="%s"' % base_image(definition) in containerfile
    assert "ansible-galaxy collection install" in containerfile and "-r requirements.yml" in containerfile
    assert "introspect.py introspect" in containerfile   # the collection's own requirements are added at build time
    with open(context / "_build" / "requirements.yml", encoding="utf-8") as f:
        requirements = yaml.safe_load(f)
    assert [c["name"] for c in requirements["collections"]] == ["cloudjobs.cleanup"]


def test_create_from_the_tarball_definition_builds_a_context_that_installs_the_collection(collection_tarball, tmp_path):
    source = tmp_path / "ee"
    source.mkdir()
    definition = source / "execution-environment-tarball.yml"
    shutil.copy(os.path.join(AWX_DOCS, definition.name), definition)
    # The definition names the tarball of the version being released.
    with open(definition, encoding="utf-8") as f:
        wanted = yaml.safe_load(f)["additional_build_files"][0]["src"]
    assert wanted == collection_tarball.name
    shutil.copy(collection_tarball, source / wanted)

    context = create_context(definition, tmp_path)
    build = context / "_build"
    assert (build / "collections" / collection_tarball.name).read_bytes() == collection_tarball.read_bytes()
    containerfile = (context / "Containerfile").read_text(encoding="utf-8")
    assert "COPY _build /build\nWORKDIR /build" in containerfile

    # The galaxy stage, as the Containerfile runs it: in the context's _build/, from its requirements.yml.
    collections = tmp_path / "usr-share-ansible-collections"
    install_collection(collections, "-r", "requirements.yml", cwd=build)
    assert (collections / "ansible_collections" / "cloudjobs" / "cleanup" / "MANIFEST.json").is_file()

    # The builder stage: the context's own introspection script over what the galaxy stage installed.
    pip = tmp_path / "requirements.txt"
    run = subprocess.run([sys.executable, str(build / "scripts" / "introspect.py"), "introspect", str(collections),
                          "--write-pip", str(pip), "--write-bindep", str(tmp_path / "bindep.txt")],
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert requirement_lines(pip) == requirement_lines(os.path.join(REPO, "requirements.txt"))
