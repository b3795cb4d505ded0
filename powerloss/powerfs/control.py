"""The control socket: a unix stream socket, one command a line, one JSON object a line in reply.

  ping     {"ok": true}
  sync     make everything durable (the whole-fs sync)
  cut      the power cut: LIVE := DURABLE, pending dropped, every operation fails with EIO until `restart`
  restart  the machine is back: operations work again, on the post-cut state
  stats    {"ok": true, "state", "pendingDirOps", "undurableFiles", "inodes", "openHandles", "violations",
            "fsync", "fsyncdir", "syncs", "cuts", "restarts"}
  pending  {"ok": true, "pending": ["rename 5/a -> 7/a (12)", ...], "total": n}: the first 200 pending directory
           operations, oldest first (directories by inode number: `ls -i` names them)
An unknown command gets {"ok": false, "error": "..."}. Each command holds the file system's lock, so it happens
between two FUSE operations, never inside one."""

import json
import os
import socket
import threading


def commands(tree):
    return {
        'ping': lambda: {},
        'sync': tree.sync,
        'cut': tree.cut,
        'restart': tree.restart,
        'stats': lambda: stats(tree),
        'pending': lambda: pending(tree),
    }


def stats(tree):
    return {
        'state': 'on' if tree.powered else 'off', 'pendingDirOps': len(tree.durable.pending),
        'undurableFiles': sum(1 for ino in tree.dirty if ino in tree.live), 'inodes': len(tree.live),
        'openHandles': len(tree.handles), 'violations': list(tree.durable.violations[:20]), **tree.counts,
    }


def pending(tree, limit=200):
    ops = tree.durable.pending
    return {'pending': [op.what for op in ops[:limit]], 'total': len(ops)}


def answer(tree, line):
    run = commands(tree).get(line.strip())
    if run is None:
        return {'ok': False, 'error': f'unknown command {line.strip()!r} (ping, sync, cut, restart, stats, pending)'}
    with tree.lock:
        return {'ok': True, **(run() or {})}


def serve(tree, path):
    """Listens on `path` (replacing a stale socket file) in a daemon thread; returns the listening socket."""
    if os.path.exists(path):
        os.unlink(path)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(8)
    threading.Thread(target=_accept, args=(tree, server), daemon=True).start()
    return server


def _accept(tree, server):
    while True:
        try:
            conn, _ = server.accept()
        except OSError:
            return
        threading.Thread(target=_session, args=(tree, conn), daemon=True).start()


def _session(tree, conn):
    # A client killed mid-request (a power cut kills sluice's process group, its syncfs hook included) resets the
    # connection: that ends the session, quietly.
    try:
        with conn, conn.makefile('rwb') as stream:
            for line in stream:
                try:
                    reply = answer(tree, line.decode())
                except Exception as err:  # a bug in a command must not kill the socket
                    reply = {'ok': False, 'error': repr(err)}
                stream.write(json.dumps(reply).encode() + b'\n')
                stream.flush()
    except OSError:
        return


def send(path, command):
    """The client side, for the shell: `powerfs.py ctl SOCKET COMMAND`."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(path)
        s.sendall(command.encode() + b'\n')
        return s.makefile('rb').readline().decode()
