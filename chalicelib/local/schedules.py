"""Schedule expressions as EventBridge reads them: when a ``rate(...)`` or ``cron(...)`` rule fires.

The local pump ticks a ``@schedule`` handler by these. Cron fields are the
six of AWS (minute, hour, day of month, month, day of week with 1 = Sunday,
year), in UTC; ``L``, ``W`` and ``#`` are approximated as "any".
"""

from __future__ import annotations

import datetime as dt
import re

from chalice.app import Cron, Rate

_RATE_UNITS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}


def rate_seconds(expression: Rate | Cron | str) -> int | None:
    """Seconds between ticks of a rate expression; None for a cron expression."""
    if isinstance(expression, Rate):
        return int(expression.value) * _RATE_UNITS[expression.unit.lower()]
    if isinstance(expression, Cron):
        return None
    text = expression.strip()
    match = re.fullmatch(r"rate\(\s*(\d+)\s+(minutes?|hours?|days?)\s*\)", text, re.IGNORECASE)
    if match:
        return int(match.group(1)) * _RATE_UNITS[match.group(2).lower()]
    if re.fullmatch(r"cron\(.*\)", text, re.IGNORECASE):
        return None
    raise ValueError(f"unsupported schedule expression {expression!r}")


_MONTHS = {m: i for i, m in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split(), 1)}
_DAYS = {d: i for i, d in enumerate("SUN MON TUE WED THU FRI SAT".split(), 1)}  # AWS: 1 = Sunday


def _field_matches(field: str, value: int, names: dict[str, int] | None = None, first: int = 0) -> bool:
    for part in field.upper().split(","):
        if part in ("*", "?") or any(c in part for c in "LW#"):
            return True
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            step = int(step_text)
        if part == "*":
            low, high = first, 10_000
        elif "-" in part:
            a, b = part.split("-", 1)
            low, high = _cron_value(a, names), _cron_value(b, names)
        else:
            low = _cron_value(part, names)
            high = low if step == 1 else 10_000
        if low <= value <= high and (value - low) % step == 0:
            return True
    return False


def _cron_value(text: str, names: dict[str, int] | None) -> int:
    return names[text] if names and text in names else int(text)


def cron_matches(expression: Cron | str, when: dt.datetime) -> bool:
    """Whether a cron schedule fires in the minute ``when`` (UTC)."""
    if isinstance(expression, Cron):
        fields = [str(f) for f in (expression.minutes, expression.hours, expression.day_of_month,
                                   expression.month, expression.day_of_week, expression.year)]
    else:
        fields = expression.strip()[len("cron("):-1].split()
    if len(fields) != 6:
        raise ValueError(f"cron expression needs 6 fields: {expression!r}")
    minute, hour, dom, month, dow, year = fields
    aws_weekday = (when.isoweekday() % 7) + 1  # Sunday=1 ... Saturday=7
    return (_field_matches(minute, when.minute) and _field_matches(hour, when.hour)
            and _field_matches(dom, when.day, first=1) and _field_matches(month, when.month, _MONTHS, 1)
            and _field_matches(dow, aws_weekday, _DAYS, 1) and _field_matches(year, when.year))
