"""The account's activity as CSV, written row by row as the database returns them (never whole in memory)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator

HEADER = ("time (UTC)", "key name", "key", "key id", "action", "who", "IP address", "details")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run such a cell as a formula


class _Echo:
    """A file-like object whose ``write`` returns the line, for csv.writer to hand out one row at a time."""

    def write(self, value: str) -> str:
        return value


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_rows(events) -> Iterator[str]:
    """Yield the header and one CSV line per event; names typed by people cannot become formulas."""
    writer = csv.writer(_Echo())
    yield writer.writerow(HEADER)
    for event in events.iterator(chunk_size=500):
        yield writer.writerow(
            [
                _cell(value)
                for value in (
                    event.created_at.isoformat(),
                    event.key_name,
                    event.key_masked,
                    event.key_public_id,
                    event.get_action_display(),
                    event.actor_label,
                    event.ip_address,
                    json.dumps(event.details, sort_keys=True) if event.details else "",
                )
            ]
        )
