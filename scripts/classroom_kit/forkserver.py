"""Grading kernels forked from a process that has already imported the heavy modules.

Every submission is graded in its own new kernel process. Started the usual way, each
kernel spends about a second of CPU importing IPython, numpy, sympy, matplotlib and
lagrange_ad before the chapter's first line runs: on two cores, a third of a class's
grading time. Here one *template* process per grading worker imports them once (and
runs nothing else: no student code, no chapter code ever runs in it); each kernel is a
``fork`` of it, a fresh process with its own memory, in which ipykernel then starts as
usual. What a student's code does to its modules stays in its own process.

How it plugs into jupyter_client: :class:`ForkedKernelManager` launches, instead of
``python -m ipykernel_launcher``, the small launcher ``forklaunch.py`` (standard
library only). The launcher hands its command line, working
directory, environment and standard streams to the template over a Unix socket, the
template forks the kernel, and the launcher stays as the process jupyter_client
watches: it passes on interrupts and terminations, and exits with the kernel's exit
status. If the launcher is killed (a kernel restart), the template kills the kernel.

    python -m classroom_kit.forkserver SOCKET PARENT_PID  # the template (classroom_kit.grading starts it)
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager

SOCKET_ENV = "LAGRANGE_AD_FORKSERVER"  # the template's socket; unset: kernels start the usual way
PRELOAD = ("IPython", "ipykernel.kernelapp", "numpy", "sympy", "matplotlib.pyplot", "lagrange_ad",
           "lagrange_ad.exercises")


# ------------------------------------------------------------------------------- jupyter_client side

class ForkedKernelManager(AsyncKernelManager):
    """A kernel manager whose python3 kernels are forked by the template at ``$LAGRANGE_AD_FORKSERVER``."""

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        if not alive() or "ipykernel_launcher" not in cmd:
            return cmd  # another kernel, or no template (never started, or killed): the usual way
        start = cmd.index("ipykernel_launcher") + 1
        # -I -S: the launcher needs the standard library only, and starts in a few milliseconds
        return [sys.executable, "-I", "-S", str(Path(__file__).with_name("forklaunch.py")), *cmd[start:]]


# ------------------------------------------------------------------------------- the template

def _read_request(conn: socket.socket):
    header, fds, _, _ = socket.recv_fds(conn, 4, 3)
    if len(header) < 4:
        raise ConnectionError("no request")
    size = struct.unpack("!I", header)[0]
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise ConnectionError("truncated request")
        data += chunk
    return json.loads(data), fds


def _become_kernel(listener, conns, request, fds) -> None:
    """In the forked child: the launcher's streams, directory, environment; then ipykernel."""
    try:
        listener.close()
        for c in conns:
            c.close()
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD):
            signal.signal(signum, signal.SIG_DFL)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        sys.path[0] = request["cwd"]  # as `python -m ipykernel_launcher` run there would have it
        os.environ.clear()
        os.environ.update(request["env"])
        if "numpy" in sys.modules:  # numpy's global generator would be the same in every kernel
            sys.modules["numpy"].random.seed()
        argv = list(request["argv"])
        if os.environ.get("JPY_PARENT_PID"):  # ipykernel read it when the template imported it
            argv.append(f"--IPKernelApp.parent_handle={int(os.environ['JPY_PARENT_PID'])}")
        sys.argv = [sys.argv[0], *argv]
        from ipykernel.kernelapp import IPKernelApp

        IPKernelApp.launch_instance(argv=argv)
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else 0
    except BaseException:  # the launcher reports the exit status; the traceback goes to its stderr
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


def serve(path: str, parent: int) -> None:
    """The template: import, then fork one kernel per launcher until the parent process is gone."""
    for name in PRELOAD:
        try:
            __import__(name)
        except Exception:  # a module this machine lacks: the kernel imports what it needs itself
            pass
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    print("ready", flush=True)
    kernels: dict[socket.socket, int] = {}  # launcher connection -> kernel pid
    while os.getppid() == parent:
        ready, _, _ = select.select([listener, *kernels], [], [], 0.2)
        for conn in ready:
            if conn is listener:
                client, _ = listener.accept()
                try:
                    request, fds = _read_request(client)
                except (ConnectionError, ValueError, OSError):
                    client.close()
                    continue
                pid = os.fork()
                if pid == 0:
                    _become_kernel(listener, [client, *kernels], request, fds)
                for fd in fds:
                    os.close(fd)
                client.sendall(f"{pid}\n".encode())
                kernels[client] = pid
            elif not conn.recv(1):  # the launcher is gone (killed): so goes its kernel
                _kill(kernels.pop(conn))
                conn.close()
        _reap(kernels)
    for pid in kernels.values():
        _kill(pid)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


def _reap(kernels: dict) -> None:
    """Tell each launcher whose kernel has ended its exit status."""
    for conn, pid in list(kernels.items()):
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done, status = pid, 0
        if done:
            code = os.waitstatus_to_exitcode(status)
            try:
                conn.sendall(f"{code}\n".encode())
            except OSError:
                pass
            conn.close()
            del kernels[conn]


_process = None  # this process's template


def alive() -> bool:
    """Whether this process has a running template."""
    return _process is not None and _process.poll() is None and bool(os.environ.get(SOCKET_ENV))


def stop() -> None:
    """End this process's template and wait for it (its CPU time then counts in this process's children's)."""
    if _process is not None and _process.poll() is None:
        _process.terminate()
        _process.wait()


def start(folder: Path) -> subprocess.Popen:
    """Start a template for this process (it ends with it); sets ``$LAGRANGE_AD_FORKSERVER``."""
    global _process
    path = str(folder / f"forkserver-{os.getpid()}.sock")
    if os.path.exists(path):
        os.unlink(path)
    process = subprocess.Popen([sys.executable, "-m", "classroom_kit.forkserver", path, str(os.getpid())],
                               stdout=subprocess.PIPE, cwd=Path(__file__).resolve().parents[1])
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if process.stdout.readline().strip() == b"ready":
            os.environ[SOCKET_ENV] = path
            _process = process
            return process
    raise RuntimeError("the grading kernels' template did not start")


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]))
