"""The search index: Chinese scripts folded, 1- and 2-character queries, phone fragments,
full-width input, pinyin initials, exact matches first, and documents that follow their records
in the same transaction (create, edit, delete, rollback) on SQLite's FTS5 and PostgreSQL's GIN."""
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.auth.models import User
from portal.core import search
from portal.core.search import SearchDocument
from portal.customers import queries as customer_queries, rules as customer_rules
from portal.extensions import db


def found(q) -> list[str]:
    return [c.code for c in customer_queries.list_customers(customer_queries.CustomerFilters(q=q)).items]


@pytest.fixture
def agent(make_user, ctx):
    return db.session.get(User, make_user("agent").id)


@pytest.fixture
def book(agent):
    def add(code, zh=None, en=None, contacts=()):
        customer = customer_rules.create_customer(agent, {"code": code, "name_zh": zh, "name_en": en, "kind": "direct",
                                                          "source": "self_sourced", "preferred_locale": "zh_Hant"}, "B")
        for contact in contacts:
            customer_rules.add_contact(agent, customer, contact)
        return customer
    add("TW-0001", "華益食品股份有限公司", "Hua Yi Foods")
    add("TW-0002", "台灣海運", "Taiwan Marine", [{"name": "王小明", "phone": "+886 7 331-2468"}])
    add("CN-0001", "深圳华强电子", "Shenzhen Huaqiang Electronics", [{"name": "李雷", "email": "li.lei@hq.example"}])
    add("TW-0003", "華語信達", None)
    add("HY", "和益", "HY Trading")
    db.session.commit()
    return add


def test_simplified_finds_traditional_and_back(book):
    assert found("华益食品") == ["TW-0001"]
    assert found("華益食品") == ["TW-0001"]
    assert found("華強") == ["CN-0001"]          # stored Simplified, typed Traditional
    assert found("臺灣海運") == found("台灣海運") == found("台湾") == ["TW-0002"]


def test_one_and_two_character_queries(book):
    assert set(found("益")) == {"TW-0001", "HY"}
    assert found("海運") == ["TW-0002"]
    assert found("運海") == []   # characters must be next to each other


def test_phone_fragments_of_three_or_more_digits(book):
    assert found("3312") == ["TW-0002"]
    assert found("2468") == ["TW-0002"]
    assert found("886733124") == ["TW-0002"]   # the number typed without spaces
    assert found("5555") == []


def test_full_width_case_words_prefixes_and_e_mail(book):
    assert found("ｔｗ－０００２") == ["TW-0002"]
    assert found("SHENZHEN elec") == ["CN-0001"]
    assert found("li.lei@hq") == ["CN-0001"]
    assert found("Mari") == ["TW-0002"]


def test_pinyin_initials_of_chinese_names(book):
    assert found("hyxd") == ["TW-0003"]        # 華語信達
    assert "TW-0001" in found("hysp")          # 華益食品


def test_an_exact_code_or_name_comes_first(book):
    # "HY" is a code, and the initials and words of others: the customer whose code it is leads.
    results = found("hy")
    assert results[0] == "HY" and len(results) > 1


def test_the_index_follows_create_edit_delete_and_rollback(agent, book):
    customer = book("NEW-1", "新客戶", "Brand New")
    db.session.commit()
    assert found("新客") == ["NEW-1"]
    customer_rules.update_customer(agent, customer, customer.version, {
        "code": "NEW-1", "name_zh": "改名貿易", "name_en": "Renamed Trading", "kind": "direct",
        "source": "self_sourced", "preferred_locale": "zh_Hant"})
    db.session.commit()
    assert found("新客") == [] and found("改名") == ["NEW-1"]

    contact = customer_rules.add_contact(agent, customer, {"name": "陳大文", "phone": "0912-345-678"})
    db.session.commit()
    assert found("345678") == ["NEW-1"]
    customer_rules.remove_contact(agent, customer, contact)
    db.session.commit()
    assert found("345678") == []

    book("GONE-1", "撤回客戶", None)
    db.session.rollback()                         # the record and its document go together
    assert found("撤回") == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SearchDocument)
                             .where(SearchDocument.kind == "customer")) == 6


def test_symbols_alone_find_nothing_and_an_empty_box_filters_nothing(book):
    assert found("%_*") == []
    assert len(found("")) == 5


def test_rebuild_writes_every_document_again(book):
    db.session.execute(sa.delete(SearchDocument))
    db.session.commit()
    assert found("华益") == []
    counts = search.rebuild()
    assert counts["customer"] == 5
    assert found("华益") == ["TW-0001"]


def test_quotes_and_handover_history_use_the_index(agent, book, make_user, clock):
    from portal.handover import queries as handover_queries, rules as handover_rules
    from portal.handover.models import Shift
    from portal.quotes import queries as quote_queries, rules as quote_rules
    customer = db.session.scalar(sa.select(customer_queries.Customer).where(customer_queries.Customer.code == "TW-0001"))
    quote = quote_rules.create_quote(agent, {
        "customer_id": customer.id, "contact_id": None, "inquiry_at": clock.start - timedelta(minutes=5),
        "mode": "fcl", "pol": "TWKHH", "pod": "USLAX", "carrier": "EGLV", "container_type": "40HQ",
        "container_qty": 1, "gross_weight_kg": Decimal("9000"), "commodity": "冷凍蝦仁", "valid_until":
        clock.start.date() + timedelta(days=7), "currency": "USD", "self_sourced_rate": False,
        "dg_fees_confirmed": False, "notes": "", "remarks": ""},
        [{"charge_code": "OFR", "basis": "container", "quantity": Decimal("1"), "sell_rate": Decimal("1800"),
          "buy_rate": Decimal("1500"), "min_sell_rate": None, "currency": "USD", "direction": "receivable",
          "includes": ""}])
    db.session.commit()

    def quotes(q):
        return [x.id for x in quote_queries.history(quote_queries.QuoteFilters(q=q)).items]

    assert quotes("冻虾") == quotes("华益 高雄") == quotes("kaohsiung los") == quotes(quote.number) == [quote.id]
    assert quotes("海運") == []

    colleague = db.session.get(User, make_user("agent").id)
    shift = db.session.scalar(sa.select(Shift).where(Shift.name_en == "Day"))
    note, _ = handover_rules.start_note(agent, shift, clock.start.date(), colleague)
    handover_rules.add_item(agent, note, {"text": "臺灣海運的提單還沒寄出", "priority": "normal", "category": "document",
                                          "customer_id": customer.id})
    handover_rules.submit_note(agent, note)
    db.session.commit()

    def notes(q):
        return [n.id for n in handover_queries.history(agent, handover_queries.NoteFilters(q=q)).items]

    assert notes("台湾海运 提单") == notes("華益") == [note.id]


def test_a_search_keeps_the_newest_matches_and_still_finds_old_ones(agent, book, monkeypatch):
    """At most NEWEST_MATCHES, newest first; on PostgreSQL the newest records are searched first in
    widening windows, so a common word is answered from the newest and a rare one found wherever it is."""
    monkeypatch.setattr(search, "NEWEST_MATCHES", 3)
    monkeypatch.setattr(search, "RECENT_WINDOWS", (2, 5))
    rare = book("OLD-1", "冷僻貿易", "Rare Words Trading")
    common = [book(f"TX-{n:02d}", f"紡織{n:02d}號", None).id for n in range(12)]
    db.session.commit()

    def ids(q):
        return [row[0] for row in db.session.execute(search.matching("customer", q))]

    newest = ids("紡織")
    assert set(sorted(common, reverse=True)[:3]) <= set(newest)   # the three newest are there
    assert len(set(newest)) < len(common)                         # not every match is read
    assert ids("冷僻") == [rare.id]                             # older than every window but the last
    assert ids("rare words") == [rare.id]
    assert ids("紡織 冷僻") == []
