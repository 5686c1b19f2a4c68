"""The open-file limit: each station holds two sockets in the bridge (its own and the upstream one).

A process starts with the soft limit its parent gave it, often 1024 under systemd or a login shell:
room for about 500 stations. Like most servers (and Go's runtime), the bridge raises its soft limit to
the hard limit at start-up; raising the hard limit is the operator's (README, "Kernel and limits").
"""

from __future__ import annotations

import resource

UNLIMITED = 1 << 20  # what RLIM_INFINITY is taken as (Linux's default fs.nr_open)
RESERVED = 100  # descriptors for everything but stations: listener, logs, store, ...


def nofile_hard_limit() -> int:
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    return UNLIMITED if hard == resource.RLIM_INFINITY else hard


def raise_nofile() -> int:
    """Raise this process's open-file soft limit to its hard limit; return the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = UNLIMITED if hard == resource.RLIM_INFINITY else hard
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):  # above fs.nr_open: keep what we have
            return soft
        return target
    return soft if soft != resource.RLIM_INFINITY else UNLIMITED


def station_room(limit: int) -> int:
    """How many stations a process with `limit` open files can hold."""
    return max(0, (limit - RESERVED) // 2)
