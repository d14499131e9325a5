"""Start and drive the emulator from tests: `with EmulatorProcess(seed="demo") as emu: ...` (stdlib only)."""

import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request

EMULATOR_DIR = os.path.dirname(os.path.abspath(__file__))


class EmulatorProcess:
    def __init__(self, seed=None, extra_args=(), python=sys.executable, startup_timeout=20.0, tls=None):
        """``tls``: ``(cert_file, key_file)`` to serve HTTPS; the control API is then HTTPS too."""
        self.seed_name = seed
        self.tls = tls
        self.extra_args = list(extra_args)
        self.python = python
        self.startup_timeout = startup_timeout
        self.process = None
        self.port = None
        self._tmp = None

    @property
    def url(self):
        return "%s://127.0.0.1:%d" % ("https" if self.tls else "http", self.port)

    def start(self):
        self._tmp = tempfile.mkdtemp(prefix="cloudjobs-emulator-")
        port_file = os.path.join(self._tmp, "port")
        args = [self.python, EMULATOR_DIR, "--port", "0", "--port-file", port_file] + self.extra_args
        if self.seed_name:
            args += ["--seed", self.seed_name]
        if self.tls:
            args += ["--tls-cert", self.tls[0], "--tls-key", self.tls[1]]
        env = dict(os.environ, HOME=self._tmp)  # the Huawei SDK writes under HOME on import
        self.process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if os.path.exists(port_file):
                with open(port_file, encoding="utf-8") as f:
                    self.port = int(f.read())
                return self
            if self.process.poll() is not None:
                raise RuntimeError("the emulator exited: %s" % self.process.stderr.read().decode(errors="replace"))
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("the emulator did not start within %.0f s" % self.startup_timeout)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self.process is not None and self.process.stderr:
            self.process.stderr.close()
        if self._tmp:
            shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- control API --------------------------------------------------------------------------------------------
    def call(self, method, name, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + "/_emulator/" + name, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        context = None
        if self.tls:  # the control API trusts the emulator's own certificate
            context = ssl.create_default_context(cafile=self.tls[0])
        with urllib.request.urlopen(request, timeout=30, context=context) as response:
            return json.loads(response.read() or b"null")

    def reset(self):
        return self.call("POST", "reset", {})

    def seed(self, data):
        return self.call("POST", "seed", data)

    def state(self):
        return self.call("GET", "state")

    def requests(self):
        return self.call("GET", "requests")

    def clear_requests(self):
        return self.call("DELETE", "requests")

    def fault(self, fault):
        return self.call("POST", "faults", fault)

    def clear_faults(self):
        return self.call("DELETE", "faults")

    def config(self, settings):
        return self.call("POST", "config", settings)

    def get_config(self):
        return self.call("GET", "config")

    def rewrite(self, change):
        """The records as other runs and the jobs themselves leave them: ``change(state)`` edits the dump of the state
        in place, and the emulator holds exactly that afterwards, its settings kept (its log starts empty)."""
        state, settings = self.state(), self.get_config()
        change(state)
        self.reset()
        self.config(settings)
        self.seed(state)
