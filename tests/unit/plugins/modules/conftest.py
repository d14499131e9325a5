# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for the module-layer tests: a mock ``AnsibleModule`` for ``run()`` and ``run_module``, and ``main()``
run end to end with real module arguments.

Only the modules' stable surface is used: ``run(module, connection)``, ``main()`` and the argument spec
``main()`` hands to ``AnsibleModule``. The test files fake the connection at its public boundary.
"""

from __future__ import annotations

import json
import os
from unittest import mock

import pytest

from ansible.module_utils import basic
from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core < 2.19: module arguments are read from basic._ANSIBLE_ARGS
    patch_module_args = None

# Credentials and settings the modules read from the environment (env_fallback): cleared for every test,
# so that a developer's own cloud variables never leak into a test's params.
CLOUD_ENVIRONMENT = (
    "HW_ACCESS_KEY", "HW_SECRET_KEY", "HW_SECURITY_TOKEN", "HW_AUTH_TOKEN", "HW_REGION_NAME", "HW_PROJECT_ID",
    "HW_CLOUD", "HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "HUAWEICLOUD_SDK_SECURITY_TOKEN",
    "HUAWEICLOUD_SDK_PROJECT_ID", "HUAWEICLOUD_SDK_IAM_ENDPOINT",
    "TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY", "TENCENTCLOUD_SECURITY_TOKEN", "TENCENTCLOUD_TOKEN",
    "TENCENTCLOUD_REGION",
)


class ModuleExited(SystemExit):
    """``exit_json`` was called; ``kwargs`` holds what it was given."""

    def __init__(self, kwargs):
        super().__init__(0)
        self.kwargs = kwargs


class ModuleFailed(SystemExit):
    """``fail_json`` was called; ``kwargs`` holds what it was given (``msg`` included)."""

    def __init__(self, kwargs):
        super().__init__(1)
        self.kwargs = kwargs


class _SpecCaptured(Exception):
    def __init__(self, kwargs):
        super().__init__("AnsibleModule called")
        self.kwargs = kwargs


def argument_spec(module_file):
    """The ``argument_spec`` the module's ``main()`` gives ``AnsibleModule`` (``main()`` stops right there)."""

    def capture(*args, **kwargs):
        raise _SpecCaptured(kwargs)

    with mock.patch.object(module_file, "AnsibleModule", side_effect=capture):
        try:
            module_file.main()
        except _SpecCaptured as captured:
            return captured.kwargs["argument_spec"]
    raise AssertionError("%s.main() built no AnsibleModule" % module_file.__name__)


def module_params(module_file, params):
    """``params`` as ``AnsibleModule`` would hand them to ``run()``: defaults, aliases, nested options, types."""
    result = ArgumentSpecValidator(argument_spec(module_file)).validate(dict(params))
    if result.error_messages:
        raise AssertionError("invalid test params for %s: %s" % (module_file.__name__, result.error_messages))
    return result.validated_parameters


class _ModuleFactory:
    """``create_module(module_file, params, check_mode=False, diff=False)``: a ``Mock(spec=AnsibleModule)``.

    ``exit_json`` raises ``create_module.Exited`` and ``fail_json`` raises ``create_module.Failed``; both carry
    the keyword arguments they were called with as ``kwargs``. ``warn`` records its calls.
    """

    Exited = ModuleExited
    Failed = ModuleFailed

    def __call__(self, module_file, params=None, check_mode=False, diff=False):
        module = mock.Mock(spec=AnsibleModule)
        module.params = module_params(module_file, params or {})
        module.check_mode = check_mode
        module._diff = diff  # pylint: disable=protected-access

        def exit_json(**kwargs):
            raise ModuleExited(kwargs)

        def fail_json(**kwargs):
            raise ModuleFailed(kwargs)

        module.exit_json.side_effect = exit_json
        module.fail_json.side_effect = fail_json
        return module


@pytest.fixture(autouse=True)
def no_cloud_environment(monkeypatch, tmp_path):
    """No credentials of the machine running the tests: no cloud variables, and a HOME without the official CLIs'
    profile files or the SDKs' credentials files (~/.hcloud, ~/.huaweicloud, ~/.tccli, ~/.tencentcloud)."""
    for name in CLOUD_ENVIRONMENT + tuple(n for n in os.environ if n.startswith(("HW_", "HUAWEICLOUD_", "TENCENTCLOUD_"))):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))


@pytest.fixture
def create_module():
    return _ModuleFactory()


class _MainRunner:
    """``run_main(module_file, args, check_mode=False, diff=False)``: ``main()`` with real module arguments.

    Returns ``(failed, result)``: the JSON the module printed, as the controller would read it.
    """

    def __init__(self, capsys):
        self._capsys = capsys

    def __call__(self, module_file, args, check_mode=False, diff=False):
        args = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
        self._capsys.readouterr()
        with _module_args(args):
            with pytest.raises(SystemExit) as ended:
                module_file.main()
        result = json.loads(self._capsys.readouterr().out)
        assert ended.value.code == (1 if result.get("failed") else 0)
        return bool(result.get("failed")), result


def _module_args(args):
    if patch_module_args is not None:
        return patch_module_args(args)
    raw = json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode("utf-8")
    return mock.patch.object(basic, "_ANSIBLE_ARGS", raw)


@pytest.fixture
def run_main(capsys):
    return _MainRunner(capsys)
