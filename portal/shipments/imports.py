"""Milestones from a CSV or Excel file (an operations system's export): every row or none.

Columns (a header row names them, in any order): shipment (our number, the booking or the B/L
number), milestone (booked, gated_in, ... or a DCSA code such as GTIN), time (the port's local
time, YYYY-MM-DD HH:MM), port (UN/LOCODE; optional where the route says it) and container
(optional)."""
import csv
import io
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l

from portal.core.policy import can
from portal.core.rules import RuleViolation
from portal.core.text import clean_text
from portal.shipments import queries, rules
from portal.shipments.models import MilestoneKind, Source
from portal.shipments.times import NonexistentTime, port_to_utc

COLUMNS = ("shipment", "milestone", "time", "port", "container")
MAX_ROWS = 2000
# DCSA codes people put in such files, for the milestones that have one.
CODES = {"CONF": MilestoneKind.BOOKED, "STUF": MilestoneKind.STUFFED, "GTIN": MilestoneKind.GATED_IN,
         "LOAD": MilestoneKind.LOADED, "DEPA": MilestoneKind.DEPARTED, "ARRI": MilestoneKind.ARRIVED,
         "DISC": MilestoneKind.DISCHARGED, "GTOT": MilestoneKind.DELIVERED}


@dataclass
class RowError:
    row: int
    message: str


class FileRefused(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} rows refused")
        self.errors = errors


def read_rows(filename: str, data: bytes) -> list[dict]:
    """The file's rows as {column: text}, from CSV (UTF-8, with or without BOM) or XLSX."""
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        table = _xlsx(data)
    elif name.endswith(".csv") or name.endswith(".txt"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise FileRefused([RowError(0, _l("Save the CSV file as UTF-8."))]) from None
        table = list(csv.reader(io.StringIO(text)))
    else:
        raise FileRefused([RowError(0, _l("Choose a .csv or .xlsx file."))])
    if not table:
        raise FileRefused([RowError(0, _l("The file is empty."))])
    header = [clean_text(str(h or "")).lower() for h in table[0]]
    missing = [c for c in ("shipment", "milestone", "time") if c not in header]
    if missing:
        raise FileRefused([RowError(1, _l("The first row names the columns; missing: %(columns)s.",
                                        columns=", ".join(missing)))])
    rows = []
    for values in table[1:]:
        row = {c: clean_text(_cell(values[header.index(c)])) if c in header and header.index(c) < len(values)
               else "" for c in COLUMNS}
        rows.append(row)
    if len(rows) > MAX_ROWS:
        raise FileRefused([RowError(0, _l("At most %(n)d rows per file.", n=MAX_ROWS))])
    return rows


def _cell(value) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return "" if value is None else str(value)


def _xlsx(data: bytes) -> list[list]:
    from openpyxl import load_workbook
    from zipfile import BadZipFile
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, KeyError, ValueError, OSError):
        raise FileRefused([RowError(0, _l("This is not an Excel (.xlsx) file."))]) from None
    sheet = book.worksheets[0]
    table = [list(r) for r in sheet.iter_rows(values_only=True) if any(v not in (None, "") for v in r)]
    book.close()
    return table


def _kind(text: str) -> MilestoneKind | None:
    value = text.strip()
    return MilestoneKind.get(value.lower()) or CODES.get(value.upper()) or next(
        (k for k in MilestoneKind if k.label.lower() == value.lower()), None)


def import_rows(actor, rows: list[dict]) -> int:
    """Record every row's milestone, or none: FileRefused lists each row's problem (row 2 is the
    first under the header)."""
    errors, count = [], 0
    for number, row in enumerate(rows, start=2):
        try:
            _import_row(actor, row)
            count += 1
        except RuleViolation as refusal:
            errors.append(RowError(number, refusal.message))
    if errors:
        raise FileRefused(errors)
    if not count:
        raise FileRefused([RowError(0, _l("The file has no rows under its header."))])
    return count


def _import_row(actor, row: dict) -> None:
    shipment_id = queries.find_subject(row["shipment"])
    shipment = queries.load_shipment(shipment_id) if shipment_id else None
    if shipment is None:
        raise RuleViolation(_l("No shipment has the number %(number)s.", number=row["shipment"][:30] or "—"))
    if not can(actor, "shipments.edit", shipment):
        raise RuleViolation(_l("%(number)s is another agent's customer's shipment.", number=shipment.number))
    kind = _kind(row["milestone"])
    if kind is None:
        raise RuleViolation(_l("Unknown milestone %(name)s.", name=row["milestone"][:30] or "—"))
    port = row["port"].upper() or None
    container = None
    if row["container"]:
        number = rules.normal_container_number(row["container"])
        container = next((c for c in shipment.containers if c.number == number), None)
        if container is None:
            raise RuleViolation(_l("This container is not on the shipment."))
    try:
        local = datetime.strptime(row["time"][:16], "%Y-%m-%d %H:%M")
    except ValueError:
        raise RuleViolation(_l("Enter a date and time as YYYY-MM-DD HH:MM.")) from None
    try:
        at = port_to_utc(local, port or _port_for(shipment, kind))
    except NonexistentTime:
        raise RuleViolation(_l("This local time does not exist there (the clocks skip it).")) from None
    rules.record_milestone(actor, shipment, kind, at, port=port, container=container, source=Source.IMPORT)


def _port_for(shipment, kind: MilestoneKind) -> str:
    """Whose clock a time without a port is read on: loading-side steps at the port of loading."""
    if kind in (MilestoneKind.ARRIVED, MilestoneKind.DISCHARGED, MilestoneKind.BL_RELEASED, MilestoneKind.RELEASED,
                MilestoneKind.DELIVERED):
        return shipment.pod
    return shipment.pol
