"""The admin: the returns desk (decide, settle, close) and the receiving bench.

One blueprint, ``admin``, behind the sign-in; its views live in ``desk``, ``bench``,
``sync`` (the sync log) and ``settings`` (Settings › WooCommerce).
"""

from webapp.admin import bench, desk, settings, sync
from webapp.admin.common import bp

__all__ = ["bench", "bp", "desk", "settings", "sync"]
