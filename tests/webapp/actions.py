"""What a shopper and a member of staff do in the browser, as test helpers.

Every POST carries the CSRF token read from the page the form is on, as a browser's would.
"""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(page: TestResponse) -> str:
    """The CSRF token in a rendered form."""
    found = _TOKEN.search(page.get_data(as_text=True))
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


class PortalActions:
    """A shopper in one shop's portal."""

    def __init__(self, client: FlaskClient, shop_key: str) -> None:
        self.client = client
        self.base = f"/returns/{shop_key}"

    def find(self, order_number: str, email: str) -> TestResponse:
        """Submit the lookup form; a match redirects to the order page."""
        page = self.client.get(f"{self.base}/")
        form = {"number": order_number, "email": email, "csrf_token": csrf_token(page)}
        return self.client.post(f"{self.base}/", data=form)

    def request_return(
        self,
        order_number: str,
        email: str,
        lines: dict[int, tuple[int, str, str]] | None = None,
    ) -> TestResponse:
        """Find the order and ask to return ``{line id: (quantity, reason, resolution)}``
        (default: one unit of every line, too small, refund); follows to the result page."""
        found = self.find(order_number, email)
        assert found.status_code == 302, "the order was not found"
        page = self.client.get(f"{self.base}/order")
        if lines is None:
            ids = re.findall(r'name="quantity-(\d+)"', page.get_data(as_text=True))
            lines = {int(i): (1, "too_small", "refund") for i in ids}
        form: dict[str, Any] = {"csrf_token": csrf_token(page)}
        for line_id, (quantity, reason, resolution) in lines.items():
            form[f"quantity-{line_id}"] = str(quantity)
            form[f"reason-{line_id}"] = reason
            form[f"resolution-{line_id}"] = resolution
        return self.client.post(f"{self.base}/order", data=form, follow_redirects=True)


class AdminActions:
    """A member of staff at the returns desk and the receiving bench."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, email: str, password: str) -> TestResponse:
        """Sign in through the form."""
        page = self.client.get("/admin/login")
        form = {"email": email, "password": password, "csrf_token": csrf_token(page)}
        return self.client.post("/admin/login", data=form)

    def _post(self, return_id: int, path: str, form: dict[str, Any]) -> TestResponse:
        """Post ``form`` with the token from the return's page; follow to the result."""
        page = self.client.get(f"/admin/returns/{return_id}")
        form = {**form, "csrf_token": csrf_token(page)}
        return self.client.post(path, data=form, follow_redirects=True)

    def approve(self, return_id: int) -> TestResponse:
        """Press Approve."""
        return self._post(return_id, f"/admin/returns/{return_id}/approve", {})

    def reject(self, return_id: int, reason: str) -> TestResponse:
        """Reject with a reason for the shopper."""
        return self._post(return_id, f"/admin/returns/{return_id}/reject", {"reason": reason})

    def mark_in_transit(self, return_id: int, carrier: str, tracking_number: str) -> TestResponse:
        """Record the parcel as on its way."""
        form = {"carrier": carrier, "tracking_number": tracking_number}
        return self._post(return_id, f"/admin/returns/{return_id}/in-transit", form)

    def resolve(self, return_id: int) -> TestResponse:
        """Press the button that issues the refund, credit or exchange."""
        return self._post(return_id, f"/admin/returns/{return_id}/resolve", {})

    def close(self, return_id: int) -> TestResponse:
        """Press Close."""
        return self._post(return_id, f"/admin/returns/{return_id}/close", {})

    def receive(self, return_id: int, received: dict[int, int]) -> TestResponse:
        """Record ``{return line id: units}`` as arrived."""
        form = {f"received-{line_id}": str(n) for line_id, n in received.items()}
        return self._post(return_id, f"/admin/returns/{return_id}/receive", form)

    def grade(self, return_id: int, line_id: int, grade: str, disposition: str) -> TestResponse:
        """Grade one received line."""
        form = {"grade": grade, "disposition": disposition}
        return self._post(return_id, f"/admin/lines/{line_id}/grade", form)

    def logout(self) -> TestResponse:
        """Press Sign out on the desk."""
        page = self.client.get("/admin/")
        return self.client.post("/admin/logout", data={"csrf_token": csrf_token(page)})

    def signed_in(self) -> bool:
        """Whether the desk opens, rather than sending to the sign-in page."""
        return self.client.get("/admin/").status_code == 200
