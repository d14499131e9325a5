#!/usr/bin/env bash
# Starts the cloud emulator, runs the playbook against it, then the runs that need a clean environment:
# credentials from environment variables only, and an ad-hoc `ansible localhost -m` command.
set -eux
# shellcheck source=../setup_emulator/emulator.sh
source ../setup_emulator/emulator.sh

ansible-playbook playbook.yml -e "emulator_url=$EMULATOR_URL" "$@"

# Credentials from environment variables only: the playbook names no credential option at all.
HW_ACCESS_KEY=EMULATORAK00000000000 \
HW_SECRET_KEY=EMULATORSK0000000000000000000000000000000 \
HW_REGION_NAME=cn-north-4 \
HW_PROJECT_ID=0a1b2c3d4e5f60718293a4b5c6d7e8f9 \
    ansible-playbook env_credentials.yml -e "emulator_url=$EMULATOR_URL" "$@"

# An ad-hoc run, as an operator would type it.
emulator_call POST /_emulator/reset "{}" > /dev/null
emulator_call POST /_emulator/seed '{"mrs": [{"job_id": "adhoc-0001", "job_name": "adhoc", "job_state": "FINISHED", "job_result": "SUCCEEDED", "cluster_id": "cluster-adhoc"}]}' > /dev/null
out="$(HUAWEICLOUD_SDK_AK=EMULATORAK00000000000 HUAWEICLOUD_SDK_SK=EMULATORSK0000000000000000000000000000000 \
    HW_REGION_NAME=cn-north-4 HUAWEICLOUD_SDK_PROJECT_ID=0a1b2c3d4e5f60718293a4b5c6d7e8f9 \
    ansible localhost -m cloudjobs.cleanup.mrs_job_executions \
    -a "cluster_id=cluster-adhoc job_execution_ids=adhoc-0001 endpoint=$EMULATOR_URL" "$@")"
echo "$out"
echo "$out" | grep -q 'CHANGED'
echo "$out" | grep -q '"adhoc-0001"'
out="$(HUAWEICLOUD_SDK_AK=EMULATORAK00000000000 HUAWEICLOUD_SDK_SK=EMULATORSK0000000000000000000000000000000 \
    HW_REGION_NAME=cn-north-4 HUAWEICLOUD_SDK_PROJECT_ID=0a1b2c3d4e5f60718293a4b5c6d7e8f9 \
    ansible localhost -m cloudjobs.cleanup.mrs_job_executions \
    -a "cluster_id=cluster-adhoc job_execution_ids=adhoc-0001 endpoint=$EMULATOR_URL" "$@")"
echo "$out" | grep -q 'SUCCESS'
! echo "$out" | grep -q 'EMULATORSK'
