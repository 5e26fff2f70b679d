"""The quotes' reference data holds together: codes unique and well-formed, names in three languages,
every region covered."""
import re

from portal.reference import (BASES, BASIS_CODES, CARRIERS, CHARGES, CONTAINER_TYPES, CURRENCIES, INCOTERMS,
                              PORT_BY_CODE, PORTS, REGIONS, port_name)


def test_reference_data_is_complete():
    code_re = re.compile(r"^[A-Z]{2}[A-Z2-9]{3}$")
    tables = {"PORTS": PORTS, "CHARGES": CHARGES, "BASES": BASES, "CONTAINER_TYPES": CONTAINER_TYPES,
              "INCOTERMS": INCOTERMS, "CARRIERS": CARRIERS}
    for table, items in tables.items():
        codes = [i.code for i in items]
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        assert not dupes, f"{table}: duplicate codes {dupes}"
        for item in items:
            for field in ("name_en", "name_zh_hant", "name_zh_hans"):
                value = getattr(item, field)
                assert isinstance(value, str) and value.strip() == value and value, \
                    f"{table} {item.code}: {field} is empty or padded"
    for port in PORTS:
        assert code_re.match(port.code), f"bad UN/LOCODE {port.code}"
        assert port.country == port.code[:2], f"{port.code}: country {port.country}"
        assert port.region in REGIONS, f"{port.code}: region {port.region}"
    for charge in CHARGES:
        assert charge.default_basis in BASIS_CODES, f"{charge.code}: basis {charge.default_basis}"
    assert BASIS_CODES == ("container", "cbm", "ton", "bl", "lump_sum")
    assert len(INCOTERMS) == 12 and len(set(CURRENCIES)) == len(CURRENCIES) == 7
    assert set(PORT_BY_CODE) == {p.code for p in PORTS}

    counts = {region: sum(p.region == region for p in PORTS) for region in REGIONS}
    minimum = {"Asia": 40, "Europe": 25, "Americas": 25, "Africa": 12, "Oceania": 5}
    for region, least in minimum.items():
        assert counts[region] >= least, f"{region}: {counts[region]} ports, need {least}"
    assert len(PORTS) >= 130, f"{len(PORTS)} ports, need 130"

    # helpers
    assert port_name("TWTPE", "zh_Hant") == "臺北" and port_name("TWTPE", "zh_Hans") == "台北"
    assert port_name("twkhh") == "Kaohsiung" and port_name("AUSYD", "zh-TW") == "雪梨"
    assert port_name("AUSYD", "fr") == "Sydney" and port_name("XXXXX", "zh_Hant") == "XXXXX"
    assert port_name(None) == ""


def test_port_suggestions_search_code_and_names_in_both_scripts(as_role):
    c, _ = as_role("agent", locale="zh_Hant")
    for typed, expected in (("twk", "TWKHH"), ("高雄", "TWKHH"), ("鹿特", "NLRTM"), ("rotter", "NLRTM"),
                            ("厦门", "CNXMN"), ("廈門", "CNXMN"), ("ＵＳＬＡ", "USLAX")):
        options = c.hx("GET", f"/reference/ports?pol={typed}").get_data(as_text=True)
        assert f'value="{expected}"' in options, typed
    assert c.hx("GET", "/reference/ports?pod=KHH").get_data(as_text=True).count("<option") >= 1
    assert "高雄" in c.hx("GET", "/reference/ports?pol=TWKHH").get_data(as_text=True)   # named in the reader's language
    assert c.hx("GET", "/reference/ports?pol=%25").get_data(as_text=True).strip() == ""
    assert c.hx("GET", "/reference/ports").get_data(as_text=True).strip() == ""
