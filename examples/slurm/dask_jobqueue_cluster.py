"""Start a Dask cluster on SLURM with dask-jobqueue and write its scheduler file.

    pip install dask-jobqueue        # not a dependency of the project
    python examples/slurm/dask_jobqueue_cluster.py --jobs 8 &
    python run.py sweep scenarios/sweeps/levers_sobol.yaml --scheduler-file scheduler.json

The sweep sends batches of runs to the workers through Dask's
``concurrent.futures`` executor; finished runs are committed in chunks, so if
the allocation ends, rerun the same command with ``--resume``.
"""

import argparse
import json
import time

from dask_jobqueue import SLURMCluster


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=4, help="SLURM jobs, one Dask worker process each")
    parser.add_argument("--cores", type=int, default=1)
    parser.add_argument("--memory", default="2GB")
    parser.add_argument("--walltime", default="02:00:00")
    parser.add_argument("--scheduler-file", default="scheduler.json")
    args = parser.parse_args()

    cluster = SLURMCluster(cores=args.cores, processes=args.cores, memory=args.memory, walltime=args.walltime)
    cluster.scale(jobs=args.jobs)
    with open(args.scheduler_file, "w") as handle:
        json.dump(cluster.scheduler_info, handle, default=str)
    print(f"scheduler at {cluster.scheduler_address}; info in {args.scheduler_file}")
    try:
        while True:
            time.sleep(60)
    except KeyboardInterrupt:
        cluster.close()


if __name__ == "__main__":
    main()
