"""In-memory implementations of the ports, for service tests and the contract suite.

They keep the same promises as the SQL adapters (tests/contracts/ checks both): a
transaction sees its own writes, commits them all at once, and leaves nothing behind when
its block raises.
"""

from tactful.adapters.memory.database import MemoryDatabase, MemoryState, MemoryTransaction

__all__ = ["MemoryDatabase", "MemoryState", "MemoryTransaction"]
