"""DURABLE: what survives a power cut. Per inode a snapshot of its attributes and content, per directory its entries;
and the log of directory operations made LIVE but not yet durable.

Contract:
- A file's data and attributes become durable by fsync(file) (any handle of that inode) or a whole-fs sync.
- A directory operation (create, mkdir, symlink, link, unlink, rmdir, rename) is logged with the set of directory
  inodes it modifies. fsyncdir(D) applies, in log order, every pending operation of D's connected component (the
  closure of directory sets over the pending log) and leaves the rest pending; a whole-fs sync applies everything.
  So a rename is never half applied, and operations on the same entries become durable in the order they were made.
- An operation that links an inode without a durable snapshot gives it the empty snapshot taken when the operation
  was made (a created file whose data was never fsynced comes back empty).
- A cut drops what is pending and keeps only what is reachable from the root through durable entries.
Invariant: right after fsyncdir(D), D's durable entries equal its live ones (`violations` counts breaches: bugs)."""

from inode import ROOT


class PendingOp:
    __slots__ = ('dirs', 'apply', 'what')

    def __init__(self, dirs, apply, what):
        self.dirs = frozenset(dirs)
        self.apply = apply
        self.what = what


class Durable:
    def __init__(self, live):
        self.inodes = {ino: n.clone() for ino, n in live.items()}
        self.pending = []
        self.violations = []

    # -- the log -------------------------------------------------------------------------------------------------

    def log_link(self, parent, name, child, also=()):
        """parent/name -> child (create, mkdir, symlink, link). `also`: further directories in the transaction."""
        p, c = parent.skeleton(), child.skeleton()

        def apply():
            self._record(c)
            self._record(p).entries[name] = c.ino
        self.pending.append(PendingOp({parent.ino, *also}, apply, f'link {parent.ino}/{name} -> {c.ino}'))

    def log_unlink(self, parent, name, child):
        """parent/name no longer names child (unlink, rmdir)."""
        p, ino = parent.skeleton(), child.ino

        def apply():
            entries = self._record(p).entries
            if entries.get(name) == ino:
                del entries[name]
        self.pending.append(PendingOp({parent.ino}, apply, f'unlink {parent.ino}/{name} ({ino})'))

    def log_rename(self, src, src_name, dst, dst_name, child):
        s, d, c = src.skeleton(), dst.skeleton(), child.skeleton()

        def apply():
            entries = self._record(s).entries
            if entries.get(src_name) == c.ino:
                del entries[src_name]
            self._record(c)
            self._record(d).entries[dst_name] = c.ino
        self.pending.append(PendingOp({src.ino, dst.ino}, apply,
                                      f'rename {src.ino}/{src_name} -> {dst.ino}/{dst_name} ({c.ino})'))

    def _record(self, skeleton):
        """The durable snapshot of skeleton's inode, created from the skeleton if it has none yet."""
        rec = self.inodes.get(skeleton.ino)
        if rec is None:
            rec = self.inodes[skeleton.ino] = skeleton.clone()
        return rec

    # -- making things durable -----------------------------------------------------------------------------------

    def fsync(self, inode):
        """Makes a file's (or symlink's) data and attributes durable; a directory goes through fsyncdir."""
        if inode.is_dir:
            self.fsyncdir(inode)
        else:
            self.inodes[inode.ino] = inode.clone()

    def fsyncdir(self, d):
        """Applies d's connected component of the pending log and makes d's own attributes durable."""
        comp = {d.ino}
        grown = True
        while grown:
            grown = False
            for op in self.pending:
                if not op.dirs.isdisjoint(comp) and not op.dirs <= comp:
                    comp |= op.dirs
                    grown = True
        rest = []
        for op in self.pending:
            if op.dirs.isdisjoint(comp):
                rest.append(op)
            else:
                op.apply()
        self.pending = rest
        rec = self._record(d.skeleton())
        rec.take_attrs(d)
        if rec.entries != d.entries:
            self.violations.append(f'after fsyncdir of inode {d.ino}: durable entries {sorted(rec.entries)} '
                                   f'!= live entries {sorted(d.entries)}')

    def sync(self, live):
        self.inodes = {ino: n.clone() for ino, n in live.items()}
        self.pending = []

    # -- the cut -------------------------------------------------------------------------------------------------

    def cut(self):
        """Drops the pending log, garbage-collects what the root cannot reach, recounts links; returns the new LIVE."""
        self.pending = []
        reach = {}
        stack = [ROOT]
        while stack:
            ino = stack.pop()
            if ino in reach:
                continue
            rec = self.inodes.get(ino)
            if rec is None:
                self.violations.append(f'durable entry names inode {ino}, which has no durable snapshot')
                continue
            reach[ino] = rec
            if rec.is_dir:
                stack.extend(rec.entries.values())
        for rec in reach.values():
            rec.nlink = 2 if rec.is_dir else 0
        for rec in list(reach.values()):
            if not rec.is_dir:
                continue
            for name, ino in list(rec.entries.items()):
                child = reach.get(ino)
                if child is None:
                    del rec.entries[name]
                elif child.is_dir:
                    rec.nlink += 1
                else:
                    child.nlink += 1
        self.inodes = reach
        return {ino: rec.clone() for ino, rec in reach.items()}
