"""LIVE: the file system every FUSE operation reads and changes, its open handles, and the power switch.

Every method raises OSError(errno) on failure and is called with `lock` held (by the FUSE adapter or the control
socket). Inode numbers are never reused, not even across a cut."""

import errno
import os
import stat
import threading
import time

from durable import Durable
from handles import Handles
from inode import ROOT, Inode

NAME_MAX = 255


def fail(code):
    raise OSError(code, os.strerror(code))


class Tree:
    """LIVE and the switch: `live` (ino -> Inode, every linked or still open inode), `durable` (the Durable store that
    logs every directory operation made here), `handles`, `dirty` (files whose data or attributes changed since their
    last fsync), `powered` (False between a cut and a restart: the FUSE adapter then fails every operation)."""

    def __init__(self, clock=time.time_ns):
        self.lock = threading.Lock()
        self.clock = clock
        self.live = {ROOT: Inode(ROOT, stat.S_IFDIR | 0o755, 0, 0, clock())}
        self.durable = Durable(self.live)
        self.powered = True
        self.counts = {'fsync': 0, 'fsyncdir': 0, 'syncs': 0, 'cuts': 0, 'restarts': 0}
        self.handles = Handles()
        self.dirty = set()
        self._next_ino = ROOT + 1

    # -- lookup --------------------------------------------------------------------------------------------------

    def resolve(self, path):
        node = self.live[ROOT]
        for name in _parts(path):
            if not node.is_dir:
                fail(errno.ENOTDIR)
            ino = node.entries.get(name)
            if ino is None:
                fail(errno.ENOENT)
            node = self.live[ino]
        return node

    def parent_of(self, path):
        """(parent inode, last name) of path; the parent must exist and be a directory."""
        parts = _parts(path)
        if not parts:
            fail(errno.EBUSY)
        parent = self.resolve('/'.join(parts[:-1]))
        if not parent.is_dir:
            fail(errno.ENOTDIR)
        if len(parts[-1].encode()) > NAME_MAX:
            fail(errno.ENAMETOOLONG)
        return parent, parts[-1]

    def child(self, parent, name):
        ino = parent.entries.get(name)
        if ino is None:
            fail(errno.ENOENT)
        return self.live[ino]

    # -- directory operations (each logged as pending) -----------------------------------------------------------

    def make(self, path, mode, uid, gid, target=None):
        """create, mkdir and symlink: a new inode under a new name (EEXIST if the name is taken)."""
        parent, name = self.parent_of(path)
        if name in parent.entries:
            fail(errno.EEXIST)
        node = Inode(self._next_ino, mode, uid, gid, self.clock(), target)
        self._next_ino += 1
        self.live[node.ino] = node
        self._add(parent, name, node)
        if node.is_file:
            self.dirty.add(node.ino)
        self.durable.log_link(parent, name, node)
        return node

    def link(self, path, existing):
        node = self.resolve(existing)
        if node.is_dir:
            fail(errno.EPERM)
        src_parent, _ = self.parent_of(existing)
        parent, name = self.parent_of(path)
        if name in parent.entries:
            fail(errno.EEXIST)
        self._add(parent, name, node, link=True)
        node.ctime = self.clock()
        self.durable.log_link(parent, name, node, also=(src_parent.ino,))

    def unlink(self, path, want_dir=False):
        """unlink (want_dir False) and rmdir (True)."""
        parent, name = self.parent_of(path)
        node = self.child(parent, name)
        if want_dir and not node.is_dir:
            fail(errno.ENOTDIR)
        if not want_dir and node.is_dir:
            fail(errno.EISDIR)
        if want_dir and node.entries:
            fail(errno.ENOTEMPTY)
        self._drop(parent, name, node)
        self.durable.log_unlink(parent, name, node)

    def rename(self, old, new):
        src_parent, src_name = self.parent_of(old)
        node = self.child(src_parent, src_name)
        dst_parent, dst_name = self.parent_of(new)
        victim_ino = dst_parent.entries.get(dst_name)
        if victim_ino == node.ino:
            return
        victim = self.live[victim_ino] if victim_ino is not None else None
        if node.is_dir:
            if (new.rstrip('/') + '/').startswith(old.rstrip('/') + '/'):
                fail(errno.EINVAL)
            if victim is not None and not victim.is_dir:
                fail(errno.ENOTDIR)
            if victim is not None and victim.entries:
                fail(errno.ENOTEMPTY)
        elif victim is not None and victim.is_dir:
            fail(errno.EISDIR)
        if victim is not None:
            self._drop(dst_parent, dst_name, victim)
        self._drop(src_parent, src_name, node, moving=True)
        self._add(dst_parent, dst_name, node)
        node.ctime = self.clock()
        self.durable.log_rename(src_parent, src_name, dst_parent, dst_name, node)

    def _add(self, parent, name, node, link=False):
        """link: the entry adds a link to an existing inode (a new inode starts with its own, a move keeps its)."""
        parent.entries[name] = node.ino
        parent.mtime = parent.ctime = self.clock()
        if node.is_dir:
            parent.nlink += 1
        if link:
            node.nlink += 1

    def _drop(self, parent, name, node, moving=False):
        del parent.entries[name]
        parent.mtime = parent.ctime = self.clock()
        if node.is_dir:
            parent.nlink -= 1
        if moving:
            return
        node.nlink = 0 if node.is_dir else node.nlink - 1
        node.ctime = parent.ctime
        if node.nlink == 0 and not self.handles.is_open(node.ino):
            del self.live[node.ino]

    # -- data and attributes -------------------------------------------------------------------------------------

    def changed(self, node, data=True):
        now = self.clock()
        node.ctime = now
        if data:
            node.mtime = now
        if node.is_file:
            self.dirty.add(node.ino)

    def write(self, node, data, offset, append):
        buf = node.data
        if append:
            offset = len(buf)
        if offset > len(buf):
            buf.extend(bytes(offset - len(buf)))
        buf[offset:offset + len(data)] = data
        self.changed(node)
        return len(data)

    def truncate(self, node, size):
        if node.is_dir:
            fail(errno.EISDIR)
        if size < len(node.data):
            del node.data[size:]
        else:
            node.data.extend(bytes(size - len(node.data)))
        self.changed(node)

    # -- handles -------------------------------------------------------------------------------------------------

    def open(self, node, flags):
        return self.handles.open(node, flags)

    def release(self, fh):
        node = self.handles.release(fh)
        if node is not None and node.nlink == 0 and self.live.get(node.ino) is node:
            del self.live[node.ino]

    # -- durability and power ------------------------------------------------------------------------------------

    def fsync(self, node):
        self.counts['fsync'] += 1
        self.durable.fsync(node)
        self.dirty.discard(node.ino)

    def fsyncdir(self, node):
        self.counts['fsyncdir'] += 1
        self.durable.fsyncdir(node)

    def sync(self):
        self.counts['syncs'] += 1
        self.durable.sync(self.live)
        self.dirty.clear()

    def cut(self):
        """The power goes: LIVE becomes DURABLE, every handle dies, and every operation fails (EIO) until restart."""
        self.counts['cuts'] += 1
        self.powered = False
        self.live = self.durable.cut()
        self.handles.clear()
        self.dirty.clear()

    def restart(self):
        self.counts['restarts'] += 1
        self.powered = True


def _parts(path):
    return [p for p in (path or '').split('/') if p]
