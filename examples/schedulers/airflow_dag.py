"""Load the orders example one day per Airflow run, with retries that follow idem's exit codes.

Each run loads the day windows overlapping its data interval. A retry redoes only what is not
done (windows already loaded are reported UNCHANGED), so Airflow's retries and backfills
(`airflow dags backfill`) are safe. See examples/schedulers/README.md.
"""

import os
import subprocess

import pendulum
from airflow import DAG
from airflow.exceptions import AirflowException, AirflowFailException
from airflow.operators.python import PythonOperator

# Where idem is installed (the repository's ./idem script, or bin/idem of a distribution).
IDEM = os.environ.get("IDEM", "./idem")
PIPELINE = os.environ.get("IDEM_PIPELINE", "examples/orders/pipeline.yaml")

# The command line each run executes, after Airflow renders the templates. The test
# SchedulerExamplesTest reads this list (between the markers), renders it as Airflow would and
# checks that idem accepts it and loads the right windows.
# idem-command-begin
IDEM_COMMAND = [
    "run",
    PIPELINE,
    "--data-interval-start",
    "{{ data_interval_start }}",
    "--data-interval-end",
    "{{ data_interval_end }}",
    "--logical-date",
    "{{ logical_date }}",
    "--run-id",
    "{{ run_id }}",
]
# idem-command-end

# idem's exit codes (docs/exit-codes.md) and what a retry does about them.
DONE = 0
RETRY = {1, 3, 4, 130, 143}  # failed, partly done, held by a live runner, stopped by a signal
NO_RETRY = {2}  # bad usage or pipeline file: nothing was attempted, a retry fails the same way


def run_idem(templates_dict, **_):
    """Runs idem with the rendered arguments; maps its exit code to Airflow's retry behaviour."""
    args = [IDEM] + [templates_dict.get(str(i), a) for i, a in enumerate(IDEM_COMMAND)]
    # idem reads IDEM_* variables as option defaults; a flag on the command line wins
    env = {**os.environ, "IDEM_LOCK_TIMEOUT": os.environ.get("IDEM_LOCK_TIMEOUT", "2m")}
    code = subprocess.run(args, env=env, check=False).returncode
    if code == DONE:
        return
    if code in NO_RETRY:
        raise AirflowFailException(f"idem exited {code}: fix the command line or pipeline file")
    raise AirflowException(f"idem exited {code}: a retry loads what is not done")


with DAG(
    dag_id="idem_orders",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 3, 1, tz="UTC"),
    end_date=pendulum.datetime(2024, 3, 5, tz="UTC"),
    catchup=True,
    max_active_runs=4,  # runs of different days load different windows; idem's leases fence overlaps
    default_args={"retries": 3, "retry_delay": pendulum.duration(minutes=1)},
) as dag:
    PythonOperator(
        task_id="load_orders",
        python_callable=run_idem,
        # Airflow renders templates_dict; the indexes keep each argument in its place
        templates_dict={str(i): a for i, a in enumerate(IDEM_COMMAND) if "{{" in a},
    )
