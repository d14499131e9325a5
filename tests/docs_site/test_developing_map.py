"""docs/developing.md is the map of the house: every file under plugins/module_utils/ has a row in its table, and
every file the table names exists."""

import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODULE_UTILS = os.path.join(ROOT, "plugins", "module_utils")


def table_files():
    with open(os.path.join(ROOT, "docs", "developing.md"), encoding="utf-8") as f:
        text = f.read()
    rows = [line for line in text.split("## Where things happen", 1)[1].split("\n## ", 1)[0].splitlines()
            if line.startswith("| ")]
    return {name for row in rows for name in re.findall(r"`(_\w+\.py)`", row.split("|")[2])}


def test_every_module_utils_file_is_on_the_map():
    files = {f for f in os.listdir(MODULE_UTILS) if f.endswith(".py") and f != "__init__.py"}
    assert files - table_files() == set(), "module_utils files without a row in docs/developing.md"


def test_every_file_on_the_map_exists():
    files = {f for f in os.listdir(MODULE_UTILS) if f.endswith(".py")}
    assert table_files() - files == set(), "docs/developing.md names files that do not exist"
