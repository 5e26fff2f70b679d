"""Rate cards, called directly: what a rate must hold, who keeps the cards, the pricing permission,
and importing a file (preview with every bad row, nothing half-imported, re-import idempotent)."""
import io
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.core.audit import AuditEntry
from portal.core.rules import RuleViolation, StaleRecord
from portal.extensions import db
from portal.rates import files, rules
from portal.rates.models import ImportState, Rate, RateState
from tests.rates.conftest import HEADER, csv_bytes, row

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "rate-card-example.csv"


def _count(model=Rate) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.mark.parametrize("change, field", [
    ({"carrier": "NOPE"}, "carrier"), ({"pol": "XXXXX"}, "pol"), ({"pod": "TWKHH"}, "pod"),
    ({"via": "USLAX"}, "via"), ({"equipment": "50XX"}, "equipment"), ({"charge_code": "FOO"}, "charge_code"),
    ({"currency": "XYZ"}, "currency"), ({"min_sell_rate": Decimal("1900")}, "min_sell_rate"),
    ({"buy_rate": Decimal("1750")}, "min_sell_rate"), ({"sell_rate": Decimal("-1")}, "sell_rate"),
    ({"cutoff_weekday": 9}, "cutoff_weekday"),
    ({"remarks": "x" * 301}, "remarks")])
def test_a_rate_names_known_things_and_buy_lies_under_minimum_under_company(people, rate_values, change, field):
    with pytest.raises(RuleViolation) as refused:
        rules.create_rate(people["lead"], rate_values(**change))
    assert refused.value.field == field


def test_a_rate_cannot_end_before_it_starts(people, rate_values):
    values = rate_values()
    with pytest.raises(RuleViolation) as refused:
        rules.create_rate(people["lead"], values | {"valid_to": values["valid_from"] - timedelta(days=1)})
    assert refused.value.field == "valid_to"


def test_the_periods_of_one_rate_never_overlap(people, rate_values, clock):
    first = rules.create_rate(people["lead"], rate_values())
    with pytest.raises(RuleViolation) as refused:
        rules.create_rate(people["lead"], rate_values(valid_from=first.valid_to, valid_to=first.valid_to + timedelta(days=9)))
    assert refused.value.field == "valid_from" and "overlaps" in str(refused.value.message)
    # The next period, another container type, or another via port are other rates.
    rules.create_rate(people["lead"], rate_values(valid_from=first.valid_to + timedelta(days=1),
                                                  valid_to=first.valid_to + timedelta(days=30)))
    rules.create_rate(people["lead"], rate_values(equipment="20GP"))
    rules.create_rate(people["lead"], rate_values(via="JPTYO"))
    assert _count() == 4


def test_only_supervisors_and_agents_given_pricing_keep_cards(people, rate_values):
    for who in ("agent", "admin", "finance"):
        with pytest.raises(RuleViolation):
            rules.create_rate(people[who], rate_values())
    route = people["route"]
    with pytest.raises(RuleViolation):              # an agent does not give it to another
        rules.set_pricing(people["agent"], route, True, route.version)
    rules.set_pricing(people["lead"], route, True, route.version)
    rate = rules.create_rate(route, rate_values())
    assert rate.changed_by_id == route.id
    with pytest.raises(RuleViolation):              # only a supervisor vets an agent's channel
        rules.adopt_channel(route, people["agent"], rate_values(equipment="20GP"))
    # The permission is recorded with who gave it and when; an admin may take it back.
    rules.set_pricing(people["admin"], route, False, route.version)
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "pricing")
                                 .order_by(AuditEntry.id)).all()
    assert [(e.actor_id, e.changes["pricing"]) for e in entries] == [(people["lead"].id, [False, True]),
                                                                       (people["admin"].id, [True, False])]
    with pytest.raises(RuleViolation):
        rules.create_rate(route, rate_values(equipment="20GP"))
    with pytest.raises(RuleViolation):              # supervisors keep cards anyway; finance never
        rules.set_pricing(people["lead"], people["finance"], True, people["finance"].version)


def test_an_edit_overtaken_by_another_is_refused_and_every_change_is_history(people, rate_values):
    rate = rules.create_rate(people["lead"], rate_values())
    seen = rate.version
    rules.update_rate(people["lead"], rate, seen, rate_values(min_sell_rate=Decimal("1720.00")))
    with pytest.raises(StaleRecord) as stale:
        rules.update_rate(people["lead"], rate, seen, rate_values(min_sell_rate=Decimal("1650.00")))
    assert stale.value.status == 409 and rate.min_sell_rate == Decimal("1720.00")
    assert not rules.update_rate(people["lead"], rate, rate.version, rate_values(min_sell_rate=Decimal("1720.00")))
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.subject_type == "rate")
                                 .order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[1].changes == {"min_sell_rate": ["1700.00", "1720.00"]}


def test_a_rates_state_follows_the_day(people, rate_values, clock):
    today = clock.start.date()
    rate = rules.create_rate(people["lead"], rate_values(valid_from=today - timedelta(days=5),
                                                          valid_to=today + timedelta(days=40)))
    assert rules.state_of(rate, today) == RateState.CURRENT
    assert rules.state_of(rate, today + timedelta(days=30)) == RateState.EXPIRING
    assert rules.state_of(rate, today + timedelta(days=41)) == RateState.EXPIRED
    assert rules.state_of(rate, today - timedelta(days=6)) == RateState.FUTURE


# --- importing a file ------------------------------------------------------------------------------------


def _import(actor, data: bytes, name="rates.csv"):
    header, rows = files.read_table(name, data)
    return rules.start_import(actor, name, header, rows)


def test_a_file_with_bad_rows_shows_each_reason_and_imports_nothing(people, clock):
    today = clock.start.date()
    end = today + timedelta(days=29)
    rules.create_rate(people["lead"], {**dict(zip(("carrier", "pol", "pod", "via", "equipment", "charge_code"),
                                                  ("ONEY", "TWKHH", "USLAX", "", "40HQ", "OFR"))),
                                       "buy_rate": Decimal("1"), "sell_rate": Decimal("3"), "min_sell_rate": Decimal("2"),
                                       "currency": "USD", "valid_from": today, "valid_to": end})
    data = csv_bytes([
        row(today, end),                                            # 2: fine
        row(today, end, pod="USLAXX"),                              # 3: unknown port
        row(today, end, carrier="Blue Whale Lines", pod="NLRTM"),   # 4: unknown carrier
        row(today, end, buy="TBA", pod="DEHAM"),                    # 5: text in a number
        row(today, end),                                            # 6: duplicate of row 2
        row(today + timedelta(days=10), end + timedelta(days=10), equipment="20GP"),     # 7
        row(today + timedelta(days=5), end + timedelta(days=20), equipment="20GP"),      # 8: overlaps row 7
        row(today + timedelta(days=5), end, carrier="ONEY"),        # 9: overlaps the card in the portal
        row(today, end, sell="1600", pod="JPTYO"),                  # 10: minimum above the company rate
        row(today, end, equipment="53FT", pod="SGSIN"),             # 11: unknown equipment
    ])
    record = _import(people["lead"], data)
    check = rules.check_import(record)
    bad = {r.number: " ".join(str(e) for e in r.errors) for r in check.bad_rows}
    assert set(bad) == {3, 4, 5, 6, 8, 9, 10, 11}, bad
    assert "USLAXX" in bad[3] and "Blue Whale Lines" in bad[4] and "TBA" in bad[5] and "not a number" in bad[5]
    assert "Duplicate of row 2" in bad[6] and "overlaps row 7" in bad[8] and "in the portal" in bad[9]
    assert "Minimum sell rate" in bad[10] and "53FT" in bad[11]
    assert not check.ok and check.count("create") == 2
    with pytest.raises(RuleViolation):
        rules.apply_import(people["lead"], record, record.version)
    assert _count() == 1 and record.state == ImportState.PREVIEW     # nothing half-imported


def test_wrong_columns_are_named_and_can_be_matched_by_hand(people, clock):
    today = clock.start.date()
    header = ["Line", "From", "To", "Trans", "Box", "Item", "Net", "Tariff", "Floor", "Ccy", "Start", "End"]
    data = csv_bytes([row(today, today + timedelta(days=20))[:6] + ["1500", "1850", "1700", "USD",
                                                                      today.isoformat(),
                                                                      (today + timedelta(days=20)).isoformat()]],
                     header=header)
    record = _import(people["lead"], data)
    check = rules.check_import(record)
    assert check.problems and "Port of loading" in str(check.problems[0]) and not check.ok
    rules.set_mapping(people["lead"], record, record.version, ["carrier", "pol", "pod", "via", "equipment",
                                                               "charge_code", "buy_rate", "sell_rate", "min_sell_rate",
                                                               "currency", "valid_from", "valid_to"])
    with pytest.raises(RuleViolation):
        rules.set_mapping(people["lead"], record, record.version, ["carrier"] * len(header))
    assert rules.check_import(record).ok


def test_reimporting_the_same_file_changes_nothing_and_a_changed_row_updates_its_rate(people, clock):
    today = clock.start.date()
    end = today + timedelta(days=29)
    rows = [row(today, end), row(today, end, equipment="20GP", buy="900", sell="1150", minimum="1050"),
            row(today, end, equipment="bl", charge="AMS", buy="25", sell="35", minimum="30")]
    first = _import(people["lead"], csv_bytes(rows))
    rules.apply_import(people["lead"], first, first.version)
    assert (first.created, first.updated, first.unchanged, _count()) == (3, 0, 0, 3)
    entries = _count(AuditEntry)
    again = _import(people["lead"], csv_bytes(rows))
    rules.apply_import(people["lead"], again, again.version)
    assert (again.created, again.updated, again.unchanged, _count(), _count(AuditEntry)) == (0, 0, 3, 3, entries)
    with pytest.raises(RuleViolation):                  # a file is imported once
        rules.apply_import(people["lead"], again, again.version)
    rows[0] = row(today, end, minimum="1720")
    changed = _import(people["lead"], csv_bytes(rows))
    rules.apply_import(people["lead"], changed, changed.version)
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 2)
    rate = db.session.scalar(sa.select(Rate).where(Rate.equipment == "40HQ"))
    assert rate.min_sell_rate == Decimal("1720.00") and rate.import_id == changed.id


def test_an_excel_file_with_chinese_titles_and_date_cells_imports(people, clock):
    from openpyxl import Workbook
    today = clock.start.date()
    book = Workbook()
    sheet = book.active
    sheet.append(["船公司", "裝貨港", "卸貨港", "櫃型", "費用", "成本價", "公司售價", "最低售價", "幣別", "生效日", "到期日",
                  "免用櫃期", "航程天數", "截關日", "備註"])
    sheet.append(["長榮海運", "高雄", "USLAX", "40'HQ", "OFR", 1500.0, 1850, 1700.5, "USD", today,
                  today + timedelta(days=29), "14 天", 14, "週四", "直航"])
    out = io.BytesIO()
    book.save(out)
    record = _import(people["lead"], out.getvalue(), "長榮-美西.xlsx")
    check = rules.check_import(record)
    assert check.ok, [r.errors for r in check.bad_rows] + check.problems
    values = check.rows[0].values
    assert (values["carrier"], values["pol"], values["equipment"], values["min_sell_rate"], values["valid_from"],
            values["free_time_days"], values["cutoff_weekday"]) == ("EGLV", "TWKHH", "40HQ", Decimal("1700.50"),
                                                                   today, 14, 3)


def test_the_example_file_in_the_repository_reads_without_an_error(people):
    record = _import(people["lead"], EXAMPLE.read_bytes(), EXAMPLE.name)
    check = rules.check_import(record)
    assert check.ok, [(r.number, [str(e) for e in r.errors]) for r in check.bad_rows] + check.problems
    assert len(check.rows) >= 20 and {r.values["equipment"] for r in check.rows} >= {"20GP", "40HQ", "bl", "cbm"}


def test_a_file_that_is_not_a_rate_file_is_refused_in_words(people):
    for name, data in (("rates.pdf", b"%PDF-1.7"), ("rates.csv", b""), ("rates.xlsx", b"PK\x03\x04broken"),
                       ("rates.csv", b"x" * (files.MAX_BYTES + 1))):
        with pytest.raises(RuleViolation) as refused:
            files.read_table(name, data)
        assert refused.value.field == "file"
    header, rows = files.read_table("big5.csv", (",".join(HEADER) + "\n" + "長榮海運,高雄,USLAX").encode("cp950"))
    assert header[0] == "Carrier" and rows[0][0] == "長榮海運"
