"""R-S4: a schedule change reaches every customer on the vessel, in the customer's language; the
notices go out by e-mail through the outbox (a local SMTP server the test starts, aiosmtpd) with
retries, or are sent by hand when SMTP is not set up; who was told, when and how shows on the
shipment."""
import socket
from datetime import timedelta
from email import message_from_bytes, policy
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller

from portal.company.queries import company
from portal.customers import rules as customer_rules
from portal.extensions import db
from portal.shipments import documents, queries, rules, tasks
from portal.shipments.models import DeliveryState, Notice, NoticeState, OutboxMessage, ScheduleChange


class Mailbox:
    """An SMTP server's handler: keeps what it accepts; refuses the first `refuse` attempts per
    recipient with `code`."""

    def __init__(self, refuse=0, code="451 4.3.0 Mailbox busy, try again later"):
        self.refuse, self.code, self.tries, self.messages = refuse, code, {}, []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.tries[address] = self.tries.get(address, 0) + 1
        if self.tries[address] <= self.refuse:
            return self.code
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default)))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(app):
    """A local SMTP server and the portal configured for it; SMTP settings restored afterwards."""
    started = []

    def start(mailbox: Mailbox):
        port = _free_port()
        controller = Controller(mailbox, hostname="127.0.0.1", port=port)
        controller.start()
        started.append(controller)
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_SECURITY="none",
                          SMTP_FROM="Customer Service <cs@portal.example>", SMTP_USERNAME="")
        return mailbox

    yield start
    for controller in started:
        controller.stop()
    app.config.update(SMTP_HOST="", SMTP_FROM="")


def _changed(people, customer, voyage, make_shipment):
    mine = [make_shipment(booking_no="BKA001"), make_shipment(booking_no="BKA002", containers=2)]
    english = customer_rules.create_customer(people["lead"], {
        "code": "US-0007", "name_en": "Pacific Tools Inc.", "kind": "direct", "source": "management",
        "preferred_locale": "en"}, "B")
    customer_rules.add_contact(people["lead"], english, {"name": "Ann Lee", "email": "ann@pacifictools.example"})
    customer_rules.add_contact(people["lead"], english, {"name": "Bob Ray", "email": "bob@pacifictools.example"})
    theirs = rules.create_shipment(people["lead"], {
        "customer_id": english.id, "carrier": "EGLV", "pol": "TWKHH", "pod": "USLAX", "mode": "fcl",
        "commodity": "Hand tools", "container_type": "20GP", "container_qty": 1, "booking_no": "BKB001"})
    rules.add_leg(people["lead"], theirs, "TWKHH", "USLAX", voyage["khh"], voyage["lax"])
    lax = voyage["lax"]
    change = rules.change_schedule(people["lead"], lax, lax.version, lax.eta + timedelta(days=2), None,
                                   lax.etd + timedelta(days=2), "typhoon", "")
    db.session.commit()
    return {"change": change.id, "mine": [s.id for s in mine], "theirs": theirs.id, "english": english.id}


@pytest.fixture
def changed(world):
    """Three shipments on the Los Angeles call for two customers (zh_Hant and en), then a typhoon."""
    return world.build(_changed)


def test_the_affected_list_drafts_a_notice_per_customer_in_their_language(app, world, changed):
    with app.test_request_context():
        change = db.session.get(ScheduleChange, changed["change"])
        shipments = queries.shipments_on(change.call)
        assert {s.id for s in shipments} == set(changed["mine"]) | {changed["theirs"]}
        drafts = documents.schedule_notices(change, shipments, {s.id: None for s in shipments}, company())
        by_code = {d.customer.code: d for d in drafts}
        assert set(by_code) == {"TW-0001", "US-0007"}
        hant, en = by_code["TW-0001"], by_code["US-0007"]
        assert len(hant.shipments) == 2 and len(en.shipments) == 1
        assert hant.locale == "zh_Hant" and "颱風" in hant.body and "台灣精密機械" in hant.body
        assert "EVER GIVEN 1234E" in hant.body and ("GMT-08:00" in hant.body or "GMT-07:00" in hant.body)
        assert "洛杉磯" in hant.body and "BKA002" in hant.body
        assert "Typhoon" in en.body and "Dear Pacific Tools Inc." in en.body and "BKB001" in en.body
        assert "ETA:" in en.body and "→" in en.body


def _all(app, model):
    with app.app_context():
        return db.session.query(model).order_by(model.id).all()


def test_notify_emails_through_the_outbox_and_retries_a_refused_delivery(app, world, changed, smtp, clock):
    mailbox = smtp(Mailbox(refuse=1))
    lead = world.client("lead")
    response = lead.form(f"/shipments/vessels/changes/{changed['change']}/notify")
    assert response.status_code == 303
    notices = _all(app, Notice)
    assert len(notices) == 2 and all(n.channel == "email" for n in notices)
    messages = _all(app, OutboxMessage)
    assert len(messages) == 3                                  # one contact, and two
    # The first try was refused (451): each message waits for its retry.
    assert all(m.state == DeliveryState.QUEUED and m.attempts == 1 and "451" in m.last_error for m in messages)
    assert not mailbox.messages
    with app.app_context():
        assert tasks.deliver()["sent"] == 0                    # not yet time
    clock.advance(minutes=2)
    with app.app_context():
        assert tasks.deliver()["sent"] == 3
    assert all(m.state == DeliveryState.SENT and m.attempts == 2 and m.sent_at == clock.now()
               for m in _all(app, OutboxMessage))
    assert all(n.state == NoticeState.SENT for n in _all(app, Notice))
    assert _all(app, ScheduleChange)[0].notified_at is not None
    recipients = sorted(r for tos, _m in mailbox.messages for r in tos)
    assert recipients == ["ann@pacifictools.example", "bob@pacifictools.example", "wang@tpm.example"]
    chinese = next(m for tos, m in mailbox.messages if tos == ["wang@tpm.example"])
    assert "颱風" in str(make_header(decode_header(chinese["Subject"])))
    body = chinese.get_content()
    assert "颱風" in body and "/s/" in body and chinese["Content-Language"] == "zh-Hant-TW"
    # Who was told, when and how shows on the shipment.
    page = lead.get(f"/shipments/{changed['mine'][0]}").get_data(as_text=True)
    assert "wang@tpm.example" in page and "Delivered to the mail server" in page
    # Telling them twice is refused.
    assert lead.form(f"/shipments/vessels/changes/{changed['change']}/notify").status_code == 303
    assert len(_all(app, Notice)) == 2


def test_a_permanent_refusal_ends_as_failed_and_the_notice_can_go_by_hand(app, world, changed, smtp):
    smtp(Mailbox(refuse=99, code="550 5.1.1 No such mailbox"))
    lead = world.client("lead")
    assert lead.form(f"/shipments/vessels/changes/{changed['change']}/notify").status_code == 303
    assert {m.state for m in _all(app, OutboxMessage)} == {DeliveryState.FAILED}
    assert {n.state for n in _all(app, Notice)} == {NoticeState.FAILED}
    notice = next(n for n in _all(app, Notice) if n.customer_id == changed["english"])
    response = lead.form(f"/shipments/notices/{notice.id}/sent", {"channel": "phone", "version": notice.version})
    assert response.status_code == 303
    notice = next(n for n in _all(app, Notice) if n.id == notice.id)
    assert (notice.state, notice.channel) == (NoticeState.SENT, "phone")


def test_without_smtp_the_notices_wait_to_be_sent_by_hand(app, world, changed):
    agent = world.client("agent")
    change = changed["change"]
    page = agent.get(f"/shipments/vessels/changes/{change}").get_data(as_text=True)
    assert "E-mail is not set up" in page and "wang@tpm.example" in page and "tpm-wang" in page
    assert "Traditional Chinese" in page and "颱風" in page
    assert agent.form(f"/shipments/vessels/changes/{change}/notify").status_code == 303
    notices = _all(app, Notice)
    assert {n.state for n in notices} == {NoticeState.TO_SEND} and not _all(app, OutboxMessage)
    with app.app_context():   # every shipment got a status link for its notice
        call = db.session.get(ScheduleChange, change).call
        assert all(rules.live_link(s, app.config["SECRET_KEY"]) for s in queries.shipments_on(call))
    mine = next(n for n in notices if n.customer_id == world.customer_id)
    assert agent.form(f"/shipments/notices/{mine.id}/sent", {"channel": "line", "version": mine.version}).status_code == 303
    mine = next(n for n in _all(app, Notice) if n.id == mine.id)
    assert (mine.state, mine.channel, mine.sent_at is not None) == (NoticeState.SENT, "line", True)
    page = agent.get(f"/shipments/{changed['mine'][0]}").get_data(as_text=True)
    assert "LINE" in page and "Sent" in page
