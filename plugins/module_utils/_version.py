# -*- coding: utf-8 -*-
# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's version, as sent in the User-Agent. PRIVATE to this collection; no stability promise."""

from __future__ import annotations

COLLECTION_VERSION = "1.2.0"  # kept equal to galaxy.yml's version by a unit test
USER_AGENT = "cloudjobs.cleanup/%s" % COLLECTION_VERSION
