"""Load the orders example one daily partition per Dagster run, retried by idem's exit codes.

Each partition's run loads the day windows overlapping the partition's time window. A retry
redoes only what is not done, so Dagster's retries and backfills of many partitions are safe.
See examples/schedulers/README.md.
"""

import os
import subprocess

from dagster import (
    DailyPartitionsDefinition,
    Definitions,
    Failure,
    OpExecutionContext,
    RetryRequested,
    job,
    op,
)

IDEM = os.environ.get("IDEM", "./idem")
PIPELINE = os.environ.get("IDEM_PIPELINE", "examples/orders/pipeline.yaml")

partitions = DailyPartitionsDefinition(start_date="2024-03-01", end_date="2024-03-06")

# The command line each partition's run executes, after str.format with the partition's values.
# The test SchedulerExamplesTest reads this list (between the markers), fills it in as run_idem
# does and checks that idem accepts it and loads the right windows.
# idem-command-begin
IDEM_COMMAND = [
    "run",
    PIPELINE,
    "--data-interval-start",
    "{partition_start}",
    "--data-interval-end",
    "{partition_end}",
    "--logical-date",
    "{partition_key}",
    "--run-id",
    "{run_id}",
]
# idem-command-end

# idem's exit codes (docs/exit-codes.md): 0 done; 2 bad usage or pipeline file (a retry fails the
# same way); 1, 3, 4, 130, 143 failed, partly done, held or stopped: a retry loads what is not done.
NO_RETRY = {2}


@op
def load_orders(context: OpExecutionContext):
    window = context.partition_time_window
    values = {
        # datetime.isoformat(): 2024-03-02T00:00:00+00:00
        "partition_start": window.start.isoformat(),
        "partition_end": window.end.isoformat(),
        "partition_key": context.partition_key,  # 2024-03-02
        "run_id": context.run_id,
    }
    args = [IDEM] + [a.format(**values) for a in IDEM_COMMAND]
    code = subprocess.run(args, check=False).returncode
    if code == 0:
        return
    if code in NO_RETRY:
        raise Failure(description=f"idem exited {code}: fix the command line or pipeline file")
    # a retry of the same partition loads only what is not done
    raise RetryRequested(max_retries=3, seconds_to_wait=60)


@job(partitions_def=partitions)
def idem_orders():
    load_orders()


defs = Definitions(jobs=[idem_orders])
