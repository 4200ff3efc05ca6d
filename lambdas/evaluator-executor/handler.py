"""Waggle's evaluator executor on AWS Lambda (lib/data-plane/evaluator-executor.ts).

Runs harness.py, the same sandbox harness the local runner uses, in a child process per invocation:
an empty environment (this function's own environment holds its credentials), a scratch directory,
its own session (process group) killed at the wall clock, and caps on what is read of its output.
The harness applies the kernel limits and its audit hook to itself. The answer is the facts of the
process; the caller (lambdas/adapters/aws/lambda-code-runner.ts) reads the outcome from them.

The function runs with tenant isolation (tenant = project), in isolated subnets with no route out
and a security group without egress rules.
"""

import ctypes
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
HARNESS = os.path.join(HERE, "harness.py")
PR_SET_DUMPABLE = 4
# Never wait longer than the function may run (its timeout is 15 s; see the construct).
MAX_WALL_CLOCK_MS = 10_000
MAX_OUTPUT_BYTES = 1024 * 1024


def not_dumpable():
    """Makes this process's /proc entries root's, so that a child of the same user cannot read
    /proc/<this pid>/environ (where this function's credentials are), even if it got past the
    harness's audit hook."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0
    except OSError:
        return False


DUMPABLE_OFF = not_dumpable()


def kill_group(process):
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def feed(process, data):
    try:
        process.stdin.write(data)
        process.stdin.close()
    except (BrokenPipeError, OSError):
        pass


def run_harness(request, limits_argument, wall_clock_ms, stdout_cap, stderr_cap):
    """Runs one evaluation; returns the facts of its process."""
    scratch = tempfile.mkdtemp(prefix="metric-")
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-I", "-S", "-B", HARNESS, limits_argument],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={},
        cwd=scratch,
        start_new_session=True,
        close_fds=True,
    )
    # The harness reads its request only once it is set up; a thread keeps a large one from blocking us.
    writer = threading.Thread(target=feed, args=(process, request), daemon=True)
    writer.start()
    caps = {"stdout": stdout_cap, "stderr": stderr_cap}
    kept = {"stdout": bytearray(), "stderr": bytearray()}
    open_streams = {process.stdout.fileno(): "stdout", process.stderr.fileno(): "stderr"}
    deadline = started + wall_clock_ms / 1000
    timed_out = exceeded = False
    try:
        while open_streams and not exceeded:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                timed_out = True
                break
            ready, _, _ = select.select(list(open_streams), [], [], remaining)
            for fd in ready:
                name = open_streams[fd]
                chunk = os.read(fd, 65536)
                if not chunk:
                    del open_streams[fd]
                elif len(kept[name]) + len(chunk) > caps[name]:
                    exceeded = True
                    break
                else:
                    kept[name] += chunk
        if not timed_out and not exceeded:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                timed_out = True
    finally:
        # Whatever it started (nothing, if the harness held) goes with its session.
        kill_group(process)
        code = process.wait()
        process.stdout.close()
        process.stderr.close()
        writer.join(timeout=1)
        shutil.rmtree(scratch, ignore_errors=True)
    return {
        "stdout": kept["stdout"].decode("utf-8", "replace"),
        "stderr": kept["stderr"].decode("utf-8", "replace"),
        "exit_code": code if code >= 0 else None,
        "signal": signal.Signals(-code).name if code < 0 else None,
        "timed_out": timed_out,
        "output_exceeded": exceeded,
        "duration_ms": round((time.monotonic() - started) * 1000),
    }


def handler(event, context):
    request = json.dumps(
        {"code": event["code"], "return_type": event["return_type"], "input": event["input"]}
    ).encode("utf-8")
    return run_harness(
        request,
        event["harness_limits"],
        min(int(event["wall_clock_ms"]), MAX_WALL_CLOCK_MS),
        min(int(event["stdout_bytes"]), MAX_OUTPUT_BYTES),
        min(int(event["stderr_bytes"]), MAX_OUTPUT_BYTES),
    )
