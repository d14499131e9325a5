"""The first week of a new user.

A clean tarball: a tree holding what working trees hold (virtual environments, tool caches, editor folders,
build output) builds the same tarball as the committed tree, and the allow-list check that `make build` runs
(tests/build_check.py) refuses a tarball with a stray top-level entry. Plain messages: a Tencent region the
service does not serve fails the task with UnsupportedRegion and the region named, and nothing is deleted; the
README's ad-hoc examples run `--check` first, and run as written.
"""

import os
import re
import shlex
import shutil
import subprocess
import sys
import tarfile

import pytest

import build_check  # tests/ is on sys.path (tests/conftest.py)
from support.ansible_runs import (
    BIN,
    HUAWEI_AK,
    HUAWEI_REGION,
    HUAWEI_SK,
    PROJECT,
    REPO,
    TENCENT_ID,
    TENCENT_KEY,
    ad_hoc_result,
    ansible_env,
    huawei_auth,
    mutating_requests,
    run_ad_hoc,
    tencent_auth,
)

# What working trees hold besides the collection (relative path -> content of one file in it).
STRAYS = {
    "venv/bin/python": "#!/bin/sh\n",
    "venv/lib/python3.11/site-packages/requests/__init__.py": "",
    ".venv/pyvenv.cfg": "home = /usr/bin\n",
    ".venv-demo/pyvenv.cfg": "home = /usr/bin\n",
    ".tox/py311/pyvenv.cfg": "home = /usr/bin\n",
    ".ruff_cache/0.6.0/123": "x",
    ".mypy_cache/3.11/plugins.data.json": "{}",
    ".pytest_cache/v/cache/lastfailed": "{}",
    ".hypothesis/examples/abc": "x",
    "tests/unit/.pytest_cache/v/cache/nodeids": "[]",
    "dist/cloudjobs-cleanup-0.0.9.tar.gz": "not a tarball",
    "dist/cloudjobs_cleanup-0.0.9-py3-none-any.whl": "x",
    "build/lib/x.py": "",
    ".idea/workspace.xml": "<project/>",
    ".vscode/settings.json": "{}",
    "plugins/modules/.tencent_batch_job.py.swp": "x",
    "README.md~": "x",
    "docs/_build/html/index.html": "<html></html>",
    "plugins/modules/__pycache__/tencent_batch_job.cpython-311.pyc": "x",
    "plugins/module_utils/_tencent.pyc": "x",
    "tests/output/junit/python3.11-units.xml": "<testsuites/>",
    ".cache/collections/x": "x",
    ".ansible/collections/x": "x",
}
STRAY_TOP = {"venv", ".venv", ".venv-demo", ".tox", ".ruff_cache", ".mypy_cache", ".pytest_cache", ".hypothesis", "dist", "build",
             ".idea", ".vscode", "README.md~", ".cache", ".ansible"}


def copy_committed_tree(target):
    """The files git tracks, as the working tree has them (a file deleted but not yet committed is skipped)."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    for name in listed.decode().split("\0"):
        source = os.path.join(REPO, name)
        if not name or not os.path.isfile(source) or os.path.islink(source):
            continue
        os.makedirs(os.path.join(target, os.path.dirname(name)), exist_ok=True)
        shutil.copy2(source, os.path.join(target, name))
    return target


def build(source, output):
    run = subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "build", "--output-path", str(output),
                          str(source)], capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    [tarball] = [p for p in output.iterdir() if p.name.endswith(".tar.gz")]
    with tarfile.open(tarball, "r:gz") as tar:
        return tarball, sorted(tar.getnames())


def test_a_tree_full_of_strays_builds_the_clean_tarball(tmp_path):
    tree = copy_committed_tree(tmp_path / "tree")
    _clean_tarball, clean = build(tree, tmp_path / "clean")
    for name, content in STRAYS.items():
        path = tree / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    tarball, built = build(tree, tmp_path / "dirty")

    assert built == clean, sorted(set(built) ^ set(clean))
    assert build_check.problems(built) == []
    tops = {name.split("/")[0] for name in built}
    assert tops <= build_check.ALLOWED_FILES | build_check.ALLOWED_DIRS, tops
    assert not tops & STRAY_TOP
    for name in built:
        assert not any(part in ("__pycache__", "_build", "output") for part in name.split("/")), name
        assert not name.endswith((".pyc", ".swp", "~")), name
    # Everything the collection is made of is in it, and galaxy.yml became MANIFEST.json.
    assert {"MANIFEST.json", "FILES.json", "README.md", "plugins", "meta", "docs", "changelogs"} <= tops
    assert "galaxy.yml" not in tops
    # The check `make build` runs, as it runs it.
    run = subprocess.run([sys.executable, os.path.join(REPO, "tests", "build_check.py"), str(tarball)],
                         capture_output=True, text=True, timeout=60, check=False)
    assert (run.returncode, run.stderr) == (0, ""), run.stderr


def hand_made(path, names):
    with tarfile.open(path, "w:gz") as tar:
        for name in names:
            info = tarfile.TarInfo(name)
            info.size = 0
            tar.addfile(info)
    return path


CLEAN = ["MANIFEST.json", "FILES.json", "README.md", "plugins/modules/tencent_batch_job.py"]


@pytest.mark.parametrize("extra, says", [
    (["venv/bin/python", "venv/pyvenv.cfg"], "venv: top-level entry not in the allow-list (2 paths)"),
    ([".idea/workspace.xml"], ".idea: top-level entry not in the allow-list (1 path)"),
    (["notes.txt"], "notes.txt: top-level entry not in the allow-list (1 path)"),
    (["plugins/modules/__pycache__/x.cpython-311.pyc"], "plugins/modules/__pycache__: build output or a cache"),
    (["docs/_build/html/index.html"], "docs/_build: build output or a cache"),
], ids=["venv", "editor folder", "unknown file", "nested pycache", "docs build output"])
def test_the_build_check_refuses_a_stray_entry(tmp_path, extra, says):
    script = os.path.join(REPO, "tests", "build_check.py")
    good = hand_made(tmp_path / "good.tar.gz", CLEAN)
    run = subprocess.run([sys.executable, script, str(good)], capture_output=True, text=True, timeout=60, check=False)
    assert (run.returncode, run.stderr) == (0, "")

    bad = hand_made(tmp_path / "bad.tar.gz", CLEAN + extra)
    run = subprocess.run([sys.executable, script, str(bad)], capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr
    assert "%s: %s" % (bad, says) in run.stderr, run.stderr
    assert "extend build_ignore in galaxy.yml" in run.stderr


def test_make_build_runs_the_allow_list_check():
    with open(os.path.join(REPO, ".ci", "dev"), encoding="utf-8") as f:
        text = f.read()
    body = text.split("build_and_install() {", 1)[1].split("\n}\n", 1)[0]
    assert 'python tests/build_check.py "$dist"/*.tar.gz' in body
    assert "grep" not in body  # the old deny-list is gone


# -- a Tencent region the service does not serve ----------------------------------------------------------------

TYPO = "ap-guangzho"


@pytest.mark.parametrize("module, args", [
    ("tencent_batch_job_info", {}),
    ("tencent_batch_job", {"filters": {"states": ["SUCCEED"]}}),
    ("tencent_batch_job", {"job_id": "job-aaaa0001"}),
], ids=["info", "delete by filter", "delete by id"])
def test_a_region_batch_does_not_serve_fails_clearly(emulator, tmp_path, module, args):
    emulator.seed({"tencent": [{"JobId": "job-aaaa0001", "JobState": "SUCCEED", "Region": "ap-guangzhou"}]})
    emulator.clear_requests()
    run = run_ad_hoc(tmp_path, module, dict(tencent_auth(emulator.url, region=TYPO), **args))
    assert run.returncode == 2 and "FAILED!" in run.stdout, run.stdout[-2000:] + run.stderr[-2000:]
    result = ad_hoc_result(run)
    assert "UnsupportedRegion" in result["msg"] and repr(TYPO) in result["msg"], result["msg"]
    assert result["error"]["error_code"] == "UnsupportedRegion" and not result["changed"]
    assert not result.get("deleted") and not result.get("jobs")
    assert not mutating_requests(emulator)
    assert {(r["operation"], r["error_code"]) for r in emulator.requests()} == {("DescribeJobs", "UnsupportedRegion")}
    assert [j["JobId"] for j in emulator.state()["tencent"]] == ["job-aaaa0001"]


# -- the README's ad-hoc examples ---------------------------------------------------------------------------------

def readme_ad_hoc_commands():
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as f:
        text = f.read()
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", text, re.S):
        commands += [shlex.split(line) for line in block.splitlines() if line.startswith("ansible localhost -m ")]
    return commands


def test_readme_ad_hoc_examples_show_check_first():
    commands = readme_ad_hoc_commands()
    modules = [c[c.index("-m") + 1] for c in commands]
    assert {"cloudjobs.cleanup.tencent_batch_job", "cloudjobs.cleanup.mrs_job_executions"} <= set(modules)
    for module in set(modules):
        runs = [c for c, m in zip(commands, modules) if m == module]
        if module.endswith("_info"):
            continue
        assert "--check" in runs[0], (module, runs[0])
        assert any("--check" not in c for c in runs[1:]), (module, "no run for real after --check")


def mrs_id(n):
    return "1a2b3c4d-0000-4000-8000-%012d" % n


def test_readme_ad_hoc_examples_run_as_written(emulator, tmp_path):
    emulator.seed({"tencent": [{"JobId": "job-f5da1edl", "JobState": "SUCCEED"}],
                   "mrs": [{"job_id": mrs_id(n), "job_state": "FINISHED", "cluster_id": "mrs-readme"} for n in (1, 2)]})
    env = ansible_env(tmp_path, TENCENTCLOUD_SECRET_ID=TENCENT_ID, TENCENTCLOUD_SECRET_KEY=TENCENT_KEY,
                      HW_ACCESS_KEY=HUAWEI_AK, HW_SECRET_KEY=HUAWEI_SK, HW_REGION_NAME=HUAWEI_REGION,
                      HW_PROJECT_ID=PROJECT)
    endpoints = {"tencent": "endpoint=%s" % emulator.url,
                 "mrs": "endpoint=%s iam_endpoint=%s" % (emulator.url, huawei_auth(emulator.url)["iam_endpoint"])}
    for command in readme_ad_hoc_commands():
        argv = [a.replace("<cluster id>", "mrs-readme").replace("<id>,<id>", "%s,%s" % (mrs_id(1), mrs_id(2)))
                for a in command]
        argv[0] = os.path.join(BIN, "ansible")
        index = argv.index("-a") + 1
        argv[index] += " " + endpoints["tencent" if "tencent" in argv[argv.index("-m") + 1] else "mrs"]
        before = emulator.state()
        emulator.clear_requests()
        run = subprocess.run(argv, env=env, cwd=str(tmp_path), capture_output=True, text=True, timeout=300,
                             check=False)
        assert run.returncode == 0, (command, run.stdout[-2000:] + run.stderr[-2000:])
        result = ad_hoc_result(run)
        if "--check" in argv:
            assert result["changed"] and not mutating_requests(emulator), (command, result)
            assert emulator.state() == before
        else:
            assert result["changed"] and mutating_requests(emulator), (command, result)
    state = emulator.state()
    assert state["tencent"] == [] and [r for r in state["mrs"] if r["cluster_id"] == "mrs-readme"] == []
