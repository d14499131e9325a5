"""The fan-out playbook as AWX job slices, for the benchmark report: ``run_slicing(emu, slices, accounts,
jobs_per_region)`` cleans ``accounts`` accounts (half Huawei with MRS and Workspace, half Tencent with two regions
each; ``jobs_per_region`` selected records per service and region) with ``slices`` ``ansible-playbook`` processes
at once, each on its slice of the inventory as AWX cuts it (tests/support/awx_slicing.py, which the end-to-end test
tests/e2e/test_awx_slicing.py shares), against the started emulator ``emu`` (harness.EmulatorProcess, reset here).

Rate limits count per account (``rate_limit_scope: account``); every Tencent host paces DeleteJob at
``tencent_rate_limit`` 3/s and the emulator allows 4/s per account. Requests are counted by the emulator's log.
"""

import collections
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
for _path in (os.path.join(ROOT, "tests"),):
    if _path not in sys.path:
        sys.path.insert(0, _path)

# Unless set, the live view of the checkout that the test suites use (the repository's conftest.py makes it).
if "ANSIBLE_COLLECTIONS_PATH" not in os.environ and os.path.isdir(os.path.join(ROOT, ".cache", "collections")):
    os.environ["ANSIBLE_COLLECTIONS_PATH"] = os.path.join(ROOT, ".cache", "collections")

from support import awx_slicing  # noqa: E402  pylint: disable=wrong-import-position

RATE = 3.0


def run_slicing(emu, slices, accounts, jobs_per_region, rate_limit_scope="account"):
    """Run the sliced fan-out once (``cleanup_apply=true``) and return its figures:
    ``{"slices", "accounts", "hosts", "records_deleted", "expected" (the selection), "requests", "mutating",
    "deleted_twice", "throttled", "seconds"}`` (``deleted_twice``: ids that more than one successful mutating call named; ``seconds``: wall time
    from the start of the first slice to the end of the last). Raises RuntimeError if a slice fails or the emulator
    did not lose exactly the selection. ``rate_limit_scope``: the emulator's setting (``operation`` makes every
    account share one DeleteJob limit, so calls are throttled and retried)."""
    emu.reset()
    plan = awx_slicing.fleet(emu.url, accounts=accounts, jobs_per_region=jobs_per_region, rate=RATE)
    emu.config(dict(plan["config"], rate_limit_scope=rate_limit_scope))
    emu.seed(plan["seed"])
    before = awx_slicing.state_ids(emu.state())
    parts = awx_slicing.awx_slices(plan["inventory"], slices)
    with tempfile.TemporaryDirectory(prefix="cloudjobs-slicing-") as workdir:
        start = time.monotonic()
        runs = awx_slicing.run_slices(workdir, parts, "-e", "cleanup_apply=true")
        seconds = time.monotonic() - start
    failed = [run for run in runs if run.returncode != 0]
    if failed:
        raise RuntimeError("a slice failed: " + failed[0].output())
    log = emu.requests()
    lost = before - awx_slicing.state_ids(emu.state())
    if lost != plan["selected"]:
        raise RuntimeError("the emulator lost %d records, the selection is %d" % (len(lost), len(plan["selected"])))
    named = collections.Counter(awx_slicing.named_in_mutations(log, successful=True))
    return {
        "slices": len(parts),
        "accounts": accounts,
        "hosts": len(awx_slicing.inventory_hosts(plan["inventory"])),
        "records_deleted": len(lost),
        "expected": len(plan["selected"]),
        "requests": len(log),
        "mutating": sum(1 for entry in log if entry["mutating"]),
        "deleted_twice": sum(1 for count in named.values() if count > 1),
        "throttled": sum(1 for entry in log if entry["error_code"] in awx_slicing.THROTTLED),
        "seconds": round(seconds, 2),
    }


if __name__ == "__main__":  # python tests/bench/slicing.py [slices [accounts [jobs_per_region [rate_limit_scope]]]]
    from emulator.harness import EmulatorProcess  # pylint: disable=wrong-import-position,import-outside-toplevel

    ARGS = [int(a) for a in sys.argv[1:4]]
    SCOPE = {"rate_limit_scope": sys.argv[4]} if len(sys.argv) > 4 else {}
    with EmulatorProcess() as EMU:
        print(run_slicing(EMU, *(ARGS + [3, 12, 6][len(ARGS):]), **SCOPE))
