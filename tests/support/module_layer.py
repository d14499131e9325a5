"""The module layer: a collection module's ``main()`` run with given arguments and check mode, without Ansible.

What a task of the fault matrix or the hostile-input suite proves is the module's behaviour against the emulator; a
real ``ansible-playbook`` task adds about half a second of Ansible per case (a worker, AnsiballZ, a new Python). Here
the same module code runs from a warm Python, and the result comes back in the shape of a task result: the JSON the
module printed (``exit_json`` / ``fail_json``), parsed as the controller parses it, with ``failed`` and ``changed``
always set and the module's ``warnings`` / ``deprecations`` as their messages. The real path stays proven by the
suites' small ``ansible-playbook`` runs (``ansible_runs.run_cells``), which also compare their cells with this layer.

How a call runs: ``ModuleLayer`` starts this file as a worker (``python module_layer.py --serve``): a fresh Python that
imports ``ansible.module_utils.basic`` and every module of the collection once, with no HW_* / HUAWEICLOUD_* /
TENCENTCLOUD_* variable in its environment (the pytest process's own environment is never touched). For each call
the worker forks, and the child runs ``main()`` with the arguments set as ansible-core's unit tests set them
(``ansible.module_utils.testing.patch_module_args``, or ``basic._ANSIBLE_ARGS`` before 2.19), its stdout and stderr
in files, and exits. So every call starts from the same state as a module process does: no warnings, caches, threads
or signal handlers left by an earlier call, and none of the controller's state (importing ansible's controller code,
as other tests in a pytest process do, turns module warnings into controller warnings). The modules' signal handlers
work (the child is single-threaded), and their watch of the processes above them (``_run_control.Ancestry``) sees
the worker, which waits for the child, so a call is never taken for a cancelled run. A call that outlives its
timeout is killed and fails as a task whose module died does.
"""

import concurrent.futures
import contextlib
import importlib
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))  # tests/support
REPO = os.path.dirname(os.path.dirname(HERE))
NAMESPACE, NAME = "cloudjobs", "cleanup"
COLLECTION = "%s.%s" % (NAMESPACE, NAME)
MODULES_PACKAGE = "ansible_collections.%s.%s.plugins.modules" % (NAMESPACE, NAME)
CLOUD_ENV_PREFIXES = ("HW_", "HUAWEICLOUD_", "TENCENTCLOUD_")  # what a test never lets a module read
CALL_TIMEOUT = 300  # seconds one call may take before it is killed


def cloud_free_environ(environ=None):
    """``environ`` (default: this process's) without the cloud credentials and settings a module could read."""
    environ = os.environ if environ is None else environ
    return {k: v for k, v in environ.items() if not k.startswith(CLOUD_ENV_PREFIXES)}


def _action_groups():
    with open(os.path.join(REPO, "meta", "runtime.yml"), encoding="utf-8") as f:
        groups = yaml.safe_load(f).get("action_groups") or {}
    return {"%s.%s" % (COLLECTION, group): members for group, members in groups.items()}


def module_args(module, args, module_defaults=None):
    """The arguments a task ``module: args`` hands the module under ``module_defaults`` (a play's keyword: group
    defaults first, then the module's own, then the task's; a task's ``None`` overrides a default and reaches the
    module as ``None``, which it takes for unset)."""
    merged = {}
    if module_defaults:
        groups = _action_groups()
        for key, values in module_defaults.items():
            if key.startswith("group/") and module in groups.get(key[len("group/"):], []):
                merged.update(values)
        for key in (module, "%s.%s" % (COLLECTION, module)):
            merged.update(module_defaults.get(key) or {})
    merged.update(args or {})
    return merged


def parse_task(task):
    """``(module, args, check_mode, diff)`` of a task dict such as ``{"cloudjobs.cleanup.x": {...}, "check_mode":
    True}`` (the keywords the suites use; ``register`` is ``run_cell``'s; any other keyword is refused rather than
    ignored)."""
    keywords = {"check_mode", "diff", "name", "ignore_errors", "register"}
    actions = [k for k in task if k not in keywords]
    if len(actions) != 1 or not actions[0].startswith(COLLECTION + "."):
        raise ValueError("not a task of one %s module: %r" % (COLLECTION, sorted(task)))
    action = actions[0]
    return action[len(COLLECTION) + 1:], dict(task[action] or {}), bool(task.get("check_mode")), bool(task.get("diff"))


def task_result(stdout, stderr, rc):
    """What the controller makes of a module's output (``ActionBase._parse_returned_data`` and ``TaskExecutor``):
    the JSON object among the lines of stdout, or a failure that shows the output when there is none."""
    from ansible.module_utils.json_utils import _filter_non_json_lines  # pylint: disable=import-outside-toplevel

    try:
        text, _junk = _filter_non_json_lines(stdout, objects_only=True)
        result = json.loads(text)
        if not isinstance(result, dict):
            raise ValueError("not an object")
    except ValueError:
        result = {"failed": True,
                  "msg": "Module result deserialization failed. See stdout/stderr for the returned output.",
                  "module_stdout": stdout, "module_stderr": stderr, "rc": rc}
    for key in [k for k in result if k.startswith("_ansible_")]:
        del result[key]
    for key in ("warnings", "deprecations"):
        if key in result:
            result[key] = [_message(item) for item in result[key]]
    if "failed" not in result:
        result["failed"] = "rc" in result and result["rc"] not in (0, "0")
    result.setdefault("changed", False)
    if result["failed"] or result.get("exception"):
        # The controller keeps a failure's error as a summary whose text is the traceback, if the module sent one.
        result["exception"] = _traceback_text(result.get("exception")) or "(traceback unavailable)"
    return result


def _traceback_text(exception):
    if isinstance(exception, dict):
        event = exception.get("event") if isinstance(exception.get("event"), dict) else exception
        return event.get("formatted_traceback")
    return exception


def _message(item):
    """A warning or deprecation as its text (the module sends a summary object, or a string before 2.19)."""
    if isinstance(item, dict):
        event = item.get("event") if isinstance(item.get("event"), dict) else item
        return event.get("msg", item)
    return item


class ModuleLayer:
    """A worker that runs the collection's modules; ``run()`` returns task results. Use it as a
    context manager (or call ``close()``): the worker and its temporary directory go when it ends."""

    def __init__(self, call_timeout=CALL_TIMEOUT):
        self.call_timeout = call_timeout
        self._tmp = tempfile.mkdtemp(prefix="module-layer-")
        self._process = None
        self.modules = []
        self.calls = 0

    def start(self):
        if self._process is not None:
            return self
        env = cloud_free_environ()
        env["PYTHONPATH"] = os.pathsep.join([_collections_root()] + [p for p in [env.get("PYTHONPATH")] if p])
        self._process = subprocess.Popen(  # pylint: disable=consider-using-with
            [sys.executable, os.path.abspath(__file__), "--serve", self._tmp], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, env=env, cwd=self._tmp)
        ready = self._read_line(120)
        if ready.get("ready") is not True:
            self.close()
            raise RuntimeError("the module layer's worker did not start: %r" % ready)
        self.modules = ready["modules"]
        return self

    def close(self):
        process, self._process = self._process, None
        if process is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
            process.stdout.close()
        shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()

    def run(self, module, args, check_mode=False, diff=False):
        """``cloudjobs.cleanup.<module>`` with ``args`` (as the module gets them: merge module defaults with
        ``module_args``): the task result, with ``failed``."""
        self.start()
        if module not in self.modules:
            raise ValueError("%s.%s is not a module of the collection (%s)"
                             % (COLLECTION, module, ", ".join(self.modules)))
        request = {"module": module, "args": args, "check_mode": bool(check_mode), "diff": bool(diff),
                   "timeout": self.call_timeout}
        self._process.stdin.write(json.dumps(request).encode("utf-8") + b"\n")
        self._process.stdin.flush()
        reply = self._read_line(self.call_timeout + 30)
        self.calls += 1
        result = task_result(reply["stdout"], reply["stderr"], reply["rc"])
        if reply.get("timed_out"):
            result.update(failed=True, msg="the module ran longer than %s s and was killed" % self.call_timeout)
        return result

    def _read_line(self, timeout):
        deadline = time.monotonic() + timeout
        stream = self._process.stdout
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([stream], [], [], left)[0]:
                self._process.kill()
                raise RuntimeError("the module layer's worker gave no answer within %s s" % timeout)
            line = stream.readline()
            if not line:
                raise RuntimeError("the module layer's worker ended (exit code %s)" % self._process.wait(timeout=10))
            return json.loads(line)


class CellsRun:
    """The outcome of ``run_cells()``: ``lines[name]`` is ``{"cell", "status", "result", "state", "requests"}``, as
    ``ansible_runs.run_cells`` records it."""

    def __init__(self, lines):
        self.lines = lines


class Undefined(Exception):
    """An argument reads what no earlier cell registered: the task fails, as a play's templating fails it."""


REGISTERED = re.compile(r"\{\{\s*(\w+)\.(\w+)\s*\}\}")


def resolve_registered(args, registered):
    """``args`` with each value that is exactly ``{{ <name>.<key> }}`` replaced by ``registered[name][key]``: a
    ``register`` of an earlier cell and an argument that reads it, as in a play (the one template the suites use: the
    contract model's plan cells give the check run's ``plan`` to the apply). Any other template is refused."""
    resolved = {}
    for key, value in args.items():
        if isinstance(value, str) and "{{" in value:
            match = REGISTERED.fullmatch(value.strip())
            if not match:
                raise ValueError("the module layer reads only {{ <registered>.<key> }} of an earlier cell: %r" % value)
            if match.group(2) not in registered.get(match.group(1), {}):
                raise Undefined("%r is undefined (%s has no %s)" % (value, match.group(1), match.group(2)))
            value = registered[match.group(1)][match.group(2)]
        resolved[key] = value
    return resolved


def run_cell(emulator, layer, name, cell, module_defaults=None, registered=None):
    """One cell of ``ansible_runs.run_cells`` (``{"task", "config", "seed", "faults"}``): the emulator reset and armed
    exactly as the cells callback arms it before a task, the task run through ``layer``, and the line the callback
    records after it (the result with the emulator's final state and request log). ``registered``: the results of
    the earlier cells' ``register``, which this cell's arguments may read and its own ``register`` adds to."""
    registered = {} if registered is None else registered
    module, args, check_mode, diff = parse_task(cell["task"])
    undefined = None
    try:
        args = resolve_registered(args, registered)
    except Undefined as error:
        undefined = str(error)
    emulator.reset()
    if cell.get("config"):
        emulator.config(cell["config"])
    if cell.get("seed"):
        emulator.seed(cell["seed"])
    emulator.clear_requests()
    if cell.get("faults"):
        emulator.fault(cell["faults"])
    if undefined is None:
        result = layer.run(module, module_args(module, args, module_defaults), check_mode=check_mode, diff=diff)
    else:
        result = {"failed": True, "changed": False, "msg": "The task includes an option with an undefined variable: %s"
                  % undefined}
    if cell["task"].get("register"):
        registered[cell["task"]["register"]] = result
    return {"cell": name, "status": "failed" if result["failed"] else "ok", "result": result,
            "state": emulator.state(), "requests": emulator.requests()}


class Lanes:
    """``count`` lanes that run cells side by side: each an emulator with a worker of its own (the first lane uses
    ``emulator``, the others start an emulator process each). A cell arms and reads its lane's emulator only, so cells
    stay independent; most of a cell's time is the module waiting (timeouts, backoff), which lanes overlap."""

    def __init__(self, emulator, count=1, call_timeout=CALL_TIMEOUT):
        self.emulator = emulator
        self.count = max(1, int(count))
        self.call_timeout = call_timeout
        self.lanes = []
        self._stack = None

    def __enter__(self):
        from emulator.harness import EmulatorProcess  # pylint: disable=import-outside-toplevel  # tests/ on sys.path

        self._stack = contextlib.ExitStack()
        try:
            extra = [self._stack.enter_context(EmulatorProcess()) for _lane in range(self.count - 1)]
            emulators = [self.emulator] + extra
            self.lanes = [(emu, self._stack.enter_context(ModuleLayer(self.call_timeout))) for emu in emulators]
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, *exc):
        self.lanes = []
        self._stack.close()

    def run_cells(self, cells, module_defaults=None):
        """Every cell of ``cells`` (``name -> cell``, as ``ansible_runs.run_cells`` takes them), each on the next free
        lane; a CellsRun with a line per cell, in the order of ``cells``. ``module_defaults``: the play's keyword, or
        a function of the lane's emulator URL that returns it (``ansible_runs.cloud_defaults``), which more than one
        lane needs: each lane's modules must talk to that lane's emulator."""
        if module_defaults is not None and not callable(module_defaults) and len(self.lanes) > 1:
            raise ValueError("with more than one lane, module_defaults must be a function of the emulator's URL")
        if len(self.lanes) > 1 and any(cell["task"].get("register") for cell in cells.values()):
            raise ValueError("a cell that registers its result needs one lane: a later cell reads it")
        todo = list(cells.items())
        lock = threading.Lock()
        found = {}
        registered = {}

        def drive(lane):
            emulator, layer = lane
            defaults = module_defaults(emulator.url) if callable(module_defaults) else module_defaults
            while True:
                with lock:
                    if not todo:
                        return
                    name, cell = todo.pop(0)
                try:
                    line = run_cell(emulator, layer, name, cell, defaults, registered)
                except BaseException:
                    with lock:
                        todo.clear()  # the other lanes stop after their current cell
                    raise
                with lock:
                    found[name] = line

        with concurrent.futures.ThreadPoolExecutor(len(self.lanes), thread_name_prefix="module-layer") as pool:
            for future in [pool.submit(drive, lane) for lane in self.lanes]:
                future.result()
        return CellsRun({name: found[name] for name in cells})


def run_cells(emulator, cells, module_defaults=None, lanes=1):
    """The cells of ``ansible_runs.run_cells`` (``name -> {"task", "config", "seed", "faults"}``) through the module
    layer on ``lanes`` lanes (``Lanes``, which says what ``module_defaults`` may be), started and stopped here."""
    with Lanes(emulator, lanes) as running:
        return running.run_cells(cells, module_defaults)


VOLATILE_KEYS = ("invocation", "plan", "failed")


def comparable(line):
    """What of a cell's line must be the same whichever path ran it (a real ``ansible-playbook`` task, or this layer):
    the status and the whole result, except what differs from run to run (the request ids the emulator handed out,
    durations, a check run's ``plan`` with its timestamps) and what only one path adds (``invocation``, ``failed``,
    which ``status`` says); lists sorted, as concurrent calls finish in any order."""
    request_ids = sorted({r["request_id"] for r in line["requests"] if r.get("request_id")}, key=len, reverse=True)

    def normalized(value):
        if isinstance(value, dict):
            return {k: normalized(v) for k, v in value.items()
                    if k not in VOLATILE_KEYS and not k.startswith("_ansible_")}
        if isinstance(value, list):
            return sorted((normalized(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
        if isinstance(value, str):
            for request_id in request_ids:
                value = value.replace(request_id, "<request id>")
            return re.sub(r"\bover \d+(\.\d+)? s\b", "over <n> s", value)
        return value

    return {"status": line["status"], "result": normalized(line["result"])}


def _collections_root():
    """The directory that holds ``ansible_collections/cloudjobs/cleanup`` for this process (tests import the
    collection from there: the repository's conftest.py links the checkout into it)."""
    for base in sys.path:
        if base and os.path.isdir(os.path.join(base, "ansible_collections", NAMESPACE, NAME, "plugins", "modules")):
            return os.path.abspath(base)
    raise RuntimeError("ansible_collections.%s is not importable from sys.path" % COLLECTION)


# -- the worker: this file run as a script ---------------------------------------------------------------------------

def _serve(tmp):
    """Answer one JSON line per request line on stdin, until stdin closes."""
    requests = sys.stdin.buffer
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # nothing but replies on the pipe: whatever the worker itself prints goes to stderr
    for name in [n for n in os.environ if n.startswith(CLOUD_ENV_PREFIXES)]:
        del os.environ[name]
    modules = _import_modules()
    importlib.import_module("ansible.module_utils.ansible_release")
    with contextlib.suppress(ImportError):  # ansible-core >= 2.19
        importlib.import_module("ansible.module_utils.testing")
    replies.write(json.dumps({"ready": True, "modules": sorted(modules)}).encode("utf-8") + b"\n")
    replies.flush()
    for line in requests:
        if not line.strip():
            continue
        request = json.loads(line)
        reply = _call(modules, request, tmp)
        replies.write(json.dumps(reply).encode("utf-8") + b"\n")
        replies.flush()


def _import_modules():
    package = importlib.import_module(MODULES_PACKAGE)
    names = sorted(f[:-3] for f in os.listdir(package.__path__[0]) if f.endswith(".py") and not f.startswith("_"))
    return {name: importlib.import_module("%s.%s" % (MODULES_PACKAGE, name)) for name in names}


def _call(modules, request, tmp):
    """Run one module call in a forked child; ``{"rc", "stdout", "stderr", "timed_out"}``."""
    sys.stdout.flush()
    sys.stderr.flush()
    with tempfile.TemporaryFile(dir=tmp) as out, tempfile.TemporaryFile(dir=tmp) as err:
        pid = os.fork()
        if pid == 0:  # the child: never returns
            code = 1
            try:
                with open(os.devnull, "rb") as nothing:
                    os.dup2(nothing.fileno(), 0)  # the arguments come through basic._ANSIBLE_ARGS, never stdin
                os.dup2(out.fileno(), 1)
                os.dup2(err.fileno(), 2)
                code = _run_main(modules, request, tmp)
            except BaseException:  # pylint: disable=broad-except
                traceback.print_exc()  # as Python prints an uncaught exception: a task's module_stderr
            finally:
                with contextlib.suppress(BaseException):
                    sys.stdout.flush()
                    sys.stderr.flush()
                os._exit(code)  # pylint: disable=protected-access
        rc, timed_out = _wait(pid, request.get("timeout") or CALL_TIMEOUT)
        out.seek(0)
        err.seek(0)
        return {"rc": rc, "timed_out": timed_out, "stdout": out.read().decode("utf-8", "replace"),
                "stderr": err.read().decode("utf-8", "replace")}


def _wait(pid, timeout):
    deadline = time.monotonic() + timeout
    pidfd = None
    with contextlib.suppress(AttributeError, OSError):
        pidfd = os.pidfd_open(pid)
    try:
        delay = 0.001
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return os.waitstatus_to_exitcode(status), False
            left = deadline - time.monotonic()
            if left <= 0:
                os.kill(pid, signal.SIGKILL)
                return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), True
            if pidfd is not None:
                select.select([pidfd], [], [], left)
            else:
                time.sleep(min(delay, left))
                delay = min(delay * 2, 0.02)
    finally:
        if pidfd is not None:
            os.close(pidfd)


def _run_main(modules, request, tmp):
    """In the child: ``main()`` of the module with the request's arguments; the exit code."""
    from ansible.module_utils import basic  # pylint: disable=import-outside-toplevel
    from ansible.module_utils import ansible_release  # pylint: disable=import-outside-toplevel

    name = request["module"]
    args = dict(request["args"])
    # What ActionBase._execute_module adds to every module's arguments.
    args.update({
        "_ansible_check_mode": request["check_mode"],
        "_ansible_no_log": False,
        "_ansible_debug": False,
        "_ansible_diff": request["diff"],
        "_ansible_verbosity": 0,
        "_ansible_version": ansible_release.__version__,
        "_ansible_module_name": "%s.%s" % (COLLECTION, name),
        "_ansible_syslog_facility": "LOG_USER",
        "_ansible_selinux_special_fs": ["fuse", "nfs", "vboxsf", "ramfs", "9p", "vfat"],
        "_ansible_shell_executable": "/bin/sh",
        "_ansible_keep_remote_files": False,
        "_ansible_tmpdir": None,
        "_ansible_remote_tmp": tmp,
        "_ansible_ignore_unknown_opts": False,
        "_ansible_target_log_info": None,
        "_ansible_tracebacks_for": [],
    })
    try:
        from ansible.module_utils.testing import patch_module_args  # pylint: disable=import-outside-toplevel
    except ImportError:  # ansible-core < 2.19
        patch_module_args = None
    if patch_module_args is not None:
        patched = patch_module_args(args)
    else:
        patched = _patch_attr(basic, "_ANSIBLE_ARGS", json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode("utf-8"))
    with patched:
        try:
            modules[name].main()
        except SystemExit as ended:
            if ended.code is None:
                return 0
            return ended.code if isinstance(ended.code, int) else 1
    return 0


@contextlib.contextmanager
def _patch_attr(owner, attr, value):
    previous = getattr(owner, attr)
    setattr(owner, attr, value)
    try:
        yield
    finally:
        setattr(owner, attr, previous)


if __name__ == "__main__":
    if sys.argv[1:2] != ["--serve"] or len(sys.argv) != 3:
        sys.exit("usage: module_layer.py --serve TMPDIR (started by ModuleLayer)")
    _serve(sys.argv[2])
