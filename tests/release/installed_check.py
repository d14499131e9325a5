"""The release's last proof: the tarball installed in a fresh directory runs against the cloud emulator.

    python tests/release/installed_check.py dist/cloudjobs-cleanup-1.0.0.tar.gz 1.0.0

Installs the tarball with ``ansible-galaxy collection install`` into an empty directory, checks that Ansible finds
the collection there at that version (``ansible-galaxy collection list``), and runs ``mrs_job_executions`` in check
mode and for real from it (``ansible localhost -m``) against the emulator with its demo data: the check run makes no
mutating request, the real run deletes what the check run predicted. Exit 0 when all holds, 1 otherwise.
"""

import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from emulator import credentials as creds  # noqa: E402  pylint: disable=wrong-import-position
from emulator.harness import EmulatorProcess  # noqa: E402  pylint: disable=wrong-import-position

BIN = os.path.dirname(sys.executable)
CLUSTER = "mrs-prod-etl"


def run(command, env):
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False, timeout=600)
    if done.returncode != 0:
        raise SystemExit("%s failed:\n%s\n%s" % (" ".join(command[:3]), done.stdout[-3000:], done.stderr[-3000:]))
    return done.stdout


def main(tarball, version):
    with tempfile.TemporaryDirectory(prefix="cloudjobs-release-") as root:
        collections = os.path.join(root, "collections")
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections, ANSIBLE_PYTHON_INTERPRETER=sys.executable,
                   ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
                   ANSIBLE_LOCAL_TEMP=os.path.join(root, "tmp"), HOME=root)
        run([os.path.join(BIN, "ansible-galaxy"), "collection", "install", "-p", collections, tarball], env)
        listed = run([os.path.join(BIN, "ansible-galaxy"), "collection", "list", "cloudjobs.cleanup", "-p", collections,
                      "--format", "json"], env)
        found = {name: meta["version"] for tree in json.loads(listed).values() for name, meta in tree.items()}
        if found != {"cloudjobs.cleanup": version}:
            raise SystemExit("the installed collection is %s, expected cloudjobs.cleanup %s" % (found, version))
        with EmulatorProcess(seed="demo") as emu:
            args = json.dumps(dict(creds.huaweicloud_auth(), endpoint=emu.url, cluster_id=CLUSTER,
                                   filters={"older_than": "7d"}))
            command = [os.path.join(BIN, "ansible"), "localhost", "-m", "cloudjobs.cleanup.mrs_job_executions", "-a", args]
            check = json.loads(run(command + ["--check"], env).split("=>", 1)[1])
            if [r for r in emu.requests() if r["mutating"]] or not check["deleted"]:
                raise SystemExit("check mode from the installed tarball: %s" % check)
            real = json.loads(run(command, env).split("=>", 1)[1])
            if sorted(real["deleted"]) != sorted(check["deleted"]):
                raise SystemExit("the real run deleted %s, check mode predicted %s" % (real["deleted"], check["deleted"]))
        print("installed %s: cloudjobs.cleanup %s; mrs_job_executions from it deleted the %d executions check mode "
              "predicted" % (os.path.basename(tarball), version, len(real["deleted"])))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: installed_check.py TARBALL VERSION")
    main(sys.argv[1], sys.argv[2])
