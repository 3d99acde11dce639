"""The forms of the portal and the admin: every field checked before anything is stored.

Each text field is limited to the length of the column it ends up in; choices come from
the shop (reasons) or the domain's enums. CSRFProtect (``webapp.extensions``) already
guards every POST, so these are plain WTForms forms read from ``request.form``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import InstrumentedAttribute
from werkzeug.datastructures import MultiDict
from wtforms import (
    EmailField,
    Form,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from core.enums import Disposition, Grade, ResolutionKind
from core.models import Order, ReturnRequest
from core.services import LineRequest

MAX_UNITS = 9999  # more units than any order line holds; keeps the number a small int
NOTE_LENGTH = 2000  # a desk note, kept in the return's audit trail
REJECT_REASON_LENGTH = 1000  # the sentence the shopper reads


def column_length(column: InstrumentedAttribute[Any]) -> int:
    """The declared length of a ``String(n)`` column, so a form never accepts more."""
    length: int = column.property.columns[0].type.length
    return length


def whole_number(value: str | None, label: str) -> int:
    """A whole number of zero or more in ASCII digits, or ``ValueError`` naming the field.

    ``int()`` also reads other scripts' digits ("٣") and underscores ("1_000"), and
    ``str.isdigit`` is true for "²", which ``int()`` refuses: only 0-9 are taken.
    """
    text = (value or "").strip() or "0"
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_UNITS:
        raise ValueError(f"The {label} must be a whole number from 0 to {MAX_UNITS}.")
    return int(text)


def first_error(form: Form) -> str:
    """The first message of a form that did not validate, fit to flash."""
    for messages in form.errors.values():
        for message in messages:
            return str(message)
    return "Check the form."


class WholeNumberField(IntegerField):
    """A count written in ASCII digits, with the same message for "abc" and "²"."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Read the number with ``whole_number``; an empty field is 0."""
        if valuelist:
            self.data = None
            self.data = whole_number(str(valuelist[0]), self.label.text)


class ListChoice(SelectField):
    """A choice that must be one of the offered values, with a message naming the field."""

    def pre_validate(self, form: Form) -> None:
        """Refuse a value that is not among the choices."""
        if self.data not in {offered.value for offered in self.iter_choices()}:
            raise ValidationError(f"Choose a {self.label.text} from the list.")


def _enum_choices(options: Iterable[StrEnum]) -> list[SelectChoice]:
    return [SelectChoice(option.value) for option in options]


class ReturnLineForm(Form):
    """What the shopper asks for one order line; the reasons are the shop's."""

    quantity = WholeNumberField("quantity", default=0, validators=[NumberRange(0, MAX_UNITS)])
    # No reason is preselected: the first option is an empty "choose" one.
    reason = ListChoice("reason", validators=[InputRequired("Choose why you are returning it.")])
    resolution = ListChoice("resolution", choices=_enum_choices(ResolutionKind))


def return_line_form(
    formdata: Mapping[str, str], line_id: int, reasons: Mapping[str, str]
) -> ReturnLineForm:
    """The form of one order line, read from the portal's fields named after the line."""
    names = ("quantity", "reason", "resolution")
    found = {
        name: formdata[f"{name}-{line_id}"] for name in names if f"{name}-{line_id}" in formdata
    }
    form = ReturnLineForm(MultiDict(found))
    form.reason.choices = [("", "Choose a reason"), *reasons.items()]
    return form


def return_lines(
    formdata: Mapping[str, str], order: Order, reasons: Mapping[str, str]
) -> list[LineRequest]:
    """The lines the shopper chose (quantity above zero), with reason and resolution.

    Raises ``ValueError`` with the sentence to show when a field is wrong or nothing is chosen.
    """
    asked = []
    for line in order.lines:
        form = return_line_form(formdata, line.id, reasons)
        if not form.quantity.validate(form):
            raise ValueError(form.quantity.errors[0])
        quantity = int(form.quantity.data or 0)
        if quantity == 0:
            continue
        if not form.validate():
            raise ValueError(f"{line.title}: {first_error(form)}")
        resolution = ResolutionKind(form.resolution.data)
        asked.append(LineRequest(line.id, quantity, form.reason.data, resolution))
    if not asked:
        raise ValueError("Choose how many of at least one item you want to return.")
    return asked


class LookupForm(Form):
    """The portal's lookup: an order number and the email it was placed with.

    Nothing is refused here: any wrong pair, empty or not, gets the same answer from the
    lookup, so the form cannot tell which part was wrong.
    """

    number = StringField("order number", default="", filters=[lambda v: v or ""])
    email = StringField("email address", default="", filters=[lambda v: v or ""])


def _stripped(value: str | None) -> str | None:
    """Surrounding space removed; an empty field is None."""
    return (value or "").strip() or None


def _longest(limit: int, label: str) -> Length:
    return Length(max=limit, message=f"The {label} can be at most {limit} characters.")


class ApproveForm(Form):
    """An optional note with an approval."""

    note = StringField("note", [Optional(), _longest(NOTE_LENGTH, "note")], filters=[_stripped])


class RejectForm(Form):
    """The sentence the shopper reads when a return is turned down."""

    reason = StringField(
        "reason",
        [
            DataRequired("Say why the return is rejected; the shopper will read it."),
            _longest(REJECT_REASON_LENGTH, "reason"),
        ],
        filters=[_stripped],
    )


class InTransitForm(Form):
    """The carrier and tracking number of a parcel on its way, both optional."""

    carrier = StringField(
        "carrier",
        [Optional(), _longest(column_length(ReturnRequest.carrier), "carrier")],
        filters=[_stripped],
    )
    tracking_number = StringField(
        "tracking number",
        [Optional(), _longest(column_length(ReturnRequest.tracking_number), "tracking number")],
        filters=[_stripped],
    )


class GradeForm(Form):
    """How a received line was found and what becomes of it."""

    grade = ListChoice("grade", choices=_enum_choices(Grade))
    disposition = ListChoice("disposition", choices=_enum_choices(Disposition))


# The first owner, connecting a store, disconnecting one.
MIN_PASSWORD = 12  # the first account owns every store connected after it


class FirstOwnerForm(Form):
    """The first-run form: the account that will own the stores this install connects."""

    email = EmailField("Email", [DataRequired(), Length(max=320)])
    password = PasswordField(
        "Password",
        [
            DataRequired(),
            Length(min=MIN_PASSWORD, max=1024, message=f"Use at least {MIN_PASSWORD} characters."),
        ],
    )
    confirm = PasswordField(
        "Password again", [EqualTo("password", message="The two passwords differ.")]
    )


_ADDRESS = [DataRequired(), Length(max=255)]


class StoreForm(Form):
    """The store to send the merchant to (the connect start's query)."""

    store = StringField("Store address", _ADDRESS)


class KeysForm(Form):
    """REST API keys made by hand on the store."""

    url = StringField("Store address", _ADDRESS)
    consumer_key = StringField("Consumer key", [DataRequired(), Length(max=128)])
    consumer_secret = StringField("Consumer secret", [DataRequired(), Length(max=128)])


KEEP_DATA, DELETE_DATA = "keep", "delete"


class DisconnectForm(Form):
    """Disconnect the store: what becomes of what Reshelf holds for it."""

    records = RadioField(
        "Reshelf's copy of this store",
        [InputRequired(message="Choose whether to keep or delete this store's data.")],
        choices=[
            SelectChoice(KEEP_DATA, "Keep returns, orders and history, read-only"),
            SelectChoice(DELETE_DATA, "Delete everything Reshelf holds for this store"),
        ],
    )
