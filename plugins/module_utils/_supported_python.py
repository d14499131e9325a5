# -*- coding: utf-8 -*-
# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Python the modules need, checked before any other part of the collection is imported.

PRIVATE to this collection; no stability promise.

This file keeps to syntax every Python can read (no annotations, no f-strings): on an older Python the rest of
the collection would stop with a SyntaxError traceback or, worse, behave differently (Python 3.8 has no
zoneinfo), so this check runs first and fails the task with one line, the way ansible-core's own
module_utils.basic refuses a Python older than it supports.
"""

import json
import sys

# Keep in step with tests/config.yml (modules: python_requires), the module docs and the README.
MINIMUM_PYTHON = (3, 9)


def unsupported_python_message(version_info, executable):
    """The one line a run on an older Python fails with, or None on a supported Python."""
    if tuple(version_info[:2]) >= MINIMUM_PYTHON:
        return None
    return ("cloudjobs.cleanup modules need Python %d.%d or newer; found Python %s at %s. "
            "Set ansible_python_interpreter to a newer Python." % (
                MINIMUM_PYTHON[0], MINIMUM_PYTHON[1], ".".join(str(part) for part in version_info[:3]), executable))


def require_supported_python():
    """Fail the module run, as fail_json would, when this Python is older than ``MINIMUM_PYTHON``."""
    message = unsupported_python_message(sys.version_info, sys.executable)
    if message is not None:
        # No AnsibleModule (and so no fail_json) can exist yet: its imports need the newer Python. This writes
        # the result fail_json would, as ansible-core's module_utils.basic does for its own minimum.
        print(json.dumps({"failed": True, "msg": message}))  # pylint: disable=ansible-bad-function
        sys.exit(1)  # pylint: disable=ansible-bad-function
