"""Executes a notebook headlessly with nbclient on the tslab kernel and writes the executed copy.

usage: run_notebook.py <notebook.ipynb> <out.ipynb> [timeout-seconds]
Exit code 1 (with the failing cell's error) when any cell raises.
"""
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def main() -> int:
    src, out = Path(sys.argv[1]), Path(sys.argv[2])
    timeout = int(sys.argv[3]) if len(sys.argv) > 3 else 600
    nb = nbformat.read(src, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="tslab",
                            resources={"metadata": {"path": str(src.parent.resolve())}})
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        client.execute()
    except CellExecutionError as err:
        nbformat.write(nb, out)
        print(f"{src}: {err}", file=sys.stderr)
        return 1
    nbformat.write(nb, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
