"""Memory caps for the fuzz, attack and budget tests: a regression that makes content cost
gigabytes fails a test (a MemoryError, a killed child) instead of taking the machine down."""

from __future__ import annotations

import os
import resource
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# What a test may map on top of what its process maps already: far above what any hub of
# the tests needs (the demo builds in 150 MB), far below what the machine has.
ATTACK_MEMORY = 2 * 1024**3
# A whole `citehub` process of the budget tests, interpreter included.
CHILD_MEMORY = 3 * 1024**3


def mapped_bytes() -> int:
    """The address space this process maps now."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


@contextmanager
def memory_cap(extra: int = ATTACK_MEMORY) -> Iterator[None]:
    """Cap this process (and what it forks or starts) at what it maps now plus `extra`."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = mapped_bytes() + extra
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def capped_child(limit: int = CHILD_MEMORY) -> Callable[[], None]:
    """A `preexec_fn` that caps a child process's address space at `limit`."""
    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
    return cap
