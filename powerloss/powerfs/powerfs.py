"""powerfs: an in-memory FUSE file system that can simulate a power cut.

  /usr/bin/python3 powerfs.py MOUNTPOINT --control SOCKET    mount in the foreground; prints "ready" once mounted;
                                                             SIGTERM (or SIGINT) unmounts cleanly and exits
  /usr/bin/python3 powerfs.py ctl SOCKET COMMAND             send one control command, print the JSON reply
  echo stats | socat - UNIX-CONNECT:SOCKET                   the same with socat

What is durable and what a cut does: see durable.py (the model) and control.py (the commands). Needs Debian's
python3-fusepy (libfuse2) and fuse3 (/dev/fuse, fusermount3); run as root."""

import argparse
import signal
import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the sources, with or without -B

from control import send, serve  # noqa: E402 (after the line above on purpose)
from fusepy import FUSE  # noqa: E402
from ops import PowerOps  # noqa: E402
from tree import Tree  # noqa: E402

SIGNALS = {signal.SIGTERM, signal.SIGINT, signal.SIGHUP}


def main(argv):
    if argv[:1] == ['ctl']:
        if len(argv) != 3:
            sys.exit('usage: powerfs.py ctl SOCKET COMMAND')
        print(send(argv[1], argv[2]), end='')
        return
    parser = argparse.ArgumentParser(description='in-memory FUSE file system that simulates power cuts')
    parser.add_argument('mountpoint')
    parser.add_argument('--control', required=True, help='path of the unix control socket')
    args = parser.parse_args(argv)
    tree = Tree()
    # The control threads block the signals that libfuse handles, so they reach the FUSE loop's thread and stop it.
    signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
    server = serve(tree, args.control)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, SIGNALS)
    ops = PowerOps(tree, on_ready=lambda: print('ready', flush=True))
    try:
        FUSE(ops, args.mountpoint, raw_fi=True, foreground=True, nothreads=True, fsname='powerfs', subtype='powerfs',
             use_ino=True, hard_remove=True, attr_timeout=0, entry_timeout=0, negative_timeout=0, big_writes=True)
    finally:
        server.close()


if __name__ == '__main__':
    main(sys.argv[1:])
