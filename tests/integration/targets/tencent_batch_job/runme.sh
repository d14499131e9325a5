#!/usr/bin/env bash
# Starts the cloud emulator, runs the playbook against it, then a run with credentials from the
# TENCENTCLOUD_* variables only and an ad-hoc `ansible localhost -m` command.
set -eux
# shellcheck source=../setup_emulator/emulator.sh
source ../setup_emulator/emulator.sh

ansible-playbook playbook.yml -e "emulator_url=$EMULATOR_URL" "$@"

emulator_call POST /_emulator/reset '{}' > /dev/null
emulator_call POST /_emulator/seed '{"tencent": [{"JobId": "job-adhoc001", "JobName": "adhoc", "JobState": "SUCCEED"}]}' > /dev/null
export TENCENTCLOUD_SECRET_ID="$EMULATOR_TENCENT_SECRET_ID"
export TENCENTCLOUD_SECRET_KEY="$EMULATOR_TENCENT_SECRET_KEY"
export TENCENTCLOUD_REGION="$EMULATOR_TENCENT_REGION"
ansible-playbook env_credentials.yml -e "emulator_url=$EMULATOR_URL" "$@"
out="$(ansible localhost -m cloudjobs.cleanup.tencent_batch_job -a "job_id=job-adhoc001 endpoint=$EMULATOR_URL" "$@")"
echo "$out"
echo "$out" | grep -q 'CHANGED'
out="$(ansible localhost -m cloudjobs.cleanup.tencent_batch_job -a "job_id=job-adhoc001 endpoint=$EMULATOR_URL" "$@")"
echo "$out" | grep -q 'SUCCESS'
! echo "$out" | grep -qF "$EMULATOR_TENCENT_SECRET_KEY"
