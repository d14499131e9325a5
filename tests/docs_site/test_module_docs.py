# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Claims the module docs make, checked against the code: the operations ``error.operation`` can name, and the
Python the modules need (enforced first thing in every module)."""

from __future__ import annotations

import ast
import os
import re

import pytest
import yaml

from ansible_collections.cloudjobs.cleanup.plugins.module_utils._supported_python import (
    MINIMUM_PYTHON,
    unsupported_python_message,
)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MODULES = sorted(n[:-3] for n in os.listdir(os.path.join(ROOT, "plugins", "modules")) if n.endswith(".py"))
# The client code each module's calls come from.
CLIENTS = {"mrs": ["_mrs.py", "_huawei.py"], "workspace": ["_workspace.py", "_huawei.py"], "tencent": ["_tencent_batch.py"]}
# A Huawei call names the operation before its HTTP method; a Tencent call names its action first.
HUAWEI_CALL = re.compile(r'"(\w+)",\s*"(GET|POST|PUT|DELETE)"')
HUAWEI_SHOW = re.compile(r'\._show\(\s*"(\w+)"')  # a GET of one record
TENCENT_CALL = re.compile(r'\._?call\(\s*"(\w+)"([^\n]*)')


def _read(*parts):
    with open(os.path.join(ROOT, *parts), encoding="utf-8") as f:
        return f.read()


def _doc(module, name):
    tree = ast.parse(_read("plugins", "modules", module + ".py"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and node.targets[0].id == name:
            return yaml.safe_load(node.value.value)
    raise AssertionError("%s has no %s" % (module, name))


def _operations(module):
    """``{operation: mutating}`` for every API call the module's clients make."""
    found = {}
    for source in CLIENTS[module.split("_")[0]]:
        text = _read("plugins", "module_utils", source)
        found.update({op: method != "GET" for op, method in HUAWEI_CALL.findall(text)})
        found.update({op: False for op in HUAWEI_SHOW.findall(text)})
        found.update({op: "mutating=True" in rest for op, rest in TENCENT_CALL.findall(text)})
    return found


def test_the_operation_pattern_finds_the_calls():
    assert _operations("mrs_job_executions") == {
        "ShowJobExeListNew": False, "ShowSingleJobExe": False, "BatchDeleteJobs": True, "StopJob": True,
        "ListExecuteJob": False, "ShowJobExes": False, "DeleteJobExecution": True, "KeystoneListAuthProjects": False}
    assert _operations("tencent_batch_job") == {"DescribeJobs": False, "DescribeJob": False, "TerminateJob": True,
                                                "DeleteJob": True}


@pytest.mark.parametrize("module", MODULES)
def test_error_docs_name_every_operation_the_module_can_call_and_no_other(module):
    description = " ".join(_doc(module, "RETURN")["error"]["contains"]["operation"]["description"])
    named = set(re.findall(r"C\((\w+)\)", description))
    possible = {op for op, mutating in _operations(module).items() if not (mutating and module.endswith("_info"))}
    assert named == possible


@pytest.mark.parametrize("module", MODULES)
def test_error_docs_say_when_status_and_request_id_are_null(module):
    fields = _doc(module, "RETURN")["error"]["contains"]
    for key in ("status", "request_id"):
        assert "V(null) when" in " ".join(fields[key]["description"]), key


def test_the_minimum_python_is_the_one_every_document_states():
    wanted = "%d.%d" % MINIMUM_PYTHON
    assert yaml.safe_load(_read("tests", "config.yml"))["modules"]["python_requires"] == ">=" + wanted
    assert "  - python >= %s\n" % wanted in _read("plugins", "doc_fragments", "transport.py")
    assert "Python %s or newer" % wanted in _read("plugins", "doc_fragments", "cleanup.py")
    assert "**Python %s or newer**" % wanted in _read("README.md")


@pytest.mark.parametrize("module", MODULES)
def test_every_module_checks_the_python_before_importing_anything_else(module):
    source = _read("plugins", "modules", module + ".py")
    assert "from __future__ import annotations" not in source  # an older Python could not even compile the file
    body = [n for n in ast.parse(source).body if isinstance(n, (ast.Import, ast.ImportFrom, ast.Expr))
            and not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]
    first, call = body[0], body[1]
    assert isinstance(first, ast.ImportFrom) and first.module.endswith("._supported_python")
    assert isinstance(call, ast.Expr) and call.value.func.id == "require_supported_python"


@pytest.mark.parametrize("version, refused", [((2, 7, 18), True), ((3, 6, 15), True), ((3, 8, 18), True),
                                              ((3, 9, 0), False), ((3, 13, 1), False)])
def test_the_message_names_the_python_found_and_the_one_needed(version, refused):
    message = unsupported_python_message(version, "/opt/py/bin/python")
    if not refused:
        assert message is None
        return
    assert message == ("cloudjobs.cleanup modules need Python 3.9 or newer; found Python %s at /opt/py/bin/python. "
                       "Set ansible_python_interpreter to a newer Python." % ".".join(map(str, version)))


DELETING = [m for m in MODULES if not m.endswith("_info")]
SHARED_RETURN_KEYS = ("deleted", "already_absent", "not_deleted", "counts", "error", "time_budget_spent", "plan",
                      "plan_applied")
# What each module's error docs say of its own: the service it calls, its operations, (Tencent) its statuses, and
# which naming system its required actions come from.
OWN_ERROR_FIELDS = ("service", "operation", "status", "required_actions")
# What only Huawei's services return (in error and in the not_deleted entries); the Huawei modules share them.
HUAWEI_ONLY_FIELDS = ("error_detail", "encoded_authorization_message")


def _shared(module, key):
    doc = _doc(module, "RETURN")[key]
    if key in ("error", "not_deleted"):
        own = OWN_ERROR_FIELDS if key == "error" else ()
        doc = dict(doc, contains={k: v for k, v in doc["contains"].items() if k not in own + HUAWEI_ONLY_FIELDS})
    return doc


@pytest.mark.parametrize("key", ["error", "not_deleted"])
def test_the_huawei_modules_document_the_service_details_identically(key):
    huawei = [m for m in DELETING if not m.startswith("tencent")]
    details = [{k: v for k, v in _doc(m, "RETURN")[key]["contains"].items() if k in HUAWEI_ONLY_FIELDS} for m in huawei]
    assert set(details[0]) == set(HUAWEI_ONLY_FIELDS) and all(d == details[0] for d in details), huawei


@pytest.mark.parametrize("key", SHARED_RETURN_KEYS)
def test_the_deleting_modules_document_their_shared_return_keys_identically(key):
    """RETURN cannot use doc fragments before ansible-core 2.20, so the shared keys are written in each module;
    this keeps the copies equal (docs/developing.md lists the repetitions that remain)."""
    first = _shared(DELETING[0], key)
    for module in DELETING[1:]:
        assert _shared(module, key) == first, module
