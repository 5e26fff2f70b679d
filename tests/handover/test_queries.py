"""The handover lists (my shift, the board, history) issue the same number of queries for 3 notes as for 60."""
from datetime import timedelta

import sqlalchemy as sa

from portal.extensions import db
from tests.query_counter import QueryCounter


def _add_notes(app, writers, readers, supervisor, customer_ids, n, start):
    """n handed-over notes with several items each, through the app's rules.

    Writers take turns; each note goes to a reader (or to the reader's team), has three items
    (one urgent on a customer, one closed), and every other one is acknowledged, so that the
    acknowledger's next note carries its open items over (R-H3). Every fifth note is a customer
    handover (R-H4). Shift dates alternate between today and yesterday, for the board.
    """
    from portal.auth.models import User
    from portal.core.clock import now as utcnow
    from portal.customers import rules as customer_rules
    from portal.customers.models import Customer
    from portal.handover import rules
    from portal.handover.models import HandoverNote
    with app.test_request_context():
        writers = [db.session.get(User, u.id) for u in writers]
        readers = [db.session.get(User, u.id) for u in readers]
        boss = db.session.get(User, supervisor.id)
        shifts = rules.active_shifts()
        shift, today = rules.shift_at(utcnow())
        for i in range(start, start + n):
            if i % 5 == 4:
                customer = db.session.get(Customer, customer_ids[i % len(customer_ids)])
                new_owner = next(u for u in writers + readers if u.id != customer.owner_id)
                customer_rules.reassign_owner(boss, customer, new_owner, customer.version)
                note = db.session.scalars(sa.select(HandoverNote).where(HandoverNote.customers.any(id=customer.id))
                                          .order_by(HandoverNote.id.desc()).limit(1)).one()
            else:
                author = writers[i % len(writers)]
                recipient = next(u for u in readers[i % len(readers):] + readers if u.id != author.id)
                team = None
                if i % 7 == 3 and recipient.team:
                    recipient, team = None, (recipient.team or "direct")
                day = today - timedelta(days=i % 2)
                note, _carried = rules.start_note(author, shift if i % 3 else shifts[i % len(shifts)], day,
                                                  recipient, team)
                rules.save_summary(author, note, f"Remarks {i}: 颱風 warning for Kaohsiung")
                urgent = rules.add_item(author, note, {
                    "text": f"Call customer about container {i}", "priority": "urgent", "category": "booking",
                    "customer_id": customer_ids[i % len(customer_ids)], "due_at": utcnow() + timedelta(hours=2)})
                rules.add_item(author, note, {"text": f"Send B/L draft {i}", "priority": "normal",
                                              "category": "document", "customer_id": None, "due_at": None})
                done = rules.add_item(author, note, {"text": f"FYI {i}: 報關 done", "priority": "info",
                                                     "category": "other", "customer_id": None, "due_at": None})
                rules.close_item(author, done, done.version)
                rules.submit_note(author, note)
                assert urgent.is_open
            if i % 2 == 0:
                taker = note.recipient or next(u for u in readers if u.team == note.team and u.id != note.author_id)
                rules.acknowledge(taker, note)
            db.session.flush()
        db.session.commit()


def _queries(app, client, url):
    with app.app_context():
        engine = db.engine
    with QueryCounter(engine) as counter:
        response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[-2000:]
    return counter.count, response.get_data(as_text=True)


def _cards(page):
    return page.count('<li class="note-card')


def test_handover_lists_query_count_is_constant(app, make_user, make_customer, as_role):
    from portal.handover.models import HandoverNote, NoteEntry, NoteState
    boss_client, boss = as_role("supervisor", display_name="Supervisor Sue", locale="en")
    me_client, me = as_role("agent", display_name="Agent Mei", team="direct", locale="en")
    colleague = make_user("agent", display_name="Agent Chen", team="direct", locale="en")
    other = make_user("agent", display_name="Agent Wang", team="peer", locale="en")
    customer_ids = [make_customer(u, code=f"HQ-{n:03d}") for n, u in enumerate([me, colleague, other, boss] * 2)]
    writers, readers = [me, colleague, other], [me, colleague, other]

    _add_notes(app, writers, readers, boss, customer_ids, 3, 0)
    few = {}
    few["board"], page = _queries(app, boss_client, "/handover/board")
    assert _cards(page) == 3
    few["history"], page = _queries(app, boss_client, "/handover/history")
    assert page.count("/handover/notes/") == 3
    few["mine"], page = _queries(app, me_client, "/handover")
    assert _cards(page) >= 2

    _add_notes(app, writers, readers, boss, customer_ids, 57, 3)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(HandoverNote)) == 60
        # Several items on each note, some carried from note to note.
        assert db.session.scalar(sa.select(sa.func.count()).select_from(NoteEntry)) > 150
    many = {}
    many["board"], page = _queries(app, boss_client, "/handover/board")
    with app.app_context():
        waiting = db.session.scalar(sa.select(sa.func.count()).select_from(HandoverNote)
                                    .where(HandoverNote.state == NoteState.SUBMITTED))
    page_size = app.config["PAGE_SIZE"]
    assert waiting > page_size   # the waiting notes take more than one page: the first, then "Show more"
    assert _cards(page) == page_size + (60 - waiting) and "Show more" in page
    assert "Customer handover" in page and "Unacknowledged" in page and "Acknowledged" in page
    many["history"], page = _queries(app, boss_client, "/handover/history")
    assert page.count("/handover/notes/") == app.config["PAGE_SIZE"]
    assert "Show more" in page
    many["mine"], page = _queries(app, me_client, "/handover")
    assert _cards(page) > 30
    assert many == few
    assert many["board"] <= 4 and many["history"] <= 4, many   # list pages: a fixed ceiling

    # The next page of history costs no more than the first.
    _, first = _queries(app, boss_client, "/handover/history")
    cursor = first.split("after=")[1].split('"')[0].split("&")[0]
    boss_client.token()
    with app.app_context():
        engine = db.engine
    with QueryCounter(engine) as counter:
        more = boss_client.hx("GET", f"/handover/history?after={cursor}")
    assert more.status_code == 200
    assert more.get_data(as_text=True).count("/handover/notes/") == app.config["PAGE_SIZE"]
    assert counter.count <= 3, counter.statements   # the rows alone: no filter lists, no navigation
    assert counter.count <= few["history"]
