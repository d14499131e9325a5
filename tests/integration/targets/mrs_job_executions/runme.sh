#!/usr/bin/env bash
# Starts the cloud emulator, runs the playbook against it, then the runs that need a clean environment:
# credentials from environment variables only, and an ad-hoc `ansible localhost -m` command.
set -eux
# shellcheck source=../setup_emulator/emulator.sh
source ../setup_emulator/emulator.sh

ansible-playbook playbook.yml -e "emulator_url=$EMULATOR_URL" "$@"

# Credentials from environment variables only: the playbook names no credential option at all.
HW_ACCESS_KEY="$EMULATOR_HUAWEI_ACCESS_KEY" \
HW_SECRET_KEY="$EMULATOR_HUAWEI_SECRET_KEY" \
HW_REGION_NAME="$EMULATOR_HUAWEI_REGION" \
HW_PROJECT_ID="$EMULATOR_HUAWEI_PROJECT_ID" \
    ansible-playbook env_credentials.yml -e "emulator_url=$EMULATOR_URL" "$@"

# An ad-hoc run, as an operator would type it.
emulator_call POST /_emulator/reset "{}" > /dev/null
emulator_call POST /_emulator/seed '{"mrs": [{"job_id": "adhoc-0001", "job_name": "adhoc", "job_state": "FINISHED", "job_result": "SUCCEEDED", "cluster_id": "cluster-adhoc"}]}' > /dev/null
out="$(HUAWEICLOUD_SDK_AK="$EMULATOR_HUAWEI_ACCESS_KEY" HUAWEICLOUD_SDK_SK="$EMULATOR_HUAWEI_SECRET_KEY" \
    HW_REGION_NAME="$EMULATOR_HUAWEI_REGION" HUAWEICLOUD_SDK_PROJECT_ID="$EMULATOR_HUAWEI_PROJECT_ID" \
    ansible localhost -m cloudjobs.cleanup.mrs_job_executions \
    -a "cluster_id=cluster-adhoc job_execution_ids=adhoc-0001 endpoint=$EMULATOR_URL" "$@")"
echo "$out"
echo "$out" | grep -q 'CHANGED'
echo "$out" | grep -q '"adhoc-0001"'
out="$(HUAWEICLOUD_SDK_AK="$EMULATOR_HUAWEI_ACCESS_KEY" HUAWEICLOUD_SDK_SK="$EMULATOR_HUAWEI_SECRET_KEY" \
    HW_REGION_NAME="$EMULATOR_HUAWEI_REGION" HUAWEICLOUD_SDK_PROJECT_ID="$EMULATOR_HUAWEI_PROJECT_ID" \
    ansible localhost -m cloudjobs.cleanup.mrs_job_executions \
    -a "cluster_id=cluster-adhoc job_execution_ids=adhoc-0001 endpoint=$EMULATOR_URL" "$@")"
echo "$out" | grep -q 'SUCCESS'
! echo "$out" | grep -qF "$EMULATOR_HUAWEI_SECRET_KEY"
