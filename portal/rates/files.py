"""Rate files as carriers and the route department send them: reading a CSV or XLSX into a table
of text, guessing which column holds which field from its title (English or Chinese), and reading
one row's cells into rate values with a reason for every cell that cannot be one.

No database and no request: rules.py checks the values and keeps them.
"""
import csv
import io
import re
import unicodedata
import zipfile
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from portal.core.rules import RuleViolation
from portal.core.text import clean_text
from portal.reference import (BASIS_BY_CODE, CARRIERS, CHARGE_BY_CODE, CONTAINER_TYPE_BY_CODE, CURRENCIES, PORTS)

KEY_FIELDS = ("carrier", "pol", "pod", "via", "equipment", "charge_code")
VALUE_FIELDS = ("buy_rate", "sell_rate", "min_sell_rate", "currency", "valid_from", "valid_to", "free_time_days",
                "transit_days", "cutoff_weekday", "remarks")
RATE_FIELDS = KEY_FIELDS + VALUE_FIELDS

LABELS = {
    "carrier": _l("Carrier"), "pol": _l("Port of loading"), "pod": _l("Port of discharge"), "via": _l("Via"),
    "equipment": _l("Container type or basis"), "charge_code": _l("Charge"), "buy_rate": _l("Buy rate"),
    "sell_rate": _l("Company sell rate"), "min_sell_rate": _l("Minimum sell rate"), "currency": _l("Currency"),
    "valid_from": _l("Valid from"), "valid_to": _l("Valid to"), "free_time_days": _l("Free time (days)"),
    "transit_days": _l("Transit (days)"), "cutoff_weekday": _l("Cut-off day"), "remarks": _l("Remarks"),
}

MAX_BYTES = 2 * 1024 * 1024         # an upload
MAX_UNPACKED = 40 * 1024 * 1024     # an XLSX unzipped (a zip bomb is refused before it is read)
MAX_ROWS = 5000
MAX_COLUMNS = 40
MAX_CELL = 300

# Column titles as rate sheets write them, folded (lower case, no spaces or punctuation).
TITLES = {
    "carrier": ("carrier", "line", "shippingline", "scac", "船公司", "承運人", "承运人", "航商"),
    "pol": ("pol", "portofloading", "loadingport", "origin", "裝貨港", "装货港", "起運港", "起运港", "起運港口"),
    "pod": ("pod", "portofdischarge", "dischargeport", "destination", "卸貨港", "卸货港", "目的港"),
    "via": ("via", "viaport", "transshipment", "transhipment", "ts", "中轉港", "中转港", "中轉", "中转"),
    "equipment": ("equipment", "container", "containertype", "ctype", "type", "basis", "unit", "櫃型", "箱型",
                  "櫃型或單位", "箱型或单位", "計費單位", "计费单位", "單位", "单位"),
    "charge_code": ("charge", "chargecode", "code", "fee", "費用", "费用", "費用代碼", "费用代码", "費用項目", "费用项目"),
    "buy_rate": ("buy", "buyrate", "cost", "net", "netrate", "成本價", "成本价", "成本"),
    "sell_rate": ("sell", "sellrate", "companysellrate", "companyrate", "公司售價", "公司售价", "售價", "售价",
                  "賣價", "卖价"),
    "min_sell_rate": ("min", "minimum", "minsell", "minimumsellrate", "minimumsell", "floor", "最低售價", "最低售价",
                      "最低賣價", "最低卖价", "底價", "底价"),
    "currency": ("currency", "cur", "ccy", "幣別", "币别", "幣種", "币种", "貨幣", "货币"),
    "valid_from": ("validfrom", "from", "effective", "effectivedate", "start", "生效日", "生效日期", "起始日", "開始日期",
                   "开始日期"),
    "valid_to": ("validto", "to", "validuntil", "until", "expiry", "expires", "enddate", "end", "到期日", "截止日",
                 "有效期至", "結束日期", "结束日期"),
    "free_time_days": ("freetime", "freetimedays", "freedays", "免用櫃期", "免用箱期", "免櫃期", "免箱期"),
    "transit_days": ("transit", "transittime", "transitdays", "tt", "航程", "航程天數", "航程天数", "航行天數", "航行天数"),
    "cutoff_weekday": ("cutoff", "cutoffday", "closing", "closingday", "截關日", "截关日", "截港日", "截關", "截关"),
    "remarks": ("remarks", "remark", "notes", "note", "comments", "備註", "备注", "說明", "说明"),
}
_TITLE_OF = {title: name for name, titles in TITLES.items() for title in titles}

CONTAINER_ALIASES = {"20dv": "20GP", "20dc": "20GP", "20ft": "20GP", "20": "20GP", "40dv": "40GP", "40dc": "40GP",
                     "40ft": "40GP", "40": "40GP", "40hc": "40HQ", "45hc": "45HQ", "20rf": "20RF", "20rh": "20RF",
                     "40rf": "40RF", "40hr": "40RH", "40rq": "40RH"}
EQUIPMENT_ALIASES = {"cbm": "cbm", "m3": "cbm", "wm": "cbm", "w/m": "cbm", "立方米": "cbm", "每立方米": "cbm",
                     "ton": "ton", "tons": "ton", "mt": "ton", "ft": "ton", "噸": "ton", "吨": "ton", "每噸": "ton",
                     "每吨": "ton", "bl": "bl", "b/l": "bl", "perbl": "bl", "提單": "bl", "提单": "bl", "每提單": "bl",
                     "每提单": "bl", "lumpsum": "lump_sum", "總價": "lump_sum", "总价": "lump_sum"}
WEEKDAY_NAMES = {
    **{name: i for i, name in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))},
    **{name: i for i, name in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))},
    **{str(i + 1): i for i in range(7)},
    **{prefix + day: i for prefix in ("", "週", "周", "星期", "禮拜", "礼拜")
       for i, day in enumerate("一二三四五六日")},
    "週天": 6, "周天": 6, "星期天": 6, "禮拜天": 6, "礼拜天": 6,
}


def fold(text) -> str:
    """A title or code as compared: full-width folded, lower case, no spaces or punctuation."""
    text = unicodedata.normalize("NFKC", str(text or "")).casefold()
    return re.sub(r"[\s_\-.()（）:：'’\"]+", "", text)


def port_code(value):
    """A port typed as its code or its English or Chinese name, as its code (else as typed)."""
    if not isinstance(value, str) or not value.strip():
        return value
    return PORT_NAMES.get(fold(value), value.strip().upper())


def _names(items) -> dict:
    names = {}
    for item in items:
        for name in (item.code, item.name_en, item.name_zh_hant, item.name_zh_hans):
            if name:
                names.setdefault(fold(name), item.code)
    return names


CARRIER_NAMES = _names(CARRIERS)
PORT_NAMES = _names(PORTS)


# --- reading a file ----------------------------------------------------------------------------------


def read_table(file_name: str, data: bytes) -> tuple[list[str], list[list[str]]]:
    """The column titles and rows of a CSV or XLSX file, every cell as text. RuleViolation when the
    file cannot be read (too large, not CSV or XLSX, no titles)."""
    if not data:
        raise RuleViolation(_l("Choose a file to upload."), "file")
    if len(data) > MAX_BYTES:
        raise RuleViolation(_l("The file is larger than 2 MB; split it into smaller files."), "file")
    name = (file_name or "").lower()
    if name.endswith(".xlsx") or data[:2] == b"PK":
        table = _read_xlsx(data)
    elif name.endswith((".csv", ".txt")) or not name:
        table = _read_csv(data)
    else:
        raise RuleViolation(_l("Upload a CSV or an Excel (.xlsx) file."), "file")
    table = [[_cell(c) for c in row[:MAX_COLUMNS]] for row in table]
    while table and not any(table[0]):
        table.pop(0)
    if not table:
        raise RuleViolation(_l("The file is empty."), "file")
    header, rows = table[0], table[1:]
    width = max(i + 1 for i, title in enumerate(header) if title)
    header = header[:width]
    rows = [(r + [""] * width)[:width] for r in rows]
    while rows and not any(rows[-1]):
        rows.pop()
    if len(rows) > MAX_ROWS:
        raise RuleViolation(_l("The file has more than %(n)d rows; split it into smaller files.", n=MAX_ROWS), "file")
    return header, rows


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        number = Decimal(str(value))
        return format(number.quantize(Decimal(1)) if number == number.to_integral() else number.normalize(), "f")
    return clean_text(str(value))[:MAX_CELL]


def _read_csv(data: bytes) -> list[list]:
    text = None
    for encoding in ("utf-8-sig", "cp950", "gb18030"):
        try:
            candidate = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        first = candidate.splitlines()[0] if candidate.splitlines() else ""
        if text is None or sum(fold(t) in _TITLE_OF for t in re.split(r"[,;\t]", first)) >= 3:
            text = candidate
            if encoding == "utf-8-sig" or sum(fold(t) in _TITLE_OF for t in re.split(r"[,;\t]", first)) >= 3:
                break
    if text is None:
        raise RuleViolation(_l("The file is not text in a known encoding: save it as CSV UTF-8 or as .xlsx."), "file")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = []
    try:
        for row in csv.reader(io.StringIO(text), dialect):
            rows.append(row)
            if len(rows) > MAX_ROWS + 1:
                raise RuleViolation(_l("The file has more than %(n)d rows; split it into smaller files.", n=MAX_ROWS),
                                    "file")
    except csv.Error:
        raise RuleViolation(_l("The file could not be read as CSV."), "file") from None
    return rows


def _read_xlsx(data: bytes) -> list[list]:
    from openpyxl import load_workbook
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED:
                raise RuleViolation(_l("The file is larger than 2 MB; split it into smaller files."), "file")
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except RuleViolation:
        raise
    except Exception:  # openpyxl raises many kinds for a damaged or foreign file
        raise RuleViolation(_l("The file could not be read as an Excel workbook (.xlsx)."), "file") from None
    try:
        sheet = book.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(list(row))
            if len(rows) > MAX_ROWS + 1:
                raise RuleViolation(_l("The file has more than %(n)d rows; split it into smaller files.", n=MAX_ROWS),
                                    "file")
        return rows
    finally:
        book.close()


def guess_mapping(header: list[str]) -> list[str]:
    """Per column, the rate field its title names ("" when none); a field is taken once."""
    mapping, taken = [], set()
    for title in header:
        name = _TITLE_OF.get(fold(title), "")
        if name in taken:
            name = ""
        taken.add(name)
        mapping.append(name)
    return mapping


# --- reading one row --------------------------------------------------------------------------------


def parse_row(mapping: list[str], cells: list[str]) -> tuple[dict | None, list]:
    """Rate values from a row's cells, and the reasons for the cells that cannot be read."""
    raw = {name: (cells[i] if i < len(cells) else "").strip() for i, name in enumerate(mapping) if name}
    values, errors = {}, []
    for name in RATE_FIELDS:
        text = raw.get(name, "")
        try:
            values[name] = _READERS[name](text)
        except ValueError as reason:
            errors.append(_l("%(field)s: %(reason)s", field=LABELS[name], reason=reason.args[0]))
    return (None if errors else values), errors


def _required(text: str) -> str:
    if not text:
        raise ValueError(_l("empty"))
    return text


def _carrier(text: str) -> str:
    code = CARRIER_NAMES.get(fold(_required(text)))
    if code is None:
        raise ValueError(_l("%(value)s is not a carrier the portal knows.", value=text))
    return code


def _port(text: str, required: bool = True) -> str:
    if not text and not required:
        return ""
    code = PORT_NAMES.get(fold(_required(text)))
    if code is None:
        raise ValueError(_l("%(value)s is not a known port (use its UN/LOCODE, for example TWKHH).", value=text))
    return code


def _equipment(text: str) -> str:
    folded = fold(_required(text))
    for code in CONTAINER_TYPE_BY_CODE:
        if folded == fold(code):
            return code
    if folded in CONTAINER_ALIASES:
        return CONTAINER_ALIASES[folded]
    basis = EQUIPMENT_ALIASES.get(folded) or EQUIPMENT_ALIASES.get(folded.removeprefix("per"))
    if basis in BASIS_BY_CODE:
        return basis
    raise ValueError(_l("%(value)s is neither a container type (20GP, 40HQ ...) nor CBM, ton, B/L or lump sum.",
                        value=text))


def _charge(text: str) -> str:
    code = unicodedata.normalize("NFKC", _required(text)).strip().upper()
    if code not in CHARGE_BY_CODE:
        raise ValueError(_l("%(value)s is not a charge code the portal knows.", value=text))
    return code


def read_money(text: str) -> Decimal:
    plain = unicodedata.normalize("NFKC", _required(text)).replace(",", "").replace(" ", "")
    try:
        value = Decimal(plain)
    except InvalidOperation:
        raise ValueError(_l("%(value)s is not a number.", value=text)) from None
    if not value.is_finite():
        raise ValueError(_l("%(value)s is not a number.", value=text))
    if value < 0:
        raise ValueError(_l("a rate cannot be negative."))
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(_l("%(value)s has more than two decimals.", value=text))
    return value.quantize(Decimal("0.01"))


def _currency(text: str) -> str:
    code = unicodedata.normalize("NFKC", _required(text)).strip().upper()
    if code not in CURRENCIES:
        raise ValueError(_l("%(value)s is not a currency the portal uses.", value=text))
    return code


def _date(text: str) -> date:
    plain = unicodedata.normalize("NFKC", _required(text)).strip()
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]00:00(?::00)?)?", plain)
    if match is None:
        raise ValueError(_l("%(value)s is not a date; write it as YYYY-MM-DD.", value=text))
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        raise ValueError(_l("%(value)s is not a date; write it as YYYY-MM-DD.", value=text)) from None


def _whole(text: str) -> int | None:
    if not text:
        return None
    plain = unicodedata.normalize("NFKC", text).strip()
    plain = re.sub(r"\s*(days?|天|日)$", "", plain, flags=re.I)
    if not plain.isdigit() or len(plain) > 4:
        raise ValueError(_l("%(value)s is not a whole number of days.", value=text))
    return int(plain)


def _weekday(text: str) -> int | None:
    if not text:
        return None
    day = WEEKDAY_NAMES.get(fold(text))
    if day is None:
        raise ValueError(_l("%(value)s is not a day of the week.", value=text))
    return day


def _text(text: str) -> str:
    if len(text) > 300:
        raise ValueError(_l("at most 300 characters."))
    return text


_READERS = {
    "carrier": _carrier, "pol": _port, "pod": _port, "via": lambda t: _port(t, required=False),
    "equipment": _equipment, "charge_code": _charge, "buy_rate": read_money, "sell_rate": read_money,
    "min_sell_rate": read_money, "currency": _currency, "valid_from": _date, "valid_to": _date,
    "free_time_days": _whole, "transit_days": _whole, "cutoff_weekday": _weekday, "remarks": _text,
}
