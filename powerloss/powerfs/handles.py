"""The open handles (file and directory) of LIVE, by FUSE file handle number. A cut closes them all: the machine they
were opened on is gone, so their numbers are never valid again."""

import errno
import os


class Handle:
    __slots__ = ('inode', 'flags')

    def __init__(self, inode, flags):
        self.inode = inode
        self.flags = flags


class Handles:
    def __init__(self):
        self._by_fh = {}
        self._opens = {}
        self._next = 1

    def open(self, node, flags):
        fh = self._next
        self._next += 1
        self._by_fh[fh] = Handle(node, flags)
        self._opens[node.ino] = self._opens.get(node.ino, 0) + 1
        return fh

    def get(self, fh):
        """The handle fh; EIO for one opened before the last cut (or never opened)."""
        h = self._by_fh.get(fh)
        if h is None:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return h

    def release(self, fh):
        """Forgets fh; returns its inode when that was the inode's last open handle, else None."""
        h = self._by_fh.pop(fh, None)
        if h is None:
            return None
        ino = h.inode.ino
        self._opens[ino] -= 1
        if self._opens[ino] > 0:
            return None
        del self._opens[ino]
        return h.inode

    def is_open(self, ino):
        return ino in self._opens

    def clear(self):
        self._by_fh.clear()
        self._opens.clear()

    def __len__(self):
        return len(self._by_fh)
