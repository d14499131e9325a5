"""The official SDKs write under HOME when some of their modules are imported: give them a throwaway one."""

import os
import tempfile

os.environ["HOME"] = tempfile.mkdtemp(prefix="cloudjobs-signers-")
