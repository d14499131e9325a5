# Copyright: Contributors to the cloudjobs.cleanup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connection options of both clouds: environment fallbacks, no_log, and the doc fragments that document them."""

from __future__ import annotations

import os

import pytest
import yaml

from ansible_collections.cloudjobs.cleanup.plugins.module_utils import _huawei, _tencent

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))


def test_env_fallbacks_match_the_design():
    spec = _huawei.HUAWEICLOUD_ARGUMENT_SPEC
    assert spec["access_key"]["fallback"][1] == ["HW_ACCESS_KEY", "HUAWEICLOUD_SDK_AK"]
    assert spec["secret_key"]["no_log"] and spec["security_token"]["no_log"] and spec["auth_token"]["no_log"]
    assert _tencent.TENCENTCLOUD_ARGUMENT_SPEC["security_token"]["fallback"][1] == [
        "TENCENTCLOUD_SECURITY_TOKEN", "TENCENTCLOUD_TOKEN"]
    tencent = _tencent.TENCENTCLOUD_ARGUMENT_SPEC
    assert {name: tencent[name]["fallback"][1] for name in ("profile", "shared_credentials_dir", "cam_role_name")} == {
        "profile": ["TENCENTCLOUD_PROFILE"], "shared_credentials_dir": ["TENCENTCLOUD_SHARED_CREDENTIALS_DIR"],
        "cam_role_name": ["TENCENTCLOUD_CAM_ROLE_NAME"]}
    assert set(tencent["assume_role"]["options"]) == {"role_arn", "session_name", "session_duration"}


def test_huawei_credential_sources_are_named_as_the_issue_names_them():
    spec = _huawei.HUAWEICLOUD_ARGUMENT_SPEC
    assert spec["profile"]["fallback"][1] == ["HW_PROFILE"]
    assert spec["shared_config_file"]["fallback"][1] == ["HW_SHARED_CONFIG_FILE"]
    assert "default" not in spec["shared_config_file"]  # ~/.hcloud/config.json is read only when asked for
    assert spec["sts_endpoint"]["fallback"][1] == ["HUAWEICLOUD_SDK_STS_ENDPOINT"]
    assert spec["instance_credentials"]["default"] is False
    assert spec["metadata_endpoint"]["default"] == "http://169.254.169.254"
    assert set(spec["assume_role"]["options"]) == {"agency_name", "domain_name", "domain_id", "duration"}


@pytest.mark.parametrize("fragment, spec", [("huaweicloud", _huawei.HUAWEICLOUD_ARGUMENT_SPEC),
                                            ("tencentcloud", _tencent.TENCENTCLOUD_ARGUMENT_SPEC)])
def test_doc_fragments_document_exactly_the_argument_spec(fragment, spec):
    options = {}
    for name in (fragment, "transport"):  # each cloud's own options, and the HTTP options both share
        namespace = {}
        with open(os.path.join(ROOT, "plugins", "doc_fragments", name + ".py"), encoding="utf-8") as f:
            exec(compile(f.read(), name, "exec"), namespace)  # pylint: disable=exec-used
        options.update(yaml.safe_load(namespace["ModuleDocFragment"].DOCUMENTATION)["options"])
    assert set(options) == set(spec)
    for name, option in options.items():
        assert option["type"] == spec[name]["type"], name
        assert option.get("default") == spec[name].get("default"), name
