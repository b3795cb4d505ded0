"""An inode of powerfs: its attributes (what getattr reports) and its content (file data, directory entries or a
symlink target). The same class holds the LIVE inodes and their DURABLE snapshots."""

import stat

ROOT = 1
BLOCK = 4096


class Inode:
    """One inode. Times are integer nanoseconds since the epoch and are reported exactly (sluice fingerprints inputs by
    size, mtimeMs and ino). `data` is set for regular files only, `entries` (name -> ino) for directories only,
    `target` for symlinks only; sockets and FIFOs have none (the kernel keeps their traffic)."""

    __slots__ = ('ino', 'mode', 'uid', 'gid', 'atime', 'mtime', 'ctime', 'nlink', 'data', 'entries', 'target')

    def __init__(self, ino, mode, uid, gid, now, target=None):
        self.ino = ino
        self.mode = mode
        self.uid = uid
        self.gid = gid
        self.atime = self.mtime = self.ctime = now
        self.nlink = 2 if stat.S_ISDIR(mode) else 1
        self.data = bytearray() if stat.S_ISREG(mode) else None
        self.entries = {} if stat.S_ISDIR(mode) else None
        self.target = target

    @property
    def is_dir(self):
        return self.entries is not None

    @property
    def is_file(self):
        return self.data is not None

    @property
    def size(self):
        if self.data is not None:
            return len(self.data)
        if self.target is not None:
            return len(self.target.encode())
        return BLOCK if self.entries is not None else 0

    def clone(self):
        """A deep copy: content included."""
        twin = self.skeleton()
        if self.data is not None:
            twin.data = bytearray(self.data)
        if self.entries is not None:
            twin.entries = dict(self.entries)
        return twin

    def skeleton(self):
        """A copy of the attributes with empty content (a symlink keeps its target): what a journaling file system
        holds for an inode whose creation is durable but whose data never was."""
        twin = Inode.__new__(Inode)
        for slot in Inode.__slots__:
            setattr(twin, slot, getattr(self, slot))
        twin.data = bytearray() if self.data is not None else None
        twin.entries = {} if self.entries is not None else None
        return twin

    def take_attrs(self, other):
        """Copies other's attributes (not its content, not nlink) onto this inode."""
        self.mode, self.uid, self.gid = other.mode, other.uid, other.gid
        self.atime, self.mtime, self.ctime = other.atime, other.mtime, other.ctime

    def stat(self):
        size = self.size
        return {
            'st_ino': self.ino, 'st_mode': self.mode, 'st_nlink': self.nlink, 'st_uid': self.uid, 'st_gid': self.gid,
            'st_size': size, 'st_blocks': (size + 511) // 512, 'st_blksize': BLOCK,
            'st_atime': self.atime, 'st_mtime': self.mtime, 'st_ctime': self.ctime,
        }
