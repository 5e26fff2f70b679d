"""The IANA time zone of every reference port: vessel times are entered and shown in the port's
local time, with the zone named. Countries that keep one zone are listed once; ports in
countries with several zones (the United States, Canada, Mexico, Brazil, Australia, Russia,
Indonesia, Chile, ...) are listed by UN/LOCODE."""

# ISO 3166-1 alpha-2 -> the zone of every port of that country in the reference list.
COUNTRY_ZONES = {
    "AE": "Asia/Dubai", "AO": "Africa/Luanda", "AR": "America/Argentina/Buenos_Aires", "BD": "Asia/Dhaka",
    "BE": "Europe/Brussels", "BG": "Europe/Sofia", "BJ": "Africa/Porto-Novo", "CG": "Africa/Brazzaville",
    "CI": "Africa/Abidjan", "CM": "Africa/Douala", "CN": "Asia/Shanghai", "CO": "America/Bogota",
    "CR": "America/Costa_Rica", "CY": "Asia/Nicosia", "DE": "Europe/Berlin", "DJ": "Africa/Djibouti",
    "DK": "Europe/Copenhagen", "DO": "America/Santo_Domingo", "DZ": "Africa/Algiers", "EC": "America/Guayaquil",
    "EE": "Europe/Tallinn", "EG": "Africa/Cairo", "ES": "Europe/Madrid", "FI": "Europe/Helsinki",
    "FJ": "Pacific/Fiji", "FR": "Europe/Paris", "GB": "Europe/London", "GH": "Africa/Accra",
    "GN": "Africa/Conakry", "GR": "Europe/Athens", "GT": "America/Guatemala", "HK": "Asia/Hong_Kong",
    "HN": "America/Tegucigalpa", "HR": "Europe/Zagreb", "IE": "Europe/Dublin", "IL": "Asia/Jerusalem",
    "IN": "Asia/Kolkata", "IQ": "Asia/Baghdad", "IT": "Europe/Rome", "JM": "America/Jamaica",
    "JO": "Asia/Amman", "JP": "Asia/Tokyo", "KE": "Africa/Nairobi", "KH": "Asia/Phnom_Penh", "KR": "Asia/Seoul",
    "LB": "Asia/Beirut", "LK": "Asia/Colombo", "LT": "Europe/Vilnius", "LV": "Europe/Riga",
    "MA": "Africa/Casablanca", "MG": "Indian/Antananarivo", "MM": "Asia/Yangon", "MO": "Asia/Macau",
    "MT": "Europe/Malta", "MU": "Indian/Mauritius", "MY": "Asia/Kuala_Lumpur", "MZ": "Africa/Maputo",
    "NA": "Africa/Windhoek", "NC": "Pacific/Noumea", "NG": "Africa/Lagos", "NL": "Europe/Amsterdam",
    "NO": "Europe/Oslo", "NZ": "Pacific/Auckland", "OM": "Asia/Muscat", "PA": "America/Panama",
    "PE": "America/Lima", "PG": "Pacific/Port_Moresby", "PH": "Asia/Manila", "PK": "Asia/Karachi",
    "PL": "Europe/Warsaw", "PR": "America/Puerto_Rico", "PT": "Europe/Lisbon", "RO": "Europe/Bucharest",
    "SA": "Asia/Riyadh", "SD": "Africa/Khartoum", "SE": "Europe/Stockholm", "SG": "Asia/Singapore",
    "SI": "Europe/Ljubljana", "SN": "Africa/Dakar", "SV": "America/El_Salvador", "TG": "Africa/Lome",
    "TH": "Asia/Bangkok", "TN": "Africa/Tunis", "TR": "Europe/Istanbul", "TT": "America/Port_of_Spain",
    "TW": "Asia/Taipei", "TZ": "Africa/Dar_es_Salaam", "UA": "Europe/Kyiv", "UY": "America/Montevideo",
    "VE": "America/Caracas", "VN": "Asia/Ho_Chi_Minh", "ZA": "Africa/Johannesburg",
}

# Ports of countries with more than one zone.
PORT_ZONES = {
    # United States
    "USLAX": "America/Los_Angeles", "USLGB": "America/Los_Angeles", "USOAK": "America/Los_Angeles",
    "USSEA": "America/Los_Angeles", "USTIW": "America/Los_Angeles", "USPDX": "America/Los_Angeles",
    "USANC": "America/Anchorage", "USHNL": "Pacific/Honolulu",
    "USNYC": "America/New_York", "USBOS": "America/New_York", "USPHL": "America/New_York",
    "USBAL": "America/New_York", "USORF": "America/New_York", "USCHS": "America/New_York",
    "USSAV": "America/New_York", "USJAX": "America/New_York", "USMIA": "America/New_York",
    "USPEF": "America/New_York", "USMOB": "America/Chicago", "USMSY": "America/Chicago",
    "USHOU": "America/Chicago",
    # Canada
    "CAVAN": "America/Vancouver", "CAPRR": "America/Vancouver", "CAMTR": "America/Toronto",
    "CAHAL": "America/Halifax",
    # Mexico
    "MXZLO": "America/Mexico_City", "MXLZC": "America/Mexico_City", "MXESE": "America/Tijuana",
    "MXVER": "America/Mexico_City", "MXATM": "America/Monterrey",
    # Brazil
    "BRSSZ": "America/Sao_Paulo", "BRRIO": "America/Sao_Paulo", "BRPNG": "America/Sao_Paulo",
    "BRITJ": "America/Sao_Paulo", "BRNVT": "America/Sao_Paulo", "BRRIG": "America/Sao_Paulo",
    "BRSSA": "America/Bahia", "BRSUA": "America/Recife", "BRPEC": "America/Fortaleza",
    "BRMAO": "America/Manaus",
    # Chile
    "CLSAI": "America/Santiago", "CLVAP": "America/Santiago", "CLIQQ": "America/Santiago",
    # Australia
    "AUSYD": "Australia/Sydney", "AUMEL": "Australia/Melbourne", "AUBNE": "Australia/Brisbane",
    "AUFRE": "Australia/Perth", "AUADL": "Australia/Adelaide", "AUDRW": "Australia/Darwin",
    # Russia
    "RUVVO": "Asia/Vladivostok", "RUNVS": "Europe/Moscow", "RULED": "Europe/Moscow",
    # Indonesia
    "IDJKT": "Asia/Jakarta", "IDSUB": "Asia/Jakarta", "IDSRG": "Asia/Jakarta", "IDBLW": "Asia/Jakarta",
}

FALLBACK_ZONE = "UTC"


def port_zone(code: str | None) -> str:
    """The IANA zone of a port by UN/LOCODE; UTC for an unknown code."""
    code = (code or "").strip().upper()
    return PORT_ZONES.get(code) or COUNTRY_ZONES.get(code[:2]) or FALLBACK_ZONE
