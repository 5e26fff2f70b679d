"""Reference names in the reader's language, for templates: every screen shows ports, charges,
bases, carriers and containers the same way."""
from flask_babel import get_locale

from portal.reference import (BASIS_BY_CODE, CARRIER_BY_CODE, CARRIERS, CHARGE_BY_CODE, CONTAINER_TYPES, PORTS,
                              localized_name, port_name as _port_name)


def _name(items_by_code: dict, code: str | None, lang: str | None = None) -> str:
    """A reference item's name in lang (default: the viewer's language); the code when unknown."""
    item = items_by_code.get(code or "")
    return localized_name(item, lang or str(get_locale())) if item else (code or "")


def port_name(code, lang=None) -> str:
    return _port_name(code, lang or str(get_locale()))


def charge_name(code, lang=None) -> str:
    return _name(CHARGE_BY_CODE, code, lang)


def basis_name(code, lang=None) -> str:
    return _name(BASIS_BY_CODE, code, lang)


def carrier_name(code, lang=None) -> str:
    return _name(CARRIER_BY_CODE, code, lang) if code else ""


def container_options() -> list[tuple[str, str]]:
    return [(c.code, c.code) for c in CONTAINER_TYPES]


def carrier_options() -> list[tuple[str, str]]:
    return [(c.code, _name(CARRIER_BY_CODE, c.code)) for c in CARRIERS]


def register(app) -> None:
    app.jinja_env.globals.update(port_name=port_name, charge_name=charge_name, basis_name=basis_name,
                                 carrier_name=carrier_name, container_options=container_options,
                                 carrier_options=carrier_options, ports_list=lambda: PORTS)
