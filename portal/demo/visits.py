"""Six weeks of visits and contacts ending now, made only through portal.visits.rules (and the
customers' own rules for their profile), each step at the moment it happens on the portal's clock.

- Every book holder keeps in touch with their customers roughly on their grade's cadence (A and B
  almost daily, C a couple of times a week, D now and then), by phone, chat, e-mail and the odd
  visit, with an outcome, sometimes a satisfaction score and a next action; some lapse, so the
  overdue lists are not empty. Quote follow-ups joined the log already (the quotes demo).
- Visits: done ones in the past weeks (planned, then recorded), planned ones in the next two
  weeks, one cancelled.
- A month ago the supervisor set a customer as dormant after 60 days of silence; the job queued the
  silent customers and their owners have been calling them, oldest first: reached, visit booked,
  not interested, wrong contact, gone out of business; some still wait for a call.
- Complaint cases in every state: closed after the satisfaction call-back (one with a paid claim),
  resolved waiting for the call-back, responded, an urgent one past its hour (the supervisors were
  alerted) and an urgent one whose clock is still running.
- Operations review meetings with the long-term customers, with action items on their owners'
  handover desks (some done).
- The port's profile for the A customers: legal representative, licence, cooperation since, the
  cooperation agreement (one ending within the month, one ended); greetings for birthdays.

Everything comes from random.Random(seed); only the placement in time follows the clock.
"""
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from portal.auth.models import User
from portal.core import clock
from portal.customers import rules as customer_rules
from portal.customers.models import Customer
from portal.extensions import db
from portal.quotes.models import Quote
from portal.shipments.models import Shipment
from portal.visits import rules, workdays
from portal.visits.models import ClaimState, Outcome, PlannedVisit, Reactivation

DAYS = 42
LANGUAGE = {"agent": "zh_Hant", "lead": "zh_Hant", "peer": "zh_Hans", "newhire": "en"}
EVERY = {"A": (1, 3), "B": (2, 5), "C": (4, 9), "D": (20, 45)}     # days between contacts, by grade

NOTES = {
    "zh_Hant": {
        "regular_revisit": ["例行電話回訪，客戶對上月服務滿意。", "拜訪採購經理，了解下季出貨計畫。", "客戶反映訂艙確認書太慢，已說明改善。"],
        "rate_review": ["討論下月美西運價，客戶希望維持現價。", "客戶詢問東南亞線 GRI，已說明生效日。", "報告 Q2 運價走勢，客戶考慮簽長約。"],
        "care_message": ["LINE 問候近況，順便提醒颱風可能延誤。"],
        "reactivation": ["客戶表示去年改用其他船公司，願意再比價。", "總機轉接採購，對方在開會，下週再打。"],
    },
    "zh_Hans": {
        "regular_revisit": ["电话回访，客户对上月服务满意。", "微信沟通下季度出货计划。", "客户反馈订舱确认书偏慢，已说明改进。"],
        "rate_review": ["讨论非洲线下月运价，客户希望维持。", "客户询问拉各斯附加费，已说明。", "报告运价走势，客户考虑长约。"],
        "care_message": ["微信问候，提醒台风可能影响船期。"],
        "reactivation": ["客户说去年换了货代，愿意再比较。", "前台说采购在开会，下周再打。"],
    },
    "en": {
        "regular_revisit": ["Routine call: happy with last month's sailings.", "Met the logistics manager about next quarter.",
                            "They found the booking confirmations slow; explained the fix."],
        "rate_review": ["Went through next month's US West Coast rates.", "Asked about the GRI on Southeast Asia.",
                        "Discussed a yearly contract rate."],
        "care_message": ["Checked in over WhatsApp; mentioned the typhoon delays."],
        "reactivation": ["They moved to another forwarder last year; open to comparing.", "Buyer in a meeting; call again next week."],
    },
}
OUTCOMES = {"zh_Hant": ["下週確認訂艙", "會再比價", "等國外買家回覆", "維持合作"], "zh_Hans": ["下周确认订舱", "会再比价", "等国外买家回复", "维持合作"],
            "en": ["Booking next week", "Comparing prices", "Waiting for their buyer", "Staying with us"]}
NEXT = {"zh_Hant": ["寄送下月船期表", "提供美西報價", "確認免用櫃期"], "zh_Hans": ["发送下月船期表", "提供非洲线报价", "确认免用箱期"],
        "en": ["Send next month's schedule", "Quote the West Coast lanes", "Confirm the free time"]}
COMPLAINTS = [
    # (category, severity, summary, cause, solution, prevention, claim)
    ("damage", "normal", "到港貨物外箱受潮", "櫃頂破損未於進港時檢出", "受損貨物由我司賠償重送", "進港驗櫃增加櫃頂檢查", Decimal("3200")),
    ("delay", "normal", "船舶跳港延誤交期 5 天", "碼頭擁塞，船公司臨時跳港", "協調改裝次班船並每日通報", "擁塞期間提前通知客戶替代航次", None),
    ("documents", "low", "提單收貨人抬頭打錯", "提單製作未與托運單核對", "免費修改提單並加急寄出", "提單寄出前由第二人覆核", None),
    ("billing", "normal", "發票重複收取 THC", "系統匯入時重複建立費用", "開立折讓單", "月結前比對重複費用", None),
    ("service_attitude", "low", "夜班客服未回覆郵件", "交接未列入待回覆郵件", "主管致電道歉並回覆", "交接記錄加入待回覆郵件欄", None),
]


def _working_moment(rng: random.Random, day: date, zone: str) -> datetime:
    local = datetime.combine(day, time(rng.randint(9, 17), rng.choice((0, 10, 20, 30, 40, 50))), ZoneInfo(zone))
    return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def _username(users: dict[str, User], user_id: int) -> str:
    return next((name for name, u in users.items() if u.id == user_id), "agent")


def load_visits(seed: int, users: dict[str, User], customers: list[Customer]) -> None:
    """Flushes, never commits."""
    if not customers:
        return
    rng = random.Random(seed * 31 + 12)
    now = clock.now()
    zone = current_app.config["PORTAL_TIMEZONE"]
    country = workdays.country_for(current_app.config)
    lead = users["lead"]
    book = {u.id: u for u in users.values()}
    customers = db.session.scalars(sa.select(Customer).where(Customer.id.in_([c.id for c in customers]))
                                   .order_by(Customer.id)).all()
    first_day = (now - timedelta(days=DAYS)).date()

    # Who has been quiet: no quote or booking in the last seventy days.
    active = set(db.session.scalars(sa.select(Quote.customer_id).where(Quote.created_at >= now - timedelta(days=70))))
    active |= set(db.session.scalars(sa.select(Shipment.customer_id).where(Shipment.booked_at >= now - timedelta(days=70))))
    quiet = [c for c in customers if c.id not in active]
    silent = {c.id for c in quiet if c.grade in ("C", "D") and rng.random() < 0.8}

    with clock.set_to(now - timedelta(days=DAYS)) as hand:
        _profiles(rng, customers, lead, hand, now)
        # The contact log, day by day, each owner in their own language.
        plan: list[tuple[datetime, Customer]] = []
        for customer in customers:
            if customer.id in silent:
                continue
            low, high = EVERY.get(str(customer.grade), (7, 14))
            day = first_day + timedelta(days=rng.randint(0, high))
            while day < now.date():
                if workdays.is_working_day(day, country):
                    plan.append((_working_moment(rng, day, zone), customer))
                day += timedelta(days=rng.randint(low, high + (2 if rng.random() < 0.3 else 0)))
        plan.sort(key=lambda pair: (pair[0], pair[1].id))
        waiting = []        # next actions not yet done, by due date
        for moment, customer in plan:
            if moment >= now:
                continue
            hand.move_to(moment)
            # Most next actions are ticked off by the day they fall due; some are forgotten.
            for entry in [e for e in waiting if e.next_due_on <= rules.local_date(moment)]:
                waiting.remove(entry)
                if rng.random() < 0.9:
                    rules.finish_next_action(book[entry.next_owner_id], entry, entry.version)
            entry = _contact(rng, customer, book[customer.owner_id], users, rules.local_date(moment))
            if entry.next_action:
                waiting.append(entry)
        db.session.flush()

        # Visits in person: done in the past weeks, planned for the next two.
        _visits(rng, customers, book, users, hand, now, zone, country, silent)

        # A month ago: dormant after 60 days; the job queued the silent; the owners call them.
        hand.move_to(now - timedelta(days=31))
        current = rules.settings()
        versions = {g: r.version for g, r in rules.cadence_rules().items()}
        rules.update_settings(lead, dict(rules.DEFAULT_CADENCE), versions, 60, current.version)
        hand.move_to(now - timedelta(days=30) + timedelta(hours=1))
        rules.list_dormant()
        _reactivation(rng, users, book, hand, now, zone, country)

        # Complaints and review meetings.
        _complaints(rng, customers, book, users, hand, now, silent)
        _meetings(rng, customers, book, users, hand, now, silent)
        _greetings(rng, customers, book, users, hand, now, zone)
        hand.move_to(now)
        rules.escalate_overdue_responses()
    db.session.flush()


def _contact(rng, customer, owner, users, day):
    language = LANGUAGE.get(_username(users, owner.id), "zh_Hant")
    purpose = rng.choices(("regular_revisit", "rate_review", "care_message"), weights=(55, 40, 5))[0]
    channel = rng.choices(("phone", "chat", "email"), weights=(50, 35, 15))[0]
    contacts = customer.contacts
    contact = rng.choice(contacts) if contacts else None
    next_action, next_due = "", None
    if rng.random() < 0.22:
        next_action = rng.choice(NEXT[language])
        next_due = day + timedelta(days=rng.randint(1, 6))
    return rules.log_contact(owner, customer, rules.ContactFields(
        channel=channel, purpose=purpose, notes=rng.choice(NOTES[language][purpose]),
        contact_id=contact.id if contact else None,
        outcome=rng.choice(OUTCOMES[language]) if rng.random() < 0.6 else "",
        satisfaction=rng.choices((None, 3, 4, 5, 2), weights=(60, 10, 15, 12, 3))[0],
        next_action=next_action, next_due_on=next_due))


def _visits(rng, customers, book, users, hand, now, zone, country, silent) -> None:
    regulars = [c for c in customers if str(c.grade) in ("A", "B") and c.id not in silent]
    rng.shuffle(regulars)
    taken: set[tuple[int, date]] = set()

    def slot(customer, day):
        agent = book[customer.owner_id]
        if (agent.id, day) in taken or not workdays.is_working_day(day, country):
            return None
        taken.add((agent.id, day))
        start = datetime.combine(day, time(rng.choice((10, 14, 15))), ZoneInfo(zone)).astimezone(
            ZoneInfo("UTC")).replace(tzinfo=None)
        return agent, start

    for n, customer in enumerate(regulars[: max(2, len(regulars) // 3)]):
        past = n % 2 == 0
        day = (now - timedelta(days=rng.randint(2, 30))).date() if past else (now + timedelta(days=rng.randint(1, 14))).date()
        found = slot(customer, day)
        if found is None:
            continue
        agent, start = found
        hand.move_to(min(start - timedelta(days=rng.randint(3, 7)), now - timedelta(minutes=5)))
        fields = rules.VisitFields(starts_at=start, ends_at=start + timedelta(hours=rng.choice((1, 2))),
                                   purpose="regular_revisit", place=customer.address or "",
                                   contact_id=customer.contacts[0].id if customer.contacts else None)
        try:
            visit = rules.plan_visit(agent, customer, fields)
        except rules.RuleViolation:
            continue
        language = LANGUAGE.get(_username(users, agent.id), "zh_Hant")
        if past:
            hand.move_to(start + timedelta(hours=3))
            rules.record_visit(agent, visit, visit.version, rules.ContactFields(
                channel="visit", purpose="regular_revisit", notes=rng.choice(NOTES[language]["regular_revisit"]),
                outcome=rng.choice(OUTCOMES[language]), satisfaction=rng.choice((4, 5, 4, 3))))
        elif n % 7 == 5:
            rules.cancel_visit(agent, visit, visit.version, {"zh_Hant": "客戶臨時出差", "zh_Hans": "客户临时出差",
                                                            "en": "The customer is travelling"}[language])


def _reactivation(rng, users, book, hand, now, zone, country) -> None:
    queue = db.session.scalars(sa.select(Reactivation).where(Reactivation.closed_at.is_(None))
                               .order_by(Reactivation.silent_since, Reactivation.id)).all()
    start = now - timedelta(days=29)
    for n, target in enumerate(queue):
        if n % 5 == 4:
            continue       # still waiting for a call
        agent = book[target.owner_id]
        language = LANGUAGE.get(_username(users, agent.id), "zh_Hant")
        day = (start + timedelta(days=n % 20)).date()
        while not workdays.is_working_day(day, country):
            day += timedelta(days=1)
        moment = _working_moment(rng, day, zone)
        if moment >= now:
            continue
        hand.move_to(moment)
        customer = target.customer
        contact_id = customer.contacts[0].id if customer.contacts else None
        outcome = rng.choices((Outcome.REACHED, Outcome.VISIT_BOOKED, Outcome.NOT_INTERESTED, Outcome.WRONG_CONTACT,
                               Outcome.OUT_OF_BUSINESS), weights=(35, 25, 20, 12, 8))[0]
        fields = rules.AttemptFields(channel="phone", outcome=outcome, contact_id=contact_id,
                                     notes=rng.choice(NOTES[language]["reactivation"]))
        if outcome in (Outcome.REACHED, Outcome.WRONG_CONTACT):
            fields.next_step = {"zh_Hant": "下週再致電，爭取拜訪", "zh_Hans": "下周再打，争取拜访",
                                "en": "Call again next week to book a visit"}[language]
            fields.next_step_on = (moment + timedelta(days=7)).date()
        if outcome == Outcome.VISIT_BOOKED:
            visit_day = (moment + timedelta(days=rng.randint(3, 20))).date()
            while not workdays.is_working_day(visit_day, country):
                visit_day += timedelta(days=1)
            visit_start = datetime.combine(visit_day, time(11, 0), ZoneInfo(zone)).astimezone(
                ZoneInfo("UTC")).replace(tzinfo=None)
            fields.visit = rules.VisitFields(starts_at=visit_start, ends_at=visit_start + timedelta(hours=1),
                                             place=customer.address or "")
        try:
            rules.work_reactivation(agent, target, target.version, fields)
        except rules.RuleViolation:
            continue
        if outcome == Outcome.VISIT_BOOKED and target.visit_id and fields.visit.starts_at + timedelta(hours=2) < now:
            visit = db.session.get(PlannedVisit, target.visit_id)
            hand.move_to(fields.visit.starts_at + timedelta(hours=2))
            rules.record_visit(agent, visit, visit.version, rules.ContactFields(
                channel="visit", purpose="reactivation", notes=rng.choice(NOTES[language]["reactivation"]),
                outcome=rng.choice(OUTCOMES[language]), satisfaction=4))


def _complaints(rng, customers, book, users, hand, now, silent) -> None:
    pool = [c for c in customers if c.id not in silent]
    rng.shuffle(pool)
    states = ["closed", "closed", "resolved", "responded", "late", "running"]
    for n, state in enumerate(states):
        if n >= len(pool):
            return
        customer = pool[n]
        owner = book[customer.owner_id]
        category, severity, summary, cause, solution, prevention, claim = COMPLAINTS[n % len(COMPLAINTS)]
        received = {"closed": now - timedelta(days=25 - n * 6), "resolved": now - timedelta(days=6),
                    "responded": now - timedelta(days=2), "late": now - timedelta(hours=2),
                    "running": now - timedelta(minutes=35)}[state]
        if state in ("late", "running"):
            severity = "urgent"
        hand.move_to(received + timedelta(minutes=3))
        contact = customer.contacts[0] if customer.contacts else None
        case = rules.open_case(owner, customer, rules.CaseFields(
            channel=rng.choice(("phone", "email", "chat")), category=category, severity=severity, summary=summary,
            description=summary, received_at=received, reported_by=contact.name if contact else ""))
        if state in ("late", "running"):
            continue
        hand.move_to(received + timedelta(minutes=rng.randint(15, 50)))
        rules.respond(owner, case, case.version, "已致電致歉並說明處理方式" if n % 2 else "Apologised and explained the next steps")
        if state == "responded":
            continue
        hand.move_to(received + timedelta(days=1))
        if n == 0:
            rules.add_evidence(owner, case, "surveyor-report.pdf", b"%PDF-1.4\n% demo surveyor report\n%%EOF\n",
                               "公證報告")
        rules.resolve(owner, case, case.version, cause, solution, prevention)
        if claim:
            rules.update_claim(owner, case, case.version, ClaimState.FILED, claim, "USD")
            hand.move_to(received + timedelta(days=4))
            rules.update_claim(owner, case, case.version, ClaimState.PAID, claim, "USD")
        if state == "closed":
            hand.move_to(received + timedelta(days=5))
            rules.call_back(owner, case, case.version, rng.choice((4, 5, 3)), "客戶表示滿意處理結果")


def _meetings(rng, customers, book, users, hand, now, silent) -> None:
    long_term = [c for c in customers if str(c.grade) == "A" and c.id not in silent][:3]
    lead = users["lead"]
    for n, customer in enumerate(long_term):
        owner = book[customer.owner_id]
        held = now - timedelta(days=20 - n * 7, hours=3)
        hand.move_to(held + timedelta(hours=2))
        today = rules._today()
        actions = [rules.ActionFields("提供上季各航線準班率報告", owner, today + timedelta(days=5 + n)),
                   rules.ActionFields("與操作部確認進港檢查流程", lead, today + timedelta(days=10))]
        meeting = rules.record_meeting(owner, customer, held, (
            "一、上季貨量較前季成長 12%。\n二、客戶反映兩次甩櫃，已說明原因與改善。\n三、下季預計增加美東航線。"),
            actions, place=customer.address or "", attendees_ours=f"{owner.display_name}, {lead.display_name}",
            attendees_customer=customer.contacts[0].name if customer.contacts else "", satisfaction=4)
        if n == 0:
            hand.move_to(held + timedelta(days=3))
            item = meeting.actions[0]
            rules.finish_action_item(owner, item, item.version)


def _greetings(rng, customers, book, users, hand, now, zone) -> None:
    """A customer's main contact with a birthday this week; a greeting already sent for another."""
    from portal.visits import care
    today = clock.today(zone)
    monday = rules.start_of_week(today)
    regulars = [c for c in customers if str(c.grade) in ("A", "B") and c.contacts]
    for n, customer in enumerate(regulars[:2]):
        owner = book[customer.owner_id]
        contact = next((c for c in customer.contacts if c.is_primary), customer.contacts[0])
        hand.move_to(now - timedelta(days=40))
        birthday = (monday + timedelta(days=(n * 3) % 7)).replace(year=1975 + n * 7)
        customer_rules.update_contact(owner, customer, contact, contact.version, {
            "name": contact.name, "title": contact.title, "phone": contact.phone, "email": contact.email,
            "wechat": contact.wechat, "line_id": contact.line_id, "birthday": birthday, "is_primary": True})
        if n == 0 and monday + timedelta(days=(n * 3) % 7) <= today:
            hand.move_to(now - timedelta(hours=2))
            occasion = f"birthday-{monday.year}"
            rules.greet(owner, contact, occasion, "chat", care.greeting("birthday", contact, customer, owner))


def _profiles(rng, customers, lead, hand, now) -> None:
    """R-V7 for the A customers: the port's profile, agreements with their end dates."""
    for n, customer in enumerate([c for c in customers if str(c.grade) == "A"][:8]):
        hand.move_to(now - timedelta(days=DAYS + 1))
        today = rules._today()
        since = today - timedelta(days=365 * rng.randint(1, 9) + rng.randint(0, 300))
        starts = today - timedelta(days=rng.randint(200, 330))
        ends = {0: today + timedelta(days=DAYS + 18), 1: today + timedelta(days=DAYS - 6)}.get(
            n, starts + timedelta(days=730))
        fields = {f: getattr(customer, f) for f in customer_rules.PROFILE_FIELDS}
        fields.update(legal_representative=rng.choice(("王建國", "陳志明", "林美惠", "张立新", "刘海燕")),
                      business_licence_no=f"{rng.randint(10000000, 99999999)}",
                      business_scope=rng.choice(("精密機械及零件進出口", "電子零組件製造與貿易", "冷凍食品進出口", "化工原料批發")),
                      cooperating_since=since, agreement_starts_on=starts, agreement_ends_on=ends)
        customer_rules.update_customer(lead, customer, customer.version, fields)
