"""Flask extensions created once and bound to each app by ``create_app``.

Platform blueprints import ``csrf`` from here to exempt a server-to-server view
(``@csrf.exempt``), such as WooCommerce's key callback.
"""

from __future__ import annotations

from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
login_manager = LoginManager()
