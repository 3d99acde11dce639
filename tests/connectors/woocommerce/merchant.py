"""A merchant at a browser, over real HTTP: first run, sign-in, the wc-auth connect."""

from __future__ import annotations

import html
import re
from typing import Any

import requests

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
APPROVE = re.compile(r'wc-auth-approve" href="([^"]+)"')
PASSWORD = "correct horse battery staple"


class Merchant(requests.Session):
    """Follows links and posts forms with the page's CSRF token, as a browser would."""

    def __init__(self, reshelf: str) -> None:
        super().__init__()
        self.reshelf = reshelf

    def form(self, page: str, action: str, data: dict[str, str], **kw: Any) -> requests.Response:
        """Open ``page`` for its CSRF token, then post ``data`` to ``action``."""
        token = TOKEN.search(self.get(self.reshelf + page, timeout=10).text)
        assert token, f"no form on {page}"
        return self.post(
            self.reshelf + action, data={**data, "csrf_token": token.group(1)}, timeout=30, **kw
        )

    def set_up(self, email: str, password: str = PASSWORD) -> requests.Response:
        """The first-run form, unfollowed."""
        fields = {"email": email, "password": password, "confirm": password}
        return self.form("/admin/setup", "/admin/setup", fields, allow_redirects=False)

    def sign_in(self, email: str, password: str = PASSWORD) -> requests.Response:
        fields = {"email": email, "password": password}
        return self.form("/admin/login", "/admin/login", fields, allow_redirects=False)

    def connect(self, store: str) -> requests.Response:
        """Connect ``store`` through wc-auth, pressing Approve; the page Reshelf ends on."""
        approve_page = self.get(
            f"{self.reshelf}/install/woocommerce/connect", params={"store": store}, timeout=10
        )
        link = APPROVE.search(approve_page.text)
        assert link, approve_page.text[:500]
        return self.get(html.unescape(link.group(1)), timeout=30)
