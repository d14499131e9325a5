"""Test-only callback: one playbook task per test case ("cell"), each on a freshly armed emulator.

Used through ansible_runs.run_cells() by the fault matrix and the hostile-input suite. Before each task named
in the plan it resets the emulator and arms that cell (settings, records, faults);
after the task it records the module's result next to the emulator's final state and request log, one JSON
line per cell. The modules themselves run exactly as in any playbook.
"""

import json
import os
import urllib.request

from ansible.plugins.callback import CallbackBase


def _call(url, method, name, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url + "/_emulator/" + name, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "cloudjobs_cells"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        with open(os.environ["CLOUDJOBS_CELLS_PLAN"], encoding="utf-8") as f:
            plan = json.load(f)
        self.url = plan["emulator"]
        self.cells = plan["cells"]
        self.out = os.environ["CLOUDJOBS_CELLS_OUT"]

    def v2_playbook_on_task_start(self, task, is_conditional):
        cell = self.cells.get(task.get_name())
        if cell is None:
            return
        _call(self.url, "POST", "reset", {})
        if cell.get("config"):
            _call(self.url, "POST", "config", cell["config"])
        if cell.get("seed"):
            _call(self.url, "POST", "seed", cell["seed"])
        _call(self.url, "DELETE", "requests")
        if cell.get("faults"):
            _call(self.url, "POST", "faults", cell["faults"])

    def v2_runner_on_ok(self, result, **kwargs):
        self._record(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "failed")

    def _record(self, result, status):
        name = result._task.get_name()  # pylint: disable=protected-access
        if name not in self.cells:
            return
        line = {
            "cell": name,
            "status": status,
            "result": result._result,  # pylint: disable=protected-access
            "state": _call(self.url, "GET", "state"),
            "requests": _call(self.url, "GET", "requests"),
        }
        with open(self.out, "a", encoding="utf-8") as f:
            f.write(json.dumps(line, default=str) + "\n")
