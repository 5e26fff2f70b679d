"""The quote history as CSV and Excel: headers and states in the reader's language, times in the
reader's time zone (named in the header), cost and margin only for those who may see them (R-Q4),
and no cell a spreadsheet would run as a formula (OWASP CSV injection)."""
import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from portal.quotes.models import Quote
from portal.quotes.rules import Totals, totals

# A cell starting with one of these is a formula (or a DDE payload) to Excel, LibreOffice and Sheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value):
    """A text cell that cannot run as a formula: a leading apostrophe (OWASP). Numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _local(moment: datetime | None, zone: ZoneInfo) -> str:
    if moment is None:
        return ""
    return moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).strftime("%Y-%m-%d %H:%M")


def quote_table(quotes: Iterable[Quote], internal: bool, zone: str) -> Iterator[list]:
    """The header, then a row per quote as the quotes are read (an export of any size holds a
    page of quotes), in the reader's language and time zone."""
    tz = ZoneInfo(zone)
    header = [_("Quote"), _("Revision"), _("Status"), _("Customer code"), _("Customer"), _("Agent"),
              _("Inquiry received (%(zone)s)", zone=zone), _("Sent (%(zone)s)", zone=zone), _("Response (minutes)"),
              _("Mode"), _("POL"), _("POD"), _("Carrier"), _("Container type"), _("Containers"), _("Commodity"),
              _("Currency"), _("Total to collect"), _("Valid until")]
    if internal:
        header += [_("Cost"), _("Margin")]
    yield header
    for q in quotes:
        sums = totals(q).get(q.currency, Totals())
        row = [q.number, q.revision, q.status.label, q.customer.code, q.customer.display_name, q.agent.display_name,
               _local(q.inquiry_at, tz), _local(q.sent_at, tz),
               Decimal(q.response_seconds / 60).quantize(Decimal("0.1")) if q.response_seconds is not None else "",
               q.mode.label, q.pol, q.pod, q.carrier or "", q.container_type or "", q.container_qty or "",
               q.commodity, q.currency, sums.receivable, q.valid_until.isoformat()]
        if internal:
            row += [sums.cost, sums.margin]
        yield row


def as_csv(rows: Iterable[list]) -> Iterator[str]:
    """The CSV a line at a time (streamed to the browser as it is written)."""
    out = io.StringIO()
    writer = csv.writer(out)
    yield "\ufeff"                       # Excel opens UTF-8 (Chinese) correctly with the BOM
    for row in rows:
        writer.writerow([neutralised(cell) for cell in row])
        yield out.getvalue()
        out.seek(0)
        out.truncate()


def as_xlsx(rows: Iterable[list], title: str) -> bytes:
    """Every text cell is stored as text, so nothing typed by a customer or agent runs as a formula.
    Written row by row (openpyxl's write-only mode) to a temporary file: only the finished,
    compressed workbook is read back to send."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31] or "Sheet")
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    with tempfile.TemporaryFile() as spool:
        book.save(spool)
        spool.seek(0)
        return spool.read()


def headers(file_name: str) -> dict:
    """An export is a download of customer and money data: never kept by a cache."""
    return {"Content-Disposition": f"attachment; filename={file_name}", "Cache-Control": "no-store"}
