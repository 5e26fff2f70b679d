"""Days of the department's calendar: working days and the festivals customers are greeted for,
from the `holidays` library (never typed by hand).

Working days skip weekends and the public holidays of the country the department works in
(PORTAL_HOLIDAYS_COUNTRY, else the country of PORTAL_TIMEZONE: Taiwan for Asia/Taipei). The
festivals (Lunar New Year, Dragon Boat, Mid-Autumn) follow the Chinese lunisolar calendar and
fall on the same day in Taiwan, Hong Kong and the mainland; their dates come from the library's
mainland calendar, which names each of them (Hong Kong's keeps the day after Mid-Autumn instead).
"""
from datetime import date, timedelta
from functools import lru_cache

ZONE_COUNTRIES = {"Asia/Taipei": "TW", "Asia/Shanghai": "CN", "Asia/Chongqing": "CN", "Asia/Urumqi": "CN",
                  "Asia/Hong_Kong": "HK", "Asia/Macau": "MO", "Asia/Singapore": "SG"}

FESTIVALS = ("lunar_new_year", "dragon_boat", "mid_autumn")


def country_for(config) -> str:
    """The country whose public holidays are days off."""
    wanted = (config.get("PORTAL_HOLIDAYS_COUNTRY") or "").upper()
    return wanted or ZONE_COUNTRIES.get(config.get("PORTAL_TIMEZONE", ""), "TW")


@lru_cache(maxsize=64)
def _days_off(country: str, year: int) -> frozenset[date]:
    import holidays   # (loaded when first asked: the library's calendars take a worker some 9 MB)
    try:
        found = holidays.country_holidays(country, years=year)
    except NotImplementedError:   # a country the library does not know: weekends only
        return frozenset()
    return frozenset(found)


def is_working_day(day: date, country: str) -> bool:
    return day.weekday() < 5 and day not in _days_off(country, day.year)


def next_working_day(day: date, country: str) -> date:
    """The day itself when people work then, else the next day they do."""
    for _ in range(40):   # the longest run of days off (Lunar New Year and a weekend) is far shorter
        if is_working_day(day, country):
            return day
        day += timedelta(days=1)
    return day


@lru_cache(maxsize=64)
def festivals(year: int) -> dict[str, date]:
    """{festival: its day in year}: the first day of the Lunar New Year, Dragon Boat, Mid-Autumn."""
    import holidays
    found: dict[str, date] = {}
    for day, names in sorted(holidays.country_holidays("CN", years=year, language="en_US").items()):
        for name in names.split("; "):
            if name.startswith("Chinese New Year") and "Eve" not in name and "observed" not in name:
                found.setdefault("lunar_new_year", day)
            elif name == "Dragon Boat Festival":
                found.setdefault("dragon_boat", day)
            elif name == "Mid-Autumn Festival":
                found.setdefault("mid_autumn", day)
    return found


def festivals_between(first: date, last: date) -> list[tuple[str, date]]:
    """The festivals from first to last (inclusive), in date order."""
    found = []
    for year in range(first.year, last.year + 1):
        found += [(name, day) for name, day in festivals(year).items() if first <= day <= last]
    return sorted(found, key=lambda pair: pair[1])
