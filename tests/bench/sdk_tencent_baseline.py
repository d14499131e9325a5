"""Baseline without the collection: the official Python SDK, one DeleteJob after another."""

import os
import sys
import tempfile

os.environ["HOME"] = tempfile.mkdtemp(prefix="cloudjobs-bench-")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# pylint: disable=wrong-import-position
from tencentcloud.batch.v20170312 import batch_client, models  # noqa: E402
from tencentcloud.common import credential  # noqa: E402
from tencentcloud.common.profile.client_profile import ClientProfile  # noqa: E402
from tencentcloud.common.profile.http_profile import HttpProfile  # noqa: E402

from emulator import credentials as creds  # noqa: E402


def main(port, ids):
    client = batch_client.BatchClient(
        credential.Credential(creds.TENCENT_SECRET_ID, creds.TENCENT_SECRET_KEY),
        creds.TENCENT_REGION,
        ClientProfile(httpProfile=HttpProfile(protocol="http", endpoint="127.0.0.1:%s" % port)),
    )
    for job_id in ids:
        request = models.DeleteJobRequest()
        request.JobId = job_id
        client.DeleteJob(request)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2].split(","))
