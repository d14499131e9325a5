"""Official SDK clients pointed at the emulator, and the credentials they use.

HOME is redirected first: the Huawei SDK writes under it on import."""

import json
import os
import tempfile
import urllib.error
import urllib.request
from types import SimpleNamespace

os.environ["HOME"] = tempfile.mkdtemp(prefix="cloudjobs-fidelity-")

# pylint: disable=wrong-import-position
from huaweicloudsdkcore.auth.credentials import BasicCredentials  # noqa: E402
from huaweicloudsdkcore.sdk_request import SdkRequest  # noqa: E402
from huaweicloudsdkcore.signer.signer import Signer  # noqa: E402
from huaweicloudsdkmrs.v1 import MrsClient as MrsV1Client  # noqa: E402,F401  pylint: disable=unused-import
from huaweicloudsdkmrs.v2 import MrsClient  # noqa: E402
from huaweicloudsdkworkspace.v2 import WorkspaceClient  # noqa: E402,F401  pylint: disable=unused-import
from tencentcloud.batch.v20170312 import batch_client  # noqa: E402
from tencentcloud.common import credential  # noqa: E402
from tencentcloud.common.profile.client_profile import ClientProfile  # noqa: E402
from tencentcloud.common.profile.http_profile import HttpProfile  # noqa: E402

from emulator import credentials as creds  # noqa: E402

AK, SK = creds.HUAWEI_ACCESS_KEY, creds.HUAWEI_SECRET_KEY
TMP_AK, TMP_SK, TMP_TOKEN = creds.HUAWEI_TEMPORARY_ACCESS_KEY, creds.HUAWEI_TEMPORARY_SECRET_KEY, creds.HUAWEI_TEMPORARY_SECURITY_TOKEN
PROJECT = creds.HUAWEI_PROJECT_ID
TC_ID, TC_KEY = creds.TENCENT_SECRET_ID, creds.TENCENT_SECRET_KEY
TC_TMP_ID, TC_TMP_KEY = creds.TENCENT_TEMPORARY_SECRET_ID, creds.TENCENT_TEMPORARY_SECRET_KEY


def huawei(client_class, emu, ak=AK, sk=SK, token=None, project=PROJECT, credentials=None):
    """``credentials``: a huaweicloudsdkcore credentials object to use instead of ak/sk/token (e.g. a provider's)."""
    if credentials is None:
        credentials = BasicCredentials(ak, sk, project)
        if token:
            credentials = credentials.with_security_token(token)
    return client_class.new_builder().with_credentials(credentials).with_endpoint(emu.url).build()


def tencent(emu, secret_id=TC_ID, secret_key=TC_KEY, token=None, region=creds.TENCENT_REGION, cred=None):
    """``cred``: a tencentcloud credential object to use instead of the keys (e.g. STSAssumeRoleCredential)."""
    if cred is None:
        cred = credential.Credential(secret_id, secret_key, token)
    profile = ClientProfile(httpProfile=HttpProfile(protocol="http", endpoint="127.0.0.1:%d" % emu.port))
    return batch_client.BatchClient(cred, region, profile)


def huawei_call(emu, method, path, body=None, ak=AK, sk=SK, token=None, auth_token=None):
    """``(status, JSON answer)`` of a Huawei call signed with huaweicloudsdkcore's Signer, or with ``auth_token`` an
    IAM token call (the venv has no huaweicloudsdkiam / huaweicloudsdksts)."""
    headers = {"Content-Type": "application/json;charset=UTF-8"}
    data = json.dumps(body).encode() if body is not None else b""
    if auth_token:
        headers["X-Auth-Token"] = auth_token
        uri = path
    else:
        if token:
            headers["X-Security-Token"] = token
        req = SdkRequest(method=method, schema="http", host="127.0.0.1:%d" % emu.port, resource_path=path,
                         query_params=[], header_params=headers, body=data.decode())
        Signer(SimpleNamespace(ak=ak, sk=sk)).sign(req)
        uri, headers = req.uri, req.header_params
    http = urllib.request.Request(emu.url + uri, data=data or None, headers=headers, method=method)
    try:
        with urllib.request.urlopen(http, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
