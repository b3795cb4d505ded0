"""The FUSE adapter: fusepy's high-level operations (raw_fi: we see the open flags and set the handles) mapped onto
the Tree. Every operation takes the Tree's lock; while the power is off every one fails with EIO, except those that
only let go of a handle. Operations on an open handle reach the inode through the handle, never the path (the file
may have been renamed or unlinked while open: hard_remove, nullpath_ok)."""

import errno
import os
import stat

from fusepy import FuseOSError, Operations, fuse_get_context

UTIME_NOW = (1 << 30) - 1
UTIME_OMIT = (1 << 30) - 2
ALWAYS = frozenset({'release', 'releasedir', 'destroy', 'init'})
WRITABLE = os.O_WRONLY | os.O_RDWR


class PowerOps(Operations):
    use_ns = True
    flag_nullpath_ok = True
    flag_utime_omit_ok = True
    # Not registered: ENOSYS makes the kernel stop asking (and handle fcntl locks itself, as `lock` is not set either).
    getxattr = setxattr = listxattr = removexattr = ioctl = None

    def __init__(self, tree, on_ready):
        self.tree = tree
        self.on_ready = on_ready

    def __call__(self, op, *args):
        with self.tree.lock:
            if not self.tree.powered and op not in ALWAYS:
                raise FuseOSError(errno.EIO)
            try:
                return getattr(self, op)(*args)
            except OSError as err:
                raise FuseOSError(err.errno) from None

    def init(self, path):
        self.on_ready()

    def _node(self, path, fi):
        return self.tree.handles.get(fi.fh).inode if fi else self.tree.resolve(path)

    # -- attributes ----------------------------------------------------------------------------------------------

    def getattr(self, path, fi=None):
        return self._node(path, fi).stat()

    def access(self, path, amode):
        self.tree.resolve(path)
        return 0

    def chmod(self, path, mode):
        node = self.tree.resolve(path)
        node.mode = stat.S_IFMT(node.mode) | stat.S_IMODE(mode)
        self.tree.changed(node, data=False)

    def chown(self, path, uid, gid):
        node = self.tree.resolve(path)
        node.uid = node.uid if uid == -1 else uid
        node.gid = node.gid if gid == -1 else gid
        self.tree.changed(node, data=False)

    def utimens(self, path, times=None):
        node = self.tree.resolve(path)
        now = self.tree.clock()
        atime, mtime = times if times is not None else (UTIME_NOW, UTIME_NOW)
        node.atime = _time(atime, node.atime, now)
        node.mtime = _time(mtime, node.mtime, now)
        self.tree.changed(node, data=False)

    def truncate(self, path, length, fi=None):
        self.tree.truncate(self._node(path, fi), length)

    def statfs(self, path):
        blocks, files = 1 << 24, 1 << 22
        used = sum(len(n.data) for n in self.tree.live.values() if n.is_file) // 4096
        return {
            'f_bsize': 4096, 'f_frsize': 4096, 'f_blocks': blocks, 'f_bfree': blocks - used,
            'f_bavail': blocks - used, 'f_files': files, 'f_ffree': files - len(self.tree.live), 'f_favail':
            files - len(self.tree.live), 'f_namemax': 255,
        }

    # -- namespace -----------------------------------------------------------------------------------------------

    def mknod(self, path, mode, dev):
        if not (stat.S_ISREG(mode) or stat.S_ISSOCK(mode) or stat.S_ISFIFO(mode)):
            raise FuseOSError(errno.EPERM)
        self.tree.make(path, mode, *_owner())

    def mkdir(self, path, mode):
        self.tree.make(path, stat.S_IFDIR | stat.S_IMODE(mode), *_owner())

    def symlink(self, target, source):
        self.tree.make(target, stat.S_IFLNK | 0o777, *_owner(), target=source)

    def readlink(self, path):
        node = self.tree.resolve(path)
        if node.target is None:
            raise FuseOSError(errno.EINVAL)
        return node.target

    def link(self, target, source):
        self.tree.link(target, source)

    def unlink(self, path):
        self.tree.unlink(path)

    def rmdir(self, path):
        self.tree.unlink(path, want_dir=True)

    def rename(self, old, new):
        self.tree.rename(old, new)

    # -- files ---------------------------------------------------------------------------------------------------

    def create(self, path, mode, fi):
        try:
            node = self.tree.make(path, stat.S_IFREG | stat.S_IMODE(mode), *_owner())
        except OSError as err:
            if err.errno != errno.EEXIST or fi.flags & os.O_EXCL:
                raise
            return self.open(path, fi)
        fi.fh = self.tree.open(node, fi.flags)
        return 0

    def open(self, path, fi):
        node = self.tree.resolve(path)
        if node.is_dir and fi.flags & WRITABLE:
            raise FuseOSError(errno.EISDIR)
        if fi.flags & os.O_TRUNC and fi.flags & WRITABLE:
            self.tree.truncate(node, 0)
        fi.fh = self.tree.open(node, fi.flags)
        return 0

    def read(self, path, size, offset, fi):
        node = self.tree.handles.get(fi.fh).inode
        return bytes(node.data[offset:offset + size])

    def write(self, path, data, offset, fi):
        h = self.tree.handles.get(fi.fh)
        return self.tree.write(h.inode, data, offset, bool(h.flags & os.O_APPEND))

    def flush(self, path, fi):
        self.tree.handles.get(fi.fh)
        return 0

    def fsync(self, path, datasync, fi):
        self.tree.fsync(self.tree.handles.get(fi.fh).inode)
        return 0

    def release(self, path, fi):
        self.tree.release(fi.fh)
        return 0

    # -- directories ---------------------------------------------------------------------------------------------

    def opendir(self, path):
        node = self.tree.resolve(path)
        if not node.is_dir:
            raise FuseOSError(errno.ENOTDIR)
        return self.tree.open(node, os.O_RDONLY | os.O_DIRECTORY)

    def readdir(self, path, fh):
        node = self.tree.handles.get(fh).inode
        listing = [('.', {'st_ino': node.ino, 'st_mode': node.mode}, 0), ('..', None, 0)]
        for name, ino in node.entries.items():
            child = self.tree.live.get(ino)
            listing.append((name, {'st_ino': ino, 'st_mode': child.mode} if child else None, 0))
        return listing  # a list, not a generator: it is built under the lock

    def fsyncdir(self, path, datasync, fh):
        self.tree.fsyncdir(self.tree.handles.get(fh).inode)
        return 0

    def releasedir(self, path, fh):
        self.tree.release(fh)
        return 0


def _owner():
    uid, gid, _pid = fuse_get_context()
    return uid, gid


def _time(value, old, now):
    if value == UTIME_OMIT:
        return old
    if value == UTIME_NOW:
        return now
    return int(value)
