"""Reference data every screen shares: UN/LOCODE ports, carriers, container types (with their
`special` flag), Incoterms, charge codes and bases, currencies, each named in English,
Traditional Chinese (Taiwan usage) and Simplified Chinese (mainland usage).

Pure data plus small helpers: no app imports, no database.
"""
from portal.reference.ports import PORT_BY_CODE, PORTS, REGIONS, Port
from portal.reference.zones import port_zone
from portal.reference.trade import (BASES, BASIS_BY_CODE, BASIS_CODES, CARRIER_BY_CODE, CARRIERS, CHARGE_BY_CODE,
                                    CHARGES, CONTAINER_TYPE_BY_CODE, CONTAINER_TYPES, CURRENCIES, INCOTERM_BY_CODE,
                                    INCOTERMS, Carrier, Charge, ContainerType, Incoterm, Named)

LOCALES = ("en", "zh_Hant", "zh_Hans")

__all__ = ["BASES", "BASIS_BY_CODE", "BASIS_CODES", "CARRIERS", "CARRIER_BY_CODE", "CHARGES", "CHARGE_BY_CODE",
           "CONTAINER_TYPES", "CONTAINER_TYPE_BY_CODE", "CURRENCIES", "INCOTERMS", "INCOTERM_BY_CODE", "LOCALES",
           "PORTS", "PORT_BY_CODE", "REGIONS", "Carrier", "Charge", "ContainerType", "Incoterm", "Named", "Port",
           "localized_name", "name_field", "port_name", "port_zone"]


_NAME_FIELD = {"en": "name_en", "zh_hant": "name_zh_hant", "zh_tw": "name_zh_hant", "zh_hk": "name_zh_hant",
               "zh_mo": "name_zh_hant", "zh_hans": "name_zh_hans", "zh_cn": "name_zh_hans",
               "zh_sg": "name_zh_hans", "zh": "name_zh_hans"}


def name_field(locale) -> str:
    """The name attribute for a locale ('en', 'zh_Hant', 'zh_Hans'; 'zh-TW' etc. accepted), else name_en."""
    key = str(locale or "en").replace("-", "_").lower()
    return _NAME_FIELD.get(key, "name_en")


def localized_name(item, locale="en") -> str:
    """An item's name in locale, falling back to its English name, then its code."""
    if item is None:
        return ""
    return getattr(item, name_field(locale), "") or item.name_en or item.code


def port_name(code, locale="en") -> str:
    """A port's name in 'en' / 'zh_Hant' / 'zh_Hans'; English if that is empty; the code if unknown."""
    code = (code or "").strip().upper()
    port = PORT_BY_CODE.get(code)
    return localized_name(port, locale) if port else code
