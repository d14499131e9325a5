"""Run tests/smoke/smoke.yml with one ansible-core against the emulator: `.ci/dev smoke` calls it once per row of
tests/smoke/versions.txt, with that row's venv.

    python tests/smoke/run.py --ansible-bin DIR --module-python PYTHON --ansible-core 2.16 --python 3.11 \
        --modules-python 3.9 [ansible-playbook args]

The emulator runs with this Python (it verifies signatures with the SDKs of .venv); ansible-playbook comes from
--ansible-bin, the modules run on --module-python, the collection is the checkout (ANSIBLE_COLLECTIONS_PATH as
.ci/dev sets it). The playbook asserts; this prints one line on success and the playbook's output on failure.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # tests/: the emulator package

from emulator import credentials  # noqa: E402  pylint: disable=wrong-import-position
from emulator.harness import EmulatorProcess  # noqa: E402  pylint: disable=wrong-import-position


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ansible-bin", required=True, help="the bin directory of the venv with ansible-core")
    parser.add_argument("--module-python", required=True, help="the interpreter the modules run on")
    parser.add_argument("--ansible-core", required=True, help="the expected ansible-core series, e.g. 2.16")
    parser.add_argument("--python", required=True, help="the expected controller Python, e.g. 3.11")
    parser.add_argument("--modules-python", required=True, help="the expected Python of the modules, e.g. 3.9")
    args, extra = parser.parse_known_args(argv)
    if not os.environ.get("ANSIBLE_COLLECTIONS_PATH"):
        sys.exit("ANSIBLE_COLLECTIONS_PATH is not set: run this through `.ci/dev smoke`")

    controller = subprocess.run([os.path.join(args.ansible_bin, "python"), "-c", "import sys; print(sys.version.split()[0])"],
                                stdout=subprocess.PIPE, text=True, check=True).stdout.strip()
    if controller.rsplit(".", 1)[0] != args.python:
        sys.exit("smoke: %s runs Python %s, not %s" % (args.ansible_bin, controller, args.python))
    started = time.monotonic()
    with EmulatorProcess(seed="demo") as emulator, tempfile.TemporaryDirectory(prefix="cloudjobs-smoke-") as tmp:
        variables = {
            "emulator_url": emulator.url,
            "huaweicloud_auth": credentials.huaweicloud_auth(emulator.url),
            "tencentcloud_auth": credentials.tencentcloud_auth(emulator.url),
            "expected_ansible_core": args.ansible_core,
            "expected_controller_python": args.python,
            "expected_module_python": args.modules_python,
            # The implicit localhost runs modules on the controller's Python unless told otherwise.
            "ansible_python_interpreter": args.module_python,
        }
        vars_file = os.path.join(tmp, "vars.json")
        with open(vars_file, "w", encoding="utf-8") as f:
            json.dump(variables, f)
        env = dict(os.environ, ANSIBLE_PYTHON_INTERPRETER=args.module_python, ANSIBLE_LOCALHOST_WARNING="false",
                   ANSIBLE_INVENTORY_UNPARSED_WARNING="false", ANSIBLE_LOCAL_TEMP=os.path.join(tmp, "local"),
                   ANSIBLE_REMOTE_TEMP=os.path.join(tmp, "remote"), ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
        env.pop("VIRTUAL_ENV", None)
        command = [os.path.join(args.ansible_bin, "ansible-playbook"), os.path.join(HERE, "smoke.yml"),
                   "-e", "@" + vars_file] + extra
        run = subprocess.run(command, env=env, cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, timeout=900, check=False)
    seconds = time.monotonic() - started
    versions = [line for line in run.stdout.splitlines() if "smoke versions:" in line]
    label = "ansible-core %s, Python %s, modules on Python %s" % (args.ansible_core, args.python, args.modules_python)
    if run.returncode != 0:
        sys.stdout.write(run.stdout)
        print("smoke FAILED with %s (exit %d, %.0f s)" % (label, run.returncode, seconds))
        return 1
    recap = [line for line in run.stdout.splitlines() if line.startswith("localhost")]
    tested = versions[-1].split("smoke versions:", 1)[1].strip().rstrip('"') if versions else label
    print("smoke ok: %s (controller Python %s) in %.0f s" % (tested, controller, seconds))
    print("  " + (" ".join(recap[-1].split()) if recap else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
