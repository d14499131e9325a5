"""`--seed demo`: a realistic mix of records in every state for every service."""

import time

from emulator.state import iso

DAY_MS = 86400 * 1000
SECOND_PROJECT = "f9e8d7c6b5a4938271605f4e3d2c1b0a"


def demo_seed():
    now = time.time()
    now_ms = int(now * 1000)
    mrs = []
    kinds = [("FINISHED", 40), ("FINISHED", 12), ("FAILED", 20), ("KILLED", 9), ("FINISHED", 3), ("FAILED", 1),
             ("RUNNING", 0), ("ACCEPTED", 0), ("SUBMITTED", 0), ("NEW", 0)]
    types = ["SparkSubmit", "HiveSql", "MapReduce", "Flink", "DistCp"]
    users = ["etl", "analyst", "admin"]
    for cluster_index, cluster in enumerate(("mrs-prod-etl", "mrs-adhoc")):
        for i in range(15):
            state, age_days = kinds[i % len(kinds)]
            mrs.append({
                "job_id": "%s-%04d-9c1e-4f7a-8b2d-%012d" % (("6b1f2c3d", "a7e8f9a0")[cluster_index], i, i),
                "job_name": ("nightly-etl-%02d" if i % 3 else "adhoc-query-%02d") % i,
                "job_state": state,
                "job_type": types[i % len(types)],
                "user": users[i % len(users)],
                "queue": "default" if i % 2 else "etl",
                "submitted_time": now_ms - age_days * DAY_MS - i * 60000,
                "cluster_id": cluster,
            })
    mrs.append({"job_id": "b0b0b0b0-0000-4000-8000-000000000001", "job_name": "other-project-job",
                "job_state": "FINISHED", "cluster_id": "mrs-prod-etl", "project_id": SECOND_PROJECT,
                "submitted_time": now_ms - 30 * DAY_MS})
    mrs_v1 = [{"id": "c1d2e3f4-0000-4000-8000-%012d" % i, "job_name": "wordcount-%d" % i,
               "job_state": (3, 4, 2, -1, 3)[i % 5], "cluster_id": "mrs-legacy",
               "create_at": now_ms - (i + 1) * 5 * DAY_MS} for i in range(10)]
    workspace = []
    for i in range(20):
        scheduled = ("FIXED_TIME", "DAY", "WEEK", "MONTH", "LIFE_CYCLE")[i % 5]
        expired = i % 4 == 0
        workspace.append({
            "id": "d4e5f6a7-0000-4000-8000-%012d" % i,
            "task_name": ("tmp-reboot-%02d" if i % 2 else "nightly-snapshot-%02d") % i,
            "task_type": ("REBOOT", "CREATE_SNAPSHOT", "EXECUTE_SCRIPT", "STOP")[i % 4],
            "scheduled_type": scheduled,
            "enable": i % 3 != 0,
            "last_status": ("SUCCESS", "FAIL", "SKIP")[i % 3],
            "expire_time": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(now + (-86400 if expired else 86400 * 90))),
            "time_zone": "UTC",
        })
    tencent = []
    states = ["SUCCEED", "SUCCEED", "FAILED", "SUCCEED", "FAILED", "RUNNING", "SUBMITTED", "PENDING", "RUNNABLE",
              "STARTING", "FAILED_INTERRUPTED", "SUCCEED", "FAILED", "SUCCEED", "SUCCEED", "FAILED", "RUNNING",
              "SUCCEED", "FAILED", "SUCCEED"]
    for i, job_state in enumerate(states):
        job = {"JobId": "job-%08x" % (0x5a000000 + i), "JobName": ("render-%02d" if i % 2 else "train-%02d") % i,
               "JobState": job_state, "CreateTime": iso(now - (i % 7 + 1) * 2 * 86400),
               "Zone": ("ap-guangzhou-3", "ap-guangzhou-4")[i % 2],
               "Tags": [{"Key": "team", "Value": ("vfx", "ml")[i % 2]}]}
        if i == 12:  # failed, but one task instance is still running: not deletable yet
            job["TaskInstanceMetrics"] = {"SubmittedCount": 0, "PendingCount": 0, "RunnableCount": 0,
                                          "StartingCount": 0, "RunningCount": 1, "SucceedCount": 2,
                                          "FailedInterruptedCount": 0, "FailedCount": 1}
        tencent.append(job)
    tencent.append({"JobId": "job-5b000001", "JobName": "render-shanghai", "JobState": "SUCCEED",
                    "Region": "ap-shanghai", "CreateTime": iso(now - 20 * 86400)})
    return {"mrs": mrs, "mrs_clusters": ["mrs-prod-etl", "mrs-adhoc", "mrs-empty"], "mrs_v1": mrs_v1,
            "workspace": workspace, "tencent": tencent}
