#!/usr/bin/env bash
# Starts the cloud emulator, runs the playbook against it, then a run with credentials from environment
# variables only and an ad-hoc `ansible localhost -m` command.
set -eux
# shellcheck source=../setup_emulator/emulator.sh
source ../setup_emulator/emulator.sh

ansible-playbook playbook.yml -e "emulator_url=$EMULATOR_URL" "$@"

emulator_call POST /_emulator/reset '{}' > /dev/null
emulator_call POST /_emulator/seed '{"workspace": [{"id": "adhoc-task", "task_name": "adhoc", "task_type": "REBOOT", "scheduled_type": "FIXED_TIME"}]}' > /dev/null
export HW_ACCESS_KEY="$EMULATOR_HUAWEI_ACCESS_KEY" HW_SECRET_KEY="$EMULATOR_HUAWEI_SECRET_KEY"
export HW_REGION_NAME="$EMULATOR_HUAWEI_REGION" HW_PROJECT_ID="$EMULATOR_HUAWEI_PROJECT_ID"
out="$(ansible localhost -m cloudjobs.cleanup.workspace_scheduled_tasks -a "task_ids=adhoc-task endpoint=$EMULATOR_URL" "$@")"
echo "$out"
echo "$out" | grep -q 'CHANGED'
out="$(ansible localhost -m cloudjobs.cleanup.workspace_scheduled_tasks -a "task_ids=adhoc-task endpoint=$EMULATOR_URL" "$@")"
echo "$out" | grep -q 'SUCCESS'
echo "$out" | grep -q '"already_absent"'
