"""The date rules every dated record obeys (design §5 "Dates"), pure Python.

* **Supported range.** The platform stores and computes dates from :data:`FIRST_SUPPORTED_DATE` to
  :data:`LAST_SUPPORTED_DATE`. Anything outside (year 1, year 9999) is refused as bad input before it can reach
  a day count, an interest formula or a database column: ``9999-12-31`` as a repayment date once gave a loan
  2,912,108 days past due.
* **Value dates** (起息日/入账日 of a repayment, a disbursement, a recovery, a fund booking) are never after the
  platform's business date and never before the record they belong to (the loan's disbursement, the fund's
  opening). :func:`check_value_date` is the one rule; each action passes its own ``not_before`` and says why.
"""

from __future__ import annotations

from datetime import date

from ipfin.domain.errors import InvalidInput, _

FIRST_SUPPORTED_DATE = date(1900, 1, 1)
LAST_SUPPORTED_DATE = date(2199, 12, 31)


class DateOutOfRange(InvalidInput):
    code = "date_out_of_range"
    message_template = _("{field} {value} is outside the supported range {first} to {last}.")


class ValueDateInFuture(InvalidInput):
    code = "value_date_in_future"
    message_template = _("{field} {value} is after the business date {business_date}; a value date cannot be in "
                         "the future.")


class ValueDateBeforeRecord(InvalidInput):
    code = "value_date_before_record"
    message_template = _("{field} {value} is before {earliest} ({why}).")


def check_supported(value: date, field: str = "date") -> date:
    """``value`` itself when it lies in the supported range; :class:`DateOutOfRange` otherwise."""
    if not FIRST_SUPPORTED_DATE <= value <= LAST_SUPPORTED_DATE:
        raise DateOutOfRange(field=field, value=value.isoformat(), first=FIRST_SUPPORTED_DATE.isoformat(),
                             last=LAST_SUPPORTED_DATE.isoformat())
    return value


def check_value_date(value: date, *, business_date: date, not_before: date | None = None, why: str = "",
                     field: str = "value date") -> date:
    """A money record's value date: in range, not after ``business_date``, not before ``not_before``.

    ``why`` names what ``not_before`` is (e.g. "the loan's disbursement date") for the error message.
    """
    check_supported(value, field)
    if value > business_date:
        raise ValueDateInFuture(field=field, value=value.isoformat(), business_date=business_date.isoformat())
    if not_before is not None and value < not_before:
        raise ValueDateBeforeRecord(field=field, value=value.isoformat(), earliest=not_before.isoformat(), why=why)
    return value
