"""The admin: the returns desk (decide, settle, close) and the receiving bench.

One blueprint, ``admin``, behind the sign-in; its views live in ``desk`` and ``bench``.
"""

from webapp.admin import bench, desk
from webapp.admin.common import bp

__all__ = ["bench", "bp", "desk"]
