"""The one permission policy: can(user, action, obj=None).

Views, templates and rules ask it; nothing else checks roles. Each action maps to a rule that
takes the user and, for record-level actions, the record. Records are read through their own
attributes and properties (`owner_id`, `is_draft`, ...), so the policy imports no feature.
"""
from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.core.choices import Choice


class Role(Choice):
    AGENT = "agent", _l("Agent")
    SUPERVISOR = "supervisor", _l("Supervisor")
    FINANCE = "finance", _l("Finance")
    ADMIN = "admin", _l("Admin")


STAFF = frozenset(Role)
# Who may own customers and receive handovers: the people who work a book of customers.
BOOK_HOLDERS = frozenset({Role.AGENT, Role.SUPERVISOR})


def _roles(*roles):
    allowed = frozenset(roles)
    return lambda user, obj: user.role in allowed


def _owner_or(*roles):
    """The record's owner, or one of roles (record-level rule)."""
    allowed = frozenset(roles)

    def rule(user, obj):
        if user.role in allowed:
            return True
        return obj is not None and user.role == Role.AGENT and obj.owner_id == user.id

    return rule


def _quote_owner_or(*roles):
    """The quote's author, or one of roles."""
    allowed = frozenset(roles)
    return lambda user, quote: user.role in allowed or (
        quote is not None and user.role == Role.AGENT and quote.agent_id == user.id)


def _book_holder(user, candidate) -> bool:
    """May `candidate` (a user) own customers and take over handovers? Active agents and supervisors."""
    return candidate is not None and bool(candidate.active) and candidate.role in BOOK_HOLDERS


def _decider(user, quote) -> bool:
    """Supervisors approve or return quotes, never their own (R-Q1)."""
    return user.role == Role.SUPERVISOR and (quote is None or quote.agent_id != user.id)


def _price_keeper(user, obj) -> bool:
    """Rate cards are kept by supervisors and by agents a supervisor gave the pricing permission."""
    return user.role == Role.SUPERVISOR or (user.role == Role.AGENT and bool(getattr(user, "pricing", False)))


def _pricing_grantee(user, candidate) -> bool:
    """Who may be given the pricing permission: an active agent (supervisors keep cards anyway)."""
    return user.role in (Role.SUPERVISOR, Role.ADMIN) and (
        candidate is None or (bool(candidate.active) and candidate.role == Role.AGENT))


def _follower_up(user, follow_up) -> bool:
    """A follow-up is its agent's to do; a supervisor may tick it off for the team."""
    return user.role == Role.SUPERVISOR or (
        follow_up is not None and user.role == Role.AGENT and follow_up.agent_id == user.id)


def _receives(user, note) -> bool:
    """The note's incoming agent, or a member of the team it is for; never its writer."""
    if note is None or user.id == note.author_id:
        return False
    if note.recipient_id is not None:
        return note.recipient_id == user.id
    return note.team is not None and user.team == note.team


def _note_reader(user, note) -> bool:
    if user.role in (Role.SUPERVISOR, Role.ADMIN):
        return True
    return note is not None and user.role == Role.AGENT and (
        user.id in (note.author_id, note.acknowledged_by_id) or _receives(user, note))


def _note_writer(user, note) -> bool:
    return note is not None and user.id == note.author_id and note.is_draft


def _note_acknowledger(user, note) -> bool:
    return note is not None and note.is_waiting and user.role in BOOK_HOLDERS and _receives(user, note)


def _note_corrector(user, note) -> bool:
    """Addenda to a handed-over note (waiting or taken over): its writer, whoever took it over,
    or a supervisor. A draft is still edited in place."""
    if note is None or note.is_draft:
        return False
    return user.role == Role.SUPERVISOR or (user.role == Role.AGENT and user.id in (
        note.author_id, note.acknowledged_by_id))


RULES = {
    "customers.list": _roles(*STAFF),
    "customers.view": _roles(*STAFF),
    "customers.create": _roles(Role.AGENT, Role.SUPERVISOR, Role.ADMIN),
    "customers.edit": _owner_or(Role.SUPERVISOR, Role.ADMIN),
    "customers.reassign": _roles(Role.SUPERVISOR, Role.ADMIN),
    "customers.own": _book_holder,
    "customers.grade": _roles(Role.SUPERVISOR, Role.ADMIN),
    "customers.credit": _roles(Role.FINANCE, Role.ADMIN),
    "audit.view": _roles(Role.SUPERVISOR, Role.ADMIN),
    "users.manage": _roles(Role.ADMIN),
    "company.manage": _roles(Role.ADMIN),
    "handover.use": _roles(*BOOK_HOLDERS),
    "handover.receive": _book_holder,
    "handover.board": _roles(Role.SUPERVISOR, Role.ADMIN),
    "handover.history": _roles(Role.AGENT, Role.SUPERVISOR, Role.ADMIN),
    "handover.view": _note_reader,
    "handover.write": _note_writer,
    "handover.acknowledge": _note_acknowledger,
    "handover.addendum": _note_corrector,
    "handover.close_item": _roles(*BOOK_HOLDERS),
    "handover.shifts": _roles(Role.ADMIN),
    "quotes.list": _roles(*STAFF),
    "quotes.view": _roles(*STAFF),
    "quotes.create": _roles(*BOOK_HOLDERS),
    "quotes.edit": _quote_owner_or(Role.SUPERVISOR),
    "quotes.approve": _roles(Role.SUPERVISOR),
    "quotes.decide": _decider,
    "quotes.follow_up": _follower_up,
    "quotes.internal": _roles(Role.AGENT, Role.SUPERVISOR, Role.ADMIN),
    # Shipments: everyone on staff reads them (finance for holds, admin for support); an agent
    # works the shipments of the customers they own, a supervisor any (records: the shipment,
    # or for booking the customer).
    "shipments.list": _roles(*STAFF),
    "shipments.view": _roles(*STAFF),
    "shipments.create": _roles(*BOOK_HOLDERS),
    "shipments.book": _owner_or(Role.SUPERVISOR),
    "shipments.edit": _owner_or(Role.SUPERVISOR),
    "shipments.vessels": _roles(*BOOK_HOLDERS),
    "shipments.notify": _roles(*BOOK_HOLDERS),
    "shipments.import": _roles(*BOOK_HOLDERS),
    "shipments.integrations": _roles(Role.ADMIN),
    # Rate cards hold buy and minimum sell rates: read by those who may see internal values (R-Q4).
    "rates.view": _roles(Role.AGENT, Role.SUPERVISOR, Role.ADMIN),
    "rates.maintain": _price_keeper,
    # The pricing permission is given and taken by supervisors and admins, on agents only.
    "rates.pricing": _pricing_grantee,
    # Vetting an agent's own channel into a card (handbook #10) is a supervisor's decision.
    "rates.adopt": _roles(Role.SUPERVISOR),
    "reference.search": _roles(*STAFF),
    # Visits, the contact log and complaints (R-V1 to R-V7): everyone on staff reads the log and
    # the cases; an agent logs contacts, plans visits and works the reactivation queue for the
    # customers they own, a supervisor for any (records: the customer, the planned visit, the
    # queue entry); the handler of a complaint case (or a supervisor) works it; whoever owns a next
    # action or an action item ticks it off.
    "visits.use": _roles(*BOOK_HOLDERS),
    "visits.view": _roles(*STAFF),
    "visits.log": _owner_or(Role.SUPERVISOR),
    "visits.visit": _owner_or(Role.SUPERVISOR),
    "visits.reactivate": _owner_or(Role.SUPERVISOR),
    "visits.next_action": _owner_or(Role.SUPERVISOR),
    "visits.action_item": _owner_or(Role.SUPERVISOR),
    "visits.feed": _roles(*BOOK_HOLDERS),
    "visits.team": _roles(Role.SUPERVISOR),
    "visits.settings": _roles(Role.SUPERVISOR, Role.ADMIN),
    "visits.hand_over": _roles(Role.SUPERVISOR, Role.ADMIN),
    "cases.view": _roles(*STAFF),
    "cases.open": _roles(*BOOK_HOLDERS),
    "cases.work": _owner_or(Role.SUPERVISOR),
}


def can(user, action: str, obj=None) -> bool:
    """May user do action (on obj)? Unknown actions are refused, so a typo fails closed."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    rule = RULES.get(action)
    if rule is None:
        raise KeyError(f"no policy rule for {action!r}")
    return rule(user, obj)


def require(action: str, obj=None) -> None:
    """Abort with 403 unless the current user may do action."""
    if not can(current_user, action, obj):
        abort(403)
