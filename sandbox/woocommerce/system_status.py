"""``GET /system_status``: what WooCommerce › Status › System status reports.

Source: includes/rest-api/Controllers/Version2/class-wc-rest-system-status-v2-controller.php
(``get_environment_info``: ``version`` is ``WC()->version``; ``get_active_plugins``).
WordPress core trims the answer to the sections named in ``_fields``
(``rest_filter_response_fields``). Only the parts Reshelf reads are emulated.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from .common import reply, require_key, store

bp = Blueprint("wc_system_status", __name__, url_prefix="/wp-json/wc/v3")
bp.before_request(require_key)

WP_VERSION = "6.8.3"


@bp.get("/system_status")
def system_status() -> Response:
    """The environment (with the WooCommerce version) and the active plugins."""
    site = store()
    home = request.host_url
    plugins = [
        {
            "plugin": "woocommerce/woocommerce.php",
            "name": "WooCommerce",
            "version": site.wc_version,
        }
    ]
    if site.plugin_installed:
        plugins.append(
            {
                "plugin": "reshelf-returns/reshelf-returns.php",
                "name": "Reshelf Returns",
                "version": "1.0.0",
            }
        )
    data = {
        "environment": {
            "home_url": home,
            "site_url": home,
            "version": site.wc_version,
            "wp_version": WP_VERSION,
        },
        "active_plugins": plugins,
        "settings": {"currency": "EUR"},
    }
    wanted = [f for f in request.args.get("_fields", "").split(",") if f]
    return reply({k: v for k, v in data.items() if not wanted or k in wanted})
