"""Interrupts a notebook's long-running cell on the tslab kernel, as a person pressing "interrupt" would,
and writes a JSON summary of what happened, for the interrupt tests (this file owns that harness).

usage: interrupt_notebook.py <notebook.ipynb> <summary.json> --cell-match REGEX
                             (--until-file GLOB | --until-output REGEX)... [--then CODE]...
                             [--timeout SECONDS] [--trigger-timeout SECONDS]

1. starts the tslab kernel in the notebook's folder (it inherits this process's environment:
   CXRLAB_SET, MLFLOW_TRACKING_URI, ...) and runs every code cell before the first one whose source
   matches --cell-match;
2. starts that cell and waits until it is demonstrably under way: a file matching --until-file exists
   (a glob, e.g. the run folder's first checkpoint; a small file's text is kept in the summary, as it was
   at that moment), or its output matches --until-output;
3. interrupts the kernel (KernelManager.interrupt_kernel: SIGINT to the kernel's process group) and
   waits for the cell's execute_reply;
4. runs each --then cell in the same kernel, in order (tslab aborts requests for 200 ms after a failed
   cell, so an aborted request is retried and the attempts are counted);
5. writes the summary and shuts the kernel down.

The summary holds, per cell: its role (setup / interrupted / then), source, reply status, outputs in
Jupyter's shape (stream, display_data, update_display_data, execute_result, error) with the seconds since
the kernel started at which each arrived, and the cell's start and end; the trigger (what matched, when);
the interrupt (when sent, how long until the reply, whether the cell had already finished); whether the
kernel was still alive at the end; and a harness-level `error` (a timeout, a failing setup cell), which
also makes the exit code 1. Output that arrives for an earlier cell after its reply (tslab forwards a
finished cell's background output to it until another cell starts) stays with that cell.
"""
from __future__ import annotations

import argparse
import glob
import json
import queue
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import nbformat
from jupyter_client.manager import KernelManager

POLL_S = 0.1
ABORT_RETRY_PAUSE_S = 0.3
ABORT_RETRIES = 20
MAX_CONTENT = 65536


class HarnessError(Exception):
    """The protocol could not be followed (a timeout, a failing setup cell); goes into the summary."""


@dataclass
class Cell:
    role: str
    source: str
    msg_id: str = ""
    started: float = 0.0
    finished: float | None = None
    status: str | None = None
    attempts: int = 0
    idle: bool = False
    outputs: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "source": self.source,
            "status": self.status,
            "attempts": self.attempts,
            "started": self.started,
            "finished": self.finished,
            "outputs": self.outputs,
        }

    def text(self) -> str:
        parts = []
        for o in self.outputs:
            if o["output_type"] == "stream":
                parts.append(o["text"])
            elif "data" in o:
                parts.append(str(o["data"].get("text/plain", "")))
        return "".join(parts)


class Session:
    """One kernel and the cells sent to it; `pump` routes every message to its cell by parent id."""

    def __init__(self, km: KernelManager, t0: float):
        self.km = km
        self.kc = km.client()
        self.t0 = t0
        self.cells: list[Cell] = []
        self.by_msg: dict[str, Cell] = {}
        self.stray: list[dict[str, Any]] = []

    def now(self) -> float:
        return round(time.monotonic() - self.t0, 3)

    def send(self, cell: Cell) -> None:
        cell.msg_id = self.kc.execute(cell.source, store_history=True, allow_stdin=False)
        cell.started = self.now()
        cell.attempts += 1
        cell.status, cell.finished, cell.idle = None, None, False
        self.by_msg[cell.msg_id] = cell
        if cell not in self.cells:
            self.cells.append(cell)

    def pump(self, done: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            if time.monotonic() > deadline:
                raise HarnessError(f"timed out after {timeout:.0f} s waiting for {what}")
            self._drain_shell()
            try:
                self._on_iopub(self.kc.get_iopub_msg(timeout=POLL_S))
            except queue.Empty:
                pass
            if not self.km.is_alive():
                raise HarnessError(f"the kernel died while waiting for {what}")

    def _drain_shell(self) -> None:
        while True:
            try:
                msg = self.kc.get_shell_msg(timeout=0)
            except queue.Empty:
                return
            cell = self.by_msg.get(msg["parent_header"].get("msg_id", ""))
            if cell and msg["msg_type"] == "execute_reply":
                cell.status = msg["content"].get("status")
                cell.finished = self.now()

    def _on_iopub(self, msg: dict[str, Any]) -> None:
        kind, content = msg["msg_type"], msg["content"]
        cell = self.by_msg.get(msg["parent_header"].get("msg_id", ""))
        if kind == "status":
            if cell and content.get("execution_state") == "idle":
                cell.idle = True
            return
        if kind in ("execute_input", "clear_output"):
            return
        output: dict[str, Any] = {"output_type": kind, "at": self.now()}
        if kind == "stream":
            output.update(name=content["name"], text=content["text"])
        elif kind in ("display_data", "update_display_data", "execute_result"):
            output.update(data=content.get("data", {}))
        elif kind == "error":
            output.update(ename=content.get("ename"), evalue=content.get("evalue"), traceback=content.get("traceback", []))
        if cell:
            cell.outputs.append(output)
        else:
            self.stray.append(output)

    def run(self, cell: Cell, timeout: float) -> Cell:
        """Sends `cell` and waits for its reply and idle status; an aborted request is sent again."""
        for _ in range(ABORT_RETRIES):
            self.send(cell)
            self.pump(lambda: cell.status is not None and cell.idle, timeout, f"the {cell.role} cell to finish: {first_line(cell.source)}")
            if cell.status not in ("abort", "aborted"):
                return cell
            time.sleep(ABORT_RETRY_PAUSE_S)
        return cell


def first_line(source: str) -> str:
    return source.strip().splitlines()[0] if source.strip() else "(empty)"


def code_cells(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "code"]


def split_at(cells: list[str], pattern: str) -> tuple[list[str], str]:
    for i, source in enumerate(cells):
        if re.search(pattern, source):
            return cells[:i], source
    raise HarnessError(f"no code cell matches --cell-match {pattern!r}")


def read_small(path: str) -> str | None:
    """The text of a small file (as it was when it matched, e.g. a checkpoint's state), else None."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    return data.decode("utf-8", errors="replace") if len(data) <= MAX_CONTENT else None


def trigger_check(args: argparse.Namespace, cell: Cell) -> Callable[[], dict[str, Any] | None]:
    """What says the cell is under way: the first --until-file glob that matches, or --until-output in its output."""

    def check() -> dict[str, Any] | None:
        for pattern in args.until_file:
            matches = sorted(glob.glob(pattern, recursive=True))
            if matches:
                return {"kind": "file", "pattern": pattern, "matched": matches[0], "content": read_small(matches[0])}
        for pattern in args.until_output:
            found = re.search(pattern, cell.text())
            if found:
                return {"kind": "output", "pattern": pattern, "matched": found.group(0)}
        return None

    return check


def interrupt_cell(session: Session, args: argparse.Namespace, source: str) -> dict[str, Any]:
    cell = Cell(role="interrupted", source=source)
    session.send(cell)
    check = trigger_check(args, cell)
    trigger: dict[str, Any] = {}

    def triggered() -> bool:
        if cell.status is not None:
            return True
        hit = check()
        if hit:
            trigger.update(hit, at=session.now())
        return hit is not None

    session.pump(triggered, args.trigger_timeout, "the interrupted cell to get under way (--until-file / --until-output)")
    interrupt: dict[str, Any] = {"finished_before_interrupt": cell.status is not None, "trigger": trigger or None}
    if cell.status is None:
        interrupt["sent_at"] = session.now()
        session.km.interrupt_kernel()
        session.pump(lambda: cell.status is not None and cell.idle, args.timeout, "the interrupted cell's reply")
        interrupt["reply_after_s"] = round((cell.finished or 0) - interrupt["sent_at"], 3)
    return interrupt


def run_protocol(session: Session, args: argparse.Namespace, summary: dict[str, Any]) -> None:
    setup, target = split_at(code_cells(Path(args.notebook)), args.cell_match)
    session.kc.start_channels()
    session.kc.wait_for_ready(timeout=args.timeout)
    summary["kernel_ready_at"] = session.now()
    for source in setup:
        cell = session.run(Cell(role="setup", source=source), args.timeout)
        if cell.status != "ok":
            raise HarnessError(f"setup cell failed ({cell.status}): {first_line(source)}\n{cell.text()[-2000:]}")
    summary["interrupt"] = interrupt_cell(session, args, target)
    for source in args.then:
        session.run(Cell(role="then", source=source), args.timeout)


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("notebook")
    p.add_argument("summary")
    p.add_argument("--cell-match", required=True, help="regex: the first code cell whose source matches is interrupted")
    p.add_argument("--until-file", action="append", default=[], help="glob: interrupt once a file matches")
    p.add_argument("--until-output", action="append", default=[], help="regex: interrupt once the cell's output matches")
    p.add_argument("--then", action="append", default=[], help="code of a cell to run after the interrupt (repeatable)")
    p.add_argument("--timeout", type=float, default=600, help="seconds for the kernel to start and for each cell")
    p.add_argument("--trigger-timeout", type=float, default=600, help="seconds for the interrupted cell to get under way")
    args = p.parse_args(argv)
    if not args.until_file and not args.until_output:
        p.error("give --until-file or --until-output: what says the cell is under way")
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    notebook = Path(args.notebook).resolve()
    t0 = time.monotonic()
    km = KernelManager(kernel_name="tslab")
    summary: dict[str, Any] = {"notebook": str(notebook), "kernel": "tslab", "error": None}
    km.start_kernel(cwd=str(notebook.parent))
    session = Session(km, t0)
    try:
        run_protocol(session, args, summary)
    except HarnessError as err:
        summary["error"] = str(err)
    finally:
        summary["kernel_alive_at_end"] = km.is_alive()
        summary["cells"] = [c.summary() for c in session.cells]
        summary["stray_outputs"] = session.stray
        summary["finished_at"] = session.now()
        session.kc.stop_channels()
        km.shutdown_kernel(now=False)
        Path(args.summary).parent.mkdir(parents=True, exist_ok=True)
        Path(args.summary).write_text(json.dumps(summary, indent=1))
    if summary["error"]:
        print(f"{notebook}: {summary['error']}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
