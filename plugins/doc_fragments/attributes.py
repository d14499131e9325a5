# -*- coding: utf-8 -*-
# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details:
      - Check mode makes the same look as a real run and sends no mutating request.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
    details:
      - One line per record (id, name, state, time, two spaces apart, V(-) where unknown). V(before) lists the selected
        records, V(after) those that remain, so the diff shows each deleted record as a removed line.
"""

    INFO_MODULE = r"""
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details:
      - This action does not modify state.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: N/A
    details:
      - This action does not modify state.
"""

    HUAWEICLOUD_GROUP = r"""
attributes:
  action_group:
    description: Use C(group/cloudjobs.cleanup.huaweicloud) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - cloudjobs.cleanup.huaweicloud
"""

    TENCENTCLOUD_GROUP = r"""
attributes:
  action_group:
    description: Use C(group/cloudjobs.cleanup.tencentcloud) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - cloudjobs.cleanup.tencentcloud
"""
