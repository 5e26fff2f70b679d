"""The customers screens through the test client: search, filters, sorting, forms, inline edits."""
import json

import sqlalchemy as sa

from portal.customers.models import Contact, Customer
from portal.extensions import db

NEW = {"code": "TW-0100", "name_zh": "長興海運", "name_en": "Evergrowth Marine", "kind": "direct",
       "grade": "B", "source": "self_sourced", "preferred_locale": "zh_Hant", "country": "TW"}


def stored(app, code):
    with app.app_context():
        return db.session.scalar(sa.select(Customer).where(Customer.code == code))


def test_search_matches_chinese_english_code_and_contact(app, as_role, make_customer):
    c, agent = as_role("agent")
    make_customer(agent, name_zh="深圳華強電子有限公司", name_en="Shenzhen Huaqiang Electronics", code="CN-0001",
                  contacts=[{"name": "李偉", "phone": "+86 755 8888 1234", "wechat": "liwei_sz"}])
    make_customer(agent, name_zh="台灣精密機械", name_en="Taiwan Precision Machinery", code="TW-0001")
    for q, expected in (("華強", "CN-0001"), ("huaqiang", "CN-0001"), ("tw-0001", "TW-0001"),
                        ("李偉", "CN-0001"), ("8888", "CN-0001"), ("liwei_sz", "CN-0001"), ("Precision", "TW-0001")):
        page = c.hx("GET", f"/customers?q={q}").get_data(as_text=True)
        assert expected in page, q
        other = "TW-0001" if expected == "CN-0001" else "CN-0001"
        assert other not in page, q


def test_search_fragment_for_htmx_and_full_page_otherwise(as_role, make_customer):
    c, agent = as_role("agent")
    make_customer(agent)
    fragment = c.hx("GET", "/customers?q=test")
    assert fragment.status_code == 200
    assert fragment.get_data(as_text=True).lstrip().startswith("<section id=\"customer-results\"")
    assert "<html" not in fragment.get_data(as_text=True)
    assert "HX-Request" in fragment.headers["Vary"]
    assert "<html" in c.get("/customers?q=test").get_data(as_text=True)


def test_filters_kind_grade_owner_vip_state_owned(as_role, make_user, make_customer):
    c, agent = as_role("supervisor")
    other = make_user("agent")
    make_customer(agent, code="A-1", kind="peer", grade="A", is_vip=True)
    make_customer(other, code="B-1", kind="direct", grade="C", is_state_owned=True)
    assert_only = lambda query, code: (lambda page: code in page and ({"A-1", "B-1"} - {code}).pop() not in page)(
        c.get(f"/customers?{query}").get_data(as_text=True))
    assert assert_only("kind=peer", "A-1")
    assert assert_only("grade=C", "B-1")
    assert assert_only(f"owner={other.id}", "B-1")
    assert assert_only("owner=me", "A-1")
    assert assert_only("vip=1", "A-1")
    assert assert_only("state_owned=1", "B-1")


def test_sorting_by_code_both_ways(as_role, make_customer):
    c, agent = as_role("agent")
    for code in ("B-2", "A-1", "C-3"):
        make_customer(agent, code=code)
    page = c.get("/customers?sort=code").get_data(as_text=True)
    assert page.index("A-1") < page.index("B-2") < page.index("C-3")
    page = c.get("/customers?sort=code&dir=desc").get_data(as_text=True)
    assert page.index("C-3") < page.index("B-2") < page.index("A-1")
    assert 'aria-sort="descending"' in page


def test_show_more_returns_only_the_next_rows(app, as_role, make_customer):
    c, agent = as_role("agent")
    for n in range(app.config["PAGE_SIZE"] + 3):
        make_customer(agent, code=f"P-{n:03d}")
    first = c.get("/customers?sort=code").get_data(as_text=True)
    assert "P-019" in first and "P-020" not in first
    cursor = first.split("after=")[1].split('"')[0].split("&")[0]
    more = c.hx("GET", f"/customers?sort=code&after={cursor}").get_data(as_text=True)
    assert "P-020" in more and "P-022" in more and "P-019" not in more
    assert "<table" not in more and "Show more" not in more


def test_empty_states(as_role, make_customer):
    c, agent = as_role("agent")
    assert "No customers yet." in c.get("/customers").get_data(as_text=True)
    make_customer(agent)
    assert "No customer matches these filters." in c.get("/customers?q=nothing-like-this").get_data(as_text=True)


def test_invalid_customer_gets_inline_errors_and_keeps_input(app, as_role):
    c, _ = as_role("agent")
    response = c.hx("POST", "/customers/new", data=NEW | {"code": "bad code!", "name_en": "Evergrowth Marine"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Use 2 to 12 capital letters" in page
    assert 'value="Evergrowth Marine"' in page and 'value="長興海運"' in page
    assert 'aria-invalid="true"' in page
    assert stored(app, "BAD CODE!") is None


def test_create_then_see_it_in_the_list(app, as_role):
    c, agent = as_role("agent")
    response = c.form("/customers/new", NEW)
    assert response.status_code == 303
    customer = stored(app, "TW-0100")
    assert response.headers["Location"].endswith(f"/customers/{customer.id}")
    assert customer.owner_id == agent.id
    assert "長興海運" in c.get("/customers").get_data(as_text=True)


def test_duplicate_code_is_refused_next_to_the_field(as_role, make_customer):
    c, agent = as_role("agent")
    make_customer(agent, code="TW-0100")
    response = c.hx("POST", "/customers/new", data=NEW)
    assert response.status_code == 422
    assert "Another customer already has this code." in response.get_data(as_text=True)


def test_agents_edit_their_own_and_read_the_rest(as_role, make_user, make_customer):
    c, agent = as_role("agent")
    own = make_customer(agent)
    theirs = make_customer(make_user("agent"))
    assert c.get(f"/customers/{own}/edit").status_code == 200
    assert c.get(f"/customers/{theirs}/edit").status_code == 403
    assert c.form(f"/customers/{theirs}/edit", NEW | {"version": "1"}).status_code == 403
    page = c.get(f"/customers/{theirs}").get_data(as_text=True)
    assert "Read-only" in page and f"/customers/{theirs}/edit" not in page


def test_edit_saves_and_stale_edit_is_refused_with_input_kept(app, as_role, make_customer):
    c, agent = as_role("agent")
    cid = make_customer(agent, code="TW-0100")
    form = NEW | {"version": "1", "address": "台北市松山區民生東路"}
    assert c.form(f"/customers/{cid}/edit", form).status_code == 303
    assert stored(app, "TW-0100").address == "台北市松山區民生東路"
    # A second tab still holds version 1.
    stale = c.hx("POST", f"/customers/{cid}/edit", data=form | {"address": "高雄市前鎮區"})
    assert stale.status_code == 409
    page = stale.get_data(as_text=True)
    assert "Someone else changed this record" in page and "高雄市前鎮區" in page
    assert stored(app, "TW-0100").address == "台北市松山區民生東路"


def test_contacts_are_added_edited_and_removed_inline(app, as_role, make_customer):
    c, agent = as_role("agent")
    cid = make_customer(agent)
    added = c.hx("POST", f"/customers/{cid}/contacts", data={"name": "王小明", "phone": "+886 2 2712 3456"})
    assert added.status_code == 200 and "王小明" in added.get_data(as_text=True)
    assert added.headers["HX-Retarget"] == "#contacts"
    assert "customerChanged" in json.loads(added.headers["HX-Trigger"])
    with app.app_context():
        contact = db.session.scalar(sa.select(Contact))
    bad = c.hx("POST", f"/customers/{cid}/contacts/{contact.id}/edit",
               data={"name": "王小明", "phone": "call me", "version": contact.version})
    assert bad.status_code == 422 and "Enter a phone number" in bad.get_data(as_text=True)
    saved = c.hx("POST", f"/customers/{cid}/contacts/{contact.id}/edit",
                 data={"name": "王大明", "email": "wang@example.com", "version": contact.version})
    assert saved.status_code == 200 and "王大明" in saved.get_data(as_text=True)
    removed = c.hx("POST", f"/customers/{cid}/contacts/{contact.id}/delete")
    assert removed.status_code == 200 and "王大明" not in removed.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Contact)) == 0


def test_delete_asks_for_confirmation(as_role, make_customer):
    c, agent = as_role("agent")
    cid = make_customer(agent, contacts=[{"name": "王小明"}])
    assert 'hx-confirm="Remove 王小明' in c.get(f"/customers/{cid}").get_data(as_text=True)


def test_supervisor_reassigns_and_changes_grade_inline(app, as_role, make_user, make_customer):
    c, _ = as_role("supervisor")
    agent, other = make_user("agent", display_name="Jason Lin"), make_user("agent", display_name="Amy Wu")
    cid = make_customer(agent, grade="C")
    moved = c.hx("POST", f"/customers/{cid}/owner", data={"owner_id": other.id, "version": 1})
    assert moved.status_code == 200 and "Amy Wu" in moved.get_data(as_text=True)
    graded = c.hx("POST", f"/customers/{cid}/grade", data={"grade": "A", "reason": "每月出貨", "version": 2})
    assert graded.status_code == 200
    assert "每月出貨" in graded.get_data(as_text=True)
    no_reason = c.hx("POST", f"/customers/{cid}/grade", data={"grade": "B", "reason": "", "version": 3})
    assert no_reason.status_code == 422 and "Say why the grade changes." in no_reason.get_data(as_text=True)
    with app.app_context():
        customer = db.session.get(Customer, cid)
        assert (customer.owner_id, customer.grade) == (other.id, "A")
        # R-H4: the new owner received a customer handover note.
        from portal.handover.models import HandoverNote
        note = db.session.scalar(sa.select(HandoverNote).where(HandoverNote.customers.any(id=cid)))
        assert note.kind == "customer" and note.recipient_id == other.id and note.state == "submitted"


def test_agents_cannot_reassign_or_grade(as_role, make_customer):
    c, agent = as_role("agent")
    cid = make_customer(agent)
    assert c.hx("POST", f"/customers/{cid}/owner", data={"owner_id": agent.id, "version": 1}).status_code == 403
    assert c.hx("POST", f"/customers/{cid}/grade", data={"grade": "A", "reason": "x", "version": 1}).status_code == 403
    assert "Reassign owner" not in c.get(f"/customers/{cid}").get_data(as_text=True)


def test_finance_sets_credit_terms(app, as_role, make_user, make_customer):
    c, _ = as_role("finance")
    cid = make_customer(make_user("agent"))
    bad = c.hx("POST", f"/customers/{cid}/credit",
               data={"credit_terms_days": "abc", "credit_limit": "1e400", "credit_currency": "USD", "version": 1})
    assert bad.status_code == 422 and "Enter a whole number." in bad.get_data(as_text=True)
    ok = c.hx("POST", f"/customers/{cid}/credit",
              data={"credit_terms_days": "45", "credit_limit": "250000.00", "credit_currency": "USD", "version": 1})
    assert ok.status_code == 200 and "USD\u00a0250,000.00" in ok.get_data(as_text=True)


def test_change_history_shows_to_supervisors_only(as_role, make_user, make_customer):
    agent = make_user("agent")
    cid = make_customer(agent, contacts=[{"name": "王小明"}])
    supervisor, _ = as_role("supervisor")
    page = supervisor.get(f"/customers/{cid}").get_data(as_text=True)
    assert "Change history" in page and "王小明" in page
    assert supervisor.hx("GET", f"/customers/{cid}/history").status_code == 200
    agent_client, _ = as_role("agent")
    assert "Change history" not in agent_client.get(f"/customers/{cid}").get_data(as_text=True)
    assert agent_client.hx("GET", f"/customers/{cid}/history").status_code == 403


def test_timeline_shows_the_customers_own_events(as_role, make_customer):
    c, agent = as_role("supervisor")
    cid = make_customer(agent, grade="C")
    c.hx("POST", f"/customers/{cid}/grade", data={"grade": "B", "reason": "Ships every quarter now", "version": 1})
    timeline = c.hx("GET", f"/customers/{cid}/timeline").get_data(as_text=True)
    assert "Grade changed from C to B" in timeline and "Customer created" in timeline
    assert timeline.index("Grade changed") < timeline.index("Customer created")


def test_show_more_opened_without_htmx_is_a_whole_page(app, as_role, make_customer):
    """The "Show more" link opened in a new tab (or with scripts off) is a page, not an error."""
    c, agent = as_role("agent")
    for n in range(app.config["PAGE_SIZE"] + 3):
        make_customer(agent, code=f"P-{n:03d}")
    first = c.get("/customers?sort=code").get_data(as_text=True)
    cursor = first.split("after=")[1].split('"')[0].split("&")[0]
    response = c.get(f"/customers?sort=code&after={cursor}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" in page
    assert "P-020" in page and "P-019" not in page


def test_empty_customer_names_every_missing_field_at_once(as_role):
    c, _ = as_role("agent")
    response = c.form("/customers/new", {"code": "", "name_zh": "", "name_en": "", "kind": "direct"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="code-error"' in page and 'id="name_zh-error"' in page
    assert "Enter the Chinese name, the English name, or both." in page


def test_fields_without_errors_carry_no_aria_error_attributes(as_role):
    c, _ = as_role("agent")
    page = c.get("/customers/new").get_data(as_text=True)
    assert 'aria-invalid' not in page and 'aria-describedby' not in page and '="None"' not in page
