"""Official SDK clients pointed at the emulator, and the credentials they use.

HOME is redirected first: the Huawei SDK writes under it on import."""

import os
import tempfile

os.environ["HOME"] = tempfile.mkdtemp(prefix="cloudjobs-fidelity-")

# pylint: disable=wrong-import-position
from huaweicloudsdkcore.auth.credentials import BasicCredentials  # noqa: E402
from huaweicloudsdkmrs.v1 import MrsClient as MrsV1Client  # noqa: E402,F401  pylint: disable=unused-import
from huaweicloudsdkmrs.v2 import MrsClient  # noqa: E402
from huaweicloudsdkworkspace.v2 import WorkspaceClient  # noqa: E402,F401  pylint: disable=unused-import
from tencentcloud.batch.v20170312 import batch_client  # noqa: E402
from tencentcloud.common import credential  # noqa: E402
from tencentcloud.common.profile.client_profile import ClientProfile  # noqa: E402
from tencentcloud.common.profile.http_profile import HttpProfile  # noqa: E402

AK, SK = "EMULATORAK00000000000", "EMULATORSK0000000000000000000000000000000"
TMP_AK, TMP_SK, TMP_TOKEN = "EMULATORTMPAK000000000", "EMULATORTMPSK00000000000000000000000000000", "emulator-security-token"
PROJECT = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
TC_ID, TC_KEY = "AKIDEMULATOR00000000000000000000000", "EMULATORKEY0000000000000000000000"


def huawei(client_class, emu, ak=AK, sk=SK, token=None, project=PROJECT):
    creds = BasicCredentials(ak, sk, project)
    if token:
        creds = creds.with_security_token(token)
    return client_class.new_builder().with_credentials(creds).with_endpoint(emu.url).build()


def tencent(emu, secret_id=TC_ID, secret_key=TC_KEY, token=None, region="ap-guangzhou"):
    cred = credential.Credential(secret_id, secret_key, token)
    profile = ClientProfile(httpProfile=HttpProfile(protocol="http", endpoint="127.0.0.1:%d" % emu.port))
    return batch_client.BatchClient(cred, region, profile)
