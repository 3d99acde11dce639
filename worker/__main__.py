"""``python -m worker``: the same as ``reshelf worker``."""

from worker.cli import worker_command

if __name__ == "__main__":
    worker_command()
