"""The admin: the returns desk (decide, settle, close) and the receiving bench.

One blueprint, ``admin``, behind the sign-in; its views live in ``desk``, ``bench`` and
``sync`` (the sync log).
"""

from webapp.admin import bench, desk, sync
from webapp.admin.common import bp

__all__ = ["bench", "bp", "desk", "sync"]
