"""docs/emulator.md keeps up with the emulator: its settings table lists every setting, and its description of the
request log every field an entry has."""

import os
import re
import urllib.error
import urllib.request

from emulator.harness import EMULATOR_DIR
from emulator.state import DEFAULT_CONFIG

PAGE = os.path.join(os.path.dirname(os.path.dirname(EMULATOR_DIR)), "docs", "emulator.md")


def _page():
    with open(PAGE, encoding="utf-8") as f:
        return f.read()


def test_the_settings_table_lists_every_setting():
    section = _page().split("### Settings", 1)[1]
    documented = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            documented.update(re.findall(r"`(\w+)`", line.split("|")[1]))
    assert sorted(set(DEFAULT_CONFIG) - documented) == []
    assert sorted(documented - set(DEFAULT_CONFIG)) == []


def test_the_log_description_names_every_field(emulator):
    try:
        urllib.request.urlopen(emulator.url + "/no/such/api", timeout=10).close()
    except urllib.error.HTTPError as error:
        error.close()
    [entry] = emulator.requests()
    described = re.search(r"Each request log entry is `\{([^}]*)\}`", _page()).group(1)
    assert sorted(re.findall(r'"(\w+)"', described)) == sorted(entry)
