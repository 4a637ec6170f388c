"""The process jupyter_client starts for a forked grading kernel (see forkserver.py).

Standard library only (it runs as ``python -I -S forklaunch.py -f CONNECTION_FILE ...``): it
hands its command line, working directory, environment and standard streams to the template at
``$LAGRANGE_AD_FORKSERVER``, which forks the kernel; then it waits, passing interrupts and
terminations on to the kernel, and exits with the kernel's exit status.
"""

import json
import os
import signal
import socket
import struct
import sys

SOCKET_ENV = "LAGRANGE_AD_FORKSERVER"


def launch(argv: list) -> int:
    """Ask the template for a kernel with ``argv``; wait for it, passing signals on; its exit status."""
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect(os.environ[SOCKET_ENV])
    data = json.dumps({"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ)}).encode()
    socket.send_fds(conn, [struct.pack("!I", len(data)) + data], [0, 1, 2])
    reply = conn.makefile("rb")
    pid = int(reply.readline())

    def forward(signum, frame):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(signum, forward)
    line = reply.readline()  # the kernel's exit status, when it ends
    if not line:  # the template is gone: so is its kernel
        forward(signal.SIGKILL, None)
        return 1
    return int(line)


if __name__ == "__main__":
    sys.exit(launch(sys.argv[1:]))
