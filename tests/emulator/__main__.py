"""`python tests/emulator --port 0 --port-file F [--seed demo]` or `--print-credentials json|shell|yaml`: see
docs/emulator.md."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from emulator.cli import main  # noqa: E402  pylint: disable=wrong-import-position

sys.exit(main())
