# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tencent Cloud connection settings: which options and variables are required, and what is refused."""

from __future__ import annotations

import pytest

from ansible_collections.cloudjobs.cleanup.plugins.module_utils import _tencent, _tencent_credentials
from ansible_collections.cloudjobs.cleanup.plugins.module_utils._errors import ConfigurationError


def test_missing_tencent_credentials_name_the_variables(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))  # no tccli profile, no SDK credentials file
    monkeypatch.setattr(_tencent_credentials, "SYSTEM_CREDENTIALS_FILE", str(tmp_path / "etc-credentials"))
    with pytest.raises(ConfigurationError, match="TENCENTCLOUD_SECRET_ID"):
        _tencent.check_params({"region": "ap-guangzhou"})
    with pytest.raises(ConfigurationError, match="rate_limit"):
        _tencent.check_params({"secret_id": "a", "secret_key": "b", "region": "r", "rate_limit": 0})
