"""Every route for every role: the policy in portal/core/policy.py, seen from the outside.

EXPECTED lists each endpoint of app.url_map (only `static` is left out) with the status each
role gets for every method the route accepts. A GET is sent as is; a POST carries a valid CSRF
token and an EMPTY form, so a role that may act gets the form's refusal (422) and a role that
may not gets 403 before any validation. A route added without a row here fails the suite, and
so does a method added to a route.

The sample records: every agent (and the new hire) works on a customer they own; the other
roles use the agent's customer. test_record_level_access_to_someone_elses_customer walks the
same routes on a customer that belongs to another agent.

Shift handover: every agent (and the new hire) works on a draft note of their own with two
fresh items (one to keep, one to delete), acknowledges a note handed to them and adds an
addendum to one they took over earlier; the supervisor acknowledges a note handed to it and
otherwise works on the agent's notes, as the other roles do. Handing a draft over ends its
writing, so that call comes last for each role. Submitting and acknowledging answer a plain
form with a redirect to the note and a flashed message: "success" when done, "error" when
the rule refuses (the third element of a row's tuple is the flashed category expected).
test_record_level_access_to_handover_notes opens four notes (a draft, to a person, to a team,
acknowledged by a member who has since changed team) as the writer, the recipient, team
members, the acknowledger, an outsider and every role, and walks every note route as those
who may not read the note.

Quotes: every role works on one quote of the agent's, for the agent's sample customer, that
needs no approval (a released draft, priced from a rate card). The workflow POSTs with an empty
form carry no version (stale), no reason, or do not fit the draft (submitting a quote that needs
no approval, revising a draft, a holding reply for general cargo): the rule refuses them and
answers with a redirect to the quote and a flashed "error", so the draft is the same for every
role. "Quote again" is a link to the editor (GET), so no POST makes a quote here. The agent and
the supervisor each finish a follow-up of their own (of a quote the agent sent).
test_record_level_access_to_someone_elses_customer also walks the quote routes on a quote and a
follow-up of another agent: an agent may read and duplicate it but not change it.
Shipments: every agent (and the new hire) works on a confirmed shipment of its own customer
(one leg, a container loaded on board by the event feed, a rolled container the customer was
told about, requests waiting for the carrier); the other roles work on the agent's. The change
of the vessel call's schedule was notified already. Empty forms fail validation (422) or the
rule refuses them (a redirect to the shipment with a flashed "error"): notifying twice, a
stale version, a feed's milestone, a leg the cargo moved on. What needs no form succeeds, each
role on a record of its own: removing a container or a document, marking a document received,
revoking a status link, making a status link (its fields are optional). The public status page
answers every role alike (a live link), its beacon too (204); the event API wants its bearer
token, which no role's session carries (401, JSON).

follow-up of another agent: an agent may read it but not change it.

Rate cards: agents (without the pricing permission), supervisors and admins read them; only
supervisors keep them here (the pricing permission is tried in tests/rates). Every role works on
one rate of the card and one uploaded file waiting for its import; an empty form is invalid (422),
stale (409 for the column mapping) or refused back to the file's preview (importing with no
version). The pricing permission is given by supervisors and admins: an empty form carries no
version, refused back to the list.

Visits: every agent (and the new hire) works on records of its own customer (a contact with a
next action of its own, a planned visit, a complaint case with a photo as evidence, a review
meeting with an action item of its own, its place in the reactivation queue); the supervisor on
the agent's, the others read them. Empty forms fail validation (422) or carry no version (the
rule refuses: a redirect with a flashed "error", or 409 where the form comes back); making and
revoking one's own calendar address succeed. The calendar feed answers every role alike for a
live token (another agent's), no login.
"""
from datetime import date, timedelta
from decimal import Decimal
from fnmatch import fnmatchcase
from urllib.parse import parse_qs, urlsplit

import sqlalchemy as sa
from flask import url_for

from portal.company.queries import company
from portal.core.clock import now as utcnow
from portal.customers.models import Contact, Customer
from portal.extensions import db
from tests.query_counter import QueryCounter

ROLES = ("anonymous", "agent", "new_hire", "supervisor", "finance", "admin")
LOGIN = (302, "/login")         # login_required: to the login page
HOME = (302, "/")               # /login when already logged in
LIST = (302, "/customers")      # / is the customer list
TO_LOGIN = (303, "/login")      # after logging out
TO_CUSTOMER = (303, "/customers/{customer_id}")  # after deleting a contact (plain form)
NOTE = "/handover/notes/{note_id}"
TO_NOTE = (303, NOTE)                        # a change to the draft, done (plain form)
CARRIED = (303, NOTE, "success")             # the open item of the note acknowledged just before
HANDED = (303, NOTE, "success")              # the draft is handed over
NOT_YOURS = (303, NOTE, "error")             # submit refused by the rule: only the writer hands over
ACKED = (303, "/handover/notes/{inbox_note_id}", "success")
# Closing or reopening with an empty form carries no version (stale) or finds the item open
# already: refused by the rule, back to the note with the reason, as submit and acknowledge do.
ITEM_REFUSED = (303, NOTE, "error")
QUOTE_REFUSED = (303, "/quotes/{quote_id}", "error")  # a workflow step refused by the rule (see the docstring)
FOLLOWED_UP = (303, "/quotes", "success")             # a follow-up of one's own (or, as supervisor, any) done
# A plain-form decision the rule refuses (no version: stale) goes back to the queue; the htmx
# form gets the card with the reason instead. The reason is flashed as an error.
DECISION_REFUSED = (303, "/quotes/approvals", "error")
LANGUAGE_REFUSED = (303, "/", "error")
SHIPMENT = "/shipments/{shipment_id}"
SHIP_REFUSED = (303, SHIPMENT, "error")      # a shipment's button refused by its rule (see the docstring)
SHIP_DONE = (303, SHIPMENT, "success")       # a shipment's button that needs no form, done
CHANGE_REFUSED = (303, "/shipments/vessels/changes/{change_id}", "error")   # notified already
NOTICE_REFUSED = (303, "/shipments/{notice_shipment_id}", "error")         # no channel chosen
BOOK_REFUSED = (303, "/quotes/{quote_id}", "error")                        # the sample quote is not won
IMPORT_REFUSED = (303, "/rates/imports/{import_id}", "error")   # importing without a version: stale
PRICING_REFUSED = (303, "/rates/pricing", "error")               # the permission without a version: stale
ENTRY_REFUSED = (303, "/visits/log/{entry_id}", "error")          # a next action ticked off without a version
VISIT_REFUSED = (303, "/visits/calendar/{visit_id}", "error")    # cancelled without a reason
ACTION_REFUSED = (303, "/visits/meetings/{meeting_id}", "error")  # an action item without a version
GREET_REFUSED = (303, "/visits/care", "error")                   # no greeting written
FEED_DONE = (303, "/visits/calendar/feed", "success")             # one's own calendar address, made or revoked

# A status, or (status, path of the Location header; {placeholders} are the sample ids), or
# (status, path, category of the one message flashed by the request).
#                                           anonymous  agent     new_hire  supervisor finance  admin
EXPECTED = {
    "core.home": {
        "GET":  (LOGIN,     LIST,     LIST,     LIST,      LIST,     LIST),
    },
    "core.healthz": {
        "GET":  (200,       200,      200,      200,       200,      200),
    },
    "core.nav_counts": {  # the layout's navigation counts, loaded once the page shows
        "GET":  (LOGIN,     200,      200,      200,       200,      200),
    },
    "auth.login": {
        "GET":  (200,       HOME,     HOME,     HOME,      HOME,     HOME),
        "POST": (422,       HOME,     HOME,     HOME,      HOME,     HOME),
    },
    "auth.logout": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (TO_LOGIN,  TO_LOGIN, TO_LOGIN, TO_LOGIN,  TO_LOGIN, TO_LOGIN),
    },
    "reference.port_suggestions": {  # port suggestions under an editor's port field
        "GET":  (LOGIN,     200,      200,      200,       200,      200),
    },
    "reference.ports": {  # port suggestions as a port field is typed into
        "GET":  (LOGIN,     200,      200,      200,       200,      200),
    },
    "auth.language": {  # an empty form names no language: refused, back to the front door with the reason
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LANGUAGE_REFUSED,) * 6,
    },
    "auth.users": {
        "GET":  (LOGIN,     403,      403,      403,       403,      200),
    },
    "auth.user_new": {
        "GET":  (LOGIN,     403,      403,      403,       403,      200),
        "POST": (LOGIN,     403,      403,      403,       403,      422),
    },
    "auth.user_edit": {
        "GET":  (LOGIN,     403,      403,      403,       403,      200),
        "POST": (LOGIN,     403,      403,      403,       403,      422),
    },
    "auth.user_password": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     403,      403,      403,       403,      422),
    },
    "company.edit": {  # the company on customers' documents: admins; an empty form names no company
        "GET":  (LOGIN,     403,      403,      403,       403,      200),
        "POST": (LOGIN,     403,      403,      403,       403,      422),
    },
    "company.logo_upload": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     403,      403,      403,       403,      422),
    },
    "company.logo_remove": {  # no logo to remove: back to the page
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     403,      403,      403,       403,      (303, "/admin/company", "success")),
    },
    "company.logo": {  # public (status pages show it); a logo that does not exist is missing for all
        "GET":  (404,       404,      404,      404,       404,      404),
    },
    "customers.index": {
        "GET":  (LOGIN,     200,      200,      200,       200,      200),
    },
    "customers.new": {
        "GET":  (LOGIN,     200,      200,      200,       403,      200),
        "POST": (LOGIN,     422,      422,      422,       403,      422),
    },
    "customers.detail": {
        "GET":  (LOGIN,     200,      200,      200,       200,      200),
    },
    "customers.edit": {
        "GET":  (LOGIN,     200,      200,      200,       403,      200),
        "POST": (LOGIN,     422,      422,      422,       403,      422),
    },
    "customers.history": {
        "GET":  (LOGIN,     403,      403,      200,       403,      200),
    },
    "customers.timeline": {
        "GET":  (LOGIN,     200,      200,      200,       200,      200),
    },
    "customers.reassign": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     403,      403,      422,       403,      422),
    },
    "customers.book": {  # a colleague's book (here the role's own): an empty form hands nothing over
        "GET":  (LOGIN,     403,      403,      200,       403,      200),
        "POST": (LOGIN,     403,      403,      422,       403,      422),
    },
    "customers.grade": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     403,      403,      422,       403,      422),
    },
    "customers.credit": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     403,      403,      403,       422,      422),
    },
    "customers.contact_add": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     422,      422,      422,       403,      422),
    },
    "customers.contact_show": {
        "GET":  (LOGIN,     200,      200,      200,       200,      200),
    },
    "customers.contact_edit": {
        "GET":  (LOGIN,     200,      200,      200,       403,      200),
        "POST": (LOGIN,     422,      422,      422,       403,      422),
    },
    "customers.contact_delete": {
        "GET":  (405,       405,      405,      405,       405,      405),
        # deleting needs no form: the owner, supervisor and admin succeed (each on a contact of its own)
        "POST": (LOGIN,     TO_CUSTOMER, TO_CUSTOMER, TO_CUSTOMER, 403, TO_CUSTOMER),
    },
    "handover.index": {
        "GET":  (LOGIN,     200,      200,      200,       403,      403),
    },
    "handover.start": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     422,      422,      422,       403,      403),
    },
    "handover.note": {
        "GET":  (LOGIN,     200,      200,      200,       403,      200),
    },
    "handover.summary": {
        "GET":  (405,       405,      405,      405,       405,      405),
        # an autosave without the remarks field is malformed: refused, so it cannot wipe the remarks
        "POST": (LOGIN,     400,      400,      403,       403,      403),
    },
    "handover.item_add": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     422,      422,      403,       403,      403),
    },
    "handover.item_edit": {
        "GET":  (LOGIN,     200,      200,      403,       403,      403),
        "POST": (LOGIN,     422,      422,      403,       403,      403),
    },
    "handover.item_delete": {
        "GET":  (405,       405,      405,      405,       405,      405),
        # deleting needs no form: the writer removes a fresh item (each role its own)
        "POST": (LOGIN,     TO_NOTE,  TO_NOTE,  403,       403,      403),
    },
    "handover.item_move": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     TO_NOTE,  TO_NOTE,  403,       403,      403),
    },
    "handover.item_close": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     ITEM_REFUSED, ITEM_REFUSED, ITEM_REFUSED, 403, 403),
    },
    "handover.item_reopen": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     ITEM_REFUSED, ITEM_REFUSED, ITEM_REFUSED, 403, 403),
    },
    "handover.submit_note": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     HANDED,   HANDED,   NOT_YOURS, 403,      403),
    },
    "handover.acknowledge": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     ACKED,    ACKED,    ACKED,     403,      403),
    },
    "handover.carry": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     CARRIED,  CARRIED,  403,       403,      403),
    },
    "handover.addendum": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     422,      422,      422,       403,      403),
    },
    "handover.board": {
        "GET":  (LOGIN,     403,      403,      200,       403,      200),
    },
    "handover.history": {
        "GET":  (LOGIN,     200,      200,      200,       403,      200),
    },
    "handover.shifts": {
        "GET":  (LOGIN,     403,      403,      403,       403,      200),
    },
    "handover.shift_edit": {  # /handover/shifts/new and /handover/shifts/<id>
        "GET":  (LOGIN,     403,      403,      403,       403,      200),
        "POST": (LOGIN,     403,      403,      403,       403,      422),
    },
    "quotes.index": {
        "GET":  (LOGIN,     200,      200,      200,       200,      200),
    },
    "quotes.new": {
        "GET":  (LOGIN,     200,      200,      200,       403,      403),
        "POST": (LOGIN,     422,      422,      422,       403,      403),
    },
    "quotes.edit": {  # the agent's draft: its author and a supervisor
        "GET":  (LOGIN,     200,      403,      200,       403,      403),
        "POST": (LOGIN,     422,      403,      422,       403,      403),
    },
    "quotes.lines": {  # an empty editor gets one charge line more
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     200,      200,      200,       403,      403),
    },
    "quotes.contacts": {
        "GET":  (LOGIN,     200,      200,      200,       403,      403),
    },
    "quotes.customers": {  # the editor's customer suggestions
        "GET":  (LOGIN,     200,      200,      200,       403,      403),
    },
    "quotes.lane": {
        "GET":  (LOGIN,     200,      200,      200,       200,      200),
    },
    "quotes.detail": {
        "GET":  (LOGIN,     200,      200,      200,       200,      200),
    },
    "quotes.desk": {  # follow-ups due and approval decisions, beside the history
        "GET":  (LOGIN,     200,      200,      200,       200,      200),
    },
    "quotes.submit_for_approval": {  # the draft needs no approval
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     QUOTE_REFUSED, 403, QUOTE_REFUSED, 403, 403),
    },
    "quotes.send": {  # no version: stale
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     QUOTE_REFUSED, 403, QUOTE_REFUSED, 403, 403),
    },
    "quotes.won": {  # no version: stale
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     QUOTE_REFUSED, 403, QUOTE_REFUSED, 403, 403),
    },
    "quotes.lost": {  # no version: stale
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     QUOTE_REFUSED, 403, QUOTE_REFUSED, 403, 403),
    },
    "quotes.holding": {  # a holding reply is for special cargo (and the empty form carries no version)
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     QUOTE_REFUSED, 403, QUOTE_REFUSED, 403, 403),
    },
    "quotes.decline": {  # no reason (and the customer is direct, not a peer forwarder)
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     QUOTE_REFUSED, 403, QUOTE_REFUSED, 403, 403),
    },
    "quotes.revise": {  # a draft is edited, not revised
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     QUOTE_REFUSED, 403, QUOTE_REFUSED, 403, 403),
    },
    "quotes.approvals": {  # approval is the supervisors' (an admin is IT)
        "GET":  (LOGIN,     403,      403,      200,       403,      403),
    },
    "quotes.changes": {  # what changed since the last decision, on the approval card
        "GET":  (LOGIN,     403,      403,      200,       403,      403),
    },
    "quotes.decide": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     403,      403,      DECISION_REFUSED, 403, 403),
    },
    "quotes.quotation": {  # released: it needs no approval
        "GET":  (LOGIN,     200,      200,      200,       200,      200),
    },
    "quotes.follow_up_done": {  # the new hire is neither the follow-up's agent nor an approver
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     FOLLOWED_UP, 403,   FOLLOWED_UP, 403,    403),
    },
    "quotes.export_csv": {
        "GET":  (LOGIN,     200,      200,      200,       200,      200),
    },
    "quotes.export_xlsx": {
        "GET":  (LOGIN,     200,      200,      200,       200,      200),
    },
    "quotes.impact": {
        "GET":  (LOGIN,     200,      200,      200,       200,      200),
    },
    "shipments.index": {
        "GET":  (LOGIN,     200,      200,      200,       200,      200),
    },
    "shipments.new": {
        "GET":  (LOGIN,     200,      200,      200,       403,      403),
        "POST": (LOGIN,     422,      422,      422,       403,      403),
    },
    "shipments.book": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     BOOK_REFUSED, BOOK_REFUSED, BOOK_REFUSED, 403, 403),
    },
    "shipments.detail": {
        "GET":  (LOGIN,     200,      200,      200,       200,      200),
    },
    "shipments.edit": {
        "GET":  (LOGIN,     200,      200,      200,       403,      403),
        "POST": (LOGIN,     422,      422,      422,       403,      403),
    },
    "shipments.cancel": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     SHIP_REFUSED, SHIP_REFUSED, SHIP_REFUSED, 403, 403),
    },
    "shipments.confirm": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     SHIP_REFUSED, SHIP_REFUSED, SHIP_REFUSED, 403, 403),
    },
    "shipments.confirmation": {
        "GET":  (LOGIN,     200,      200,      200,       200,      200),
    },
    "shipments.leg_add": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     422,      422,      422,       403,      403),
    },
    "shipments.leg_calls": {
        "GET":  (LOGIN,     200,      200,      200,       403,      403),
    },
    "shipments.leg_delete": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     SHIP_REFUSED, SHIP_REFUSED, SHIP_REFUSED, 403, 403),
    },
    "shipments.container_add": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     422,      422,      422,       403,      403),
    },
    "shipments.container_edit": {
        "GET":  (LOGIN,     200,      200,      200,       403,      403),
        "POST": (LOGIN,     422,      422,      422,       403,      403),
    },
    "shipments.container_delete": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     SHIP_DONE, SHIP_DONE, SHIP_DONE, 403,    403),
    },
    "shipments.milestone_add": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     422,      422,      422,       403,      403),
    },
    "shipments.milestone_delete": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     SHIP_REFUSED, SHIP_REFUSED, SHIP_REFUSED, 403, 403),
    },
    "shipments.exception_add": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     422,      422,      422,       403,      403),
    },
    "shipments.exception_edit": {
        "GET":  (LOGIN,     200,      200,      200,       403,      403),
        "POST": (LOGIN,     422,      422,      422,       403,      403),
    },
    "shipments.exception_resolve": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     SHIP_REFUSED, SHIP_REFUSED, SHIP_REFUSED, 403, 403),
    },
    "shipments.exception_tell": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     SHIP_REFUSED, SHIP_REFUSED, SHIP_REFUSED, 403, 403),
    },
    "shipments.document_add": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     422,      422,      422,       403,      403),
    },
    "shipments.document_received": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     SHIP_DONE, SHIP_DONE, SHIP_DONE, 403,    403),
    },
    "shipments.document_delete": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     SHIP_DONE, SHIP_DONE, SHIP_DONE, 403,    403),
    },
    "shipments.bl_add": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     422,      422,      422,       403,      403),
    },
    "shipments.courier_add": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     422,      422,      422,       403,      403),
    },
    "shipments.free_time_add": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     422,      422,      422,       403,      403),
    },
    "shipments.free_time_decide": {  # no version: stale
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     SHIP_REFUSED, SHIP_REFUSED, SHIP_REFUSED, 403, 403),
    },
    "shipments.space_add": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     422,      422,      422,       403,      403),
    },
    "shipments.space_decide": {  # no answer chosen
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     SHIP_REFUSED, SHIP_REFUSED, SHIP_REFUSED, 403, 403),
    },
    "shipments.link_add": {  # every field is optional: a link is made
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     SHIP_DONE, SHIP_DONE, SHIP_DONE, 403,    403),
    },
    "shipments.link_revoke": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     SHIP_DONE, SHIP_DONE, SHIP_DONE, 403,    403),
    },
    "shipments.notice_sent": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     NOTICE_REFUSED, NOTICE_REFUSED, NOTICE_REFUSED, 403, 403),
    },
    "shipments.vessels": {
        "GET":  (LOGIN,     200,      200,      200,       200,      200),
    },
    "shipments.vessel_new": {
        "GET":  (LOGIN,     200,      200,      200,       403,      403),
        "POST": (LOGIN,     422,      422,      422,       403,      403),
    },
    "shipments.vessel": {
        "GET":  (LOGIN,     200,      200,      200,       200,      200),
    },
    "shipments.vessel_edit": {
        "GET":  (LOGIN,     200,      200,      200,       403,      403),
        "POST": (LOGIN,     422,      422,      422,       403,      403),
    },
    "shipments.vessel_schedule": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     422,      422,      422,       403,      403),
    },
    "shipments.change": {  # the customers a schedule change affects, and their notices
        "GET":  (LOGIN,     200,      200,      200,       200,      200),
    },
    "shipments.change_notify": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     CHANGE_REFUSED, CHANGE_REFUSED, CHANGE_REFUSED, 403, 403),
    },
    "shipments.import_milestones": {
        "GET":  (LOGIN,     200,      200,      200,       403,      403),
        "POST": (LOGIN,     422,      422,      422,       403,      403),
    },
    "shipments.integrations": {
        "GET":  (LOGIN,     403,      403,      403,       403,      200),
        "POST": (LOGIN,     403,      403,      403,       403,      422),
    },
    "shipments.integration_revoke": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     403,      403,      403,       403,      (303, "/shipments/integrations", "success")),
    },
    "status.page": {  # the customer's status page: a live link, no login
        "GET":  (200,       200,      200,      200,       200,      200),
    },
    "status.seen": {  # the page's beacon: the view is counted by a job
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (204,       204,      204,      204,       204,      204),
    },
    "events_api.events": {  # DCSA events: a bearer token, which no session carries
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (401,       401,      401,      401,       401,      401),
    },
    "rates.index": {  # buy and minimum rates are internal: not for finance (R-Q4)
        "GET":  (LOGIN,     200,      200,      200,       403,      200),
    },
    "rates.detail": {
        "GET":  (LOGIN,     200,      200,      200,       403,      200),
    },
    "rates.new": {  # kept by supervisors (and agents with the pricing permission, tests/rates)
        "GET":  (LOGIN,     403,      403,      200,       403,      403),
        "POST": (LOGIN,     403,      403,      422,       403,      403),
    },
    "rates.edit": {
        "GET":  (LOGIN,     403,      403,      200,       403,      403),
        "POST": (LOGIN,     403,      403,      422,       403,      403),
    },
    "rates.upload": {
        "GET":  (LOGIN,     403,      403,      200,       403,      403),
        "POST": (LOGIN,     403,      403,      422,       403,      403),
    },
    "rates.preview": {
        "GET":  (LOGIN,     403,      403,      200,       403,      403),
    },
    "rates.mapping": {  # no version: someone else's save overtook it
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     403,      403,      409,       403,      403),
    },
    "rates.apply": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     403,      403,      IMPORT_REFUSED, 403,  403),
    },
    "rates.example": {
        "GET":  (LOGIN,     403,      403,      200,       403,      403),
    },
    "rates.pricing": {  # supervisors and admins give agents the pricing permission
        "GET":  (LOGIN,     403,      403,      200,       403,      200),
    },
    "rates.pricing_set": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     403,      403,      PRICING_REFUSED, 403, PRICING_REFUSED),
    },
    "visits.index": {  # the desk: cadence lists, next actions, the week's visits
        "GET":  (LOGIN,     200,      200,      200,       403,      403),
    },
    "visits.due": {
        "GET":  (LOGIN,     200,      200,      200,       403,      403),
    },
    "visits.actions": {
        "GET":  (LOGIN,     200,      200,      200,       403,      403),
    },
    "visits.log": {
        "GET":  (LOGIN,     200,      200,      200,       200,      200),
    },
    "visits.log_new": {
        "GET":  (LOGIN,     200,      200,      200,       403,      403),
        "POST": (LOGIN,     422,      422,      422,       403,      403),
    },
    "visits.log_call": {  # from the customer's page: the customer's owner or a supervisor
        "GET":  (LOGIN,     200,      200,      200,       403,      403),
        "POST": (LOGIN,     422,      422,      422,       403,      403),
    },
    "visits.entry": {
        "GET":  (LOGIN,     200,      200,      200,       200,      200),
    },
    "visits.next_done": {  # no version: stale
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     ENTRY_REFUSED, ENTRY_REFUSED, ENTRY_REFUSED, 403, 403),
    },
    "visits.calendar": {
        "GET":  (LOGIN,     200,      200,      200,       403,      403),
    },
    "visits.visit_new": {
        "GET":  (LOGIN,     200,      200,      200,       403,      403),
        "POST": (LOGIN,     422,      422,      422,       403,      403),
    },
    "visits.visit": {
        "GET":  (LOGIN,     200,      200,      200,       200,      200),
    },
    "visits.visit_edit": {
        "GET":  (LOGIN,     200,      200,      200,       403,      403),
        "POST": (LOGIN,     422,      422,      422,       403,      403),
    },
    "visits.visit_cancel": {  # no reason given
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     VISIT_REFUSED, VISIT_REFUSED, VISIT_REFUSED, 403, 403),
    },
    "visits.visit_done": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     422,      422,      422,       403,      403),
    },
    "visits.feed_page": {  # needs no form: each role makes a calendar address of its own
        "GET":  (LOGIN,     200,      200,      200,       403,      403),
        "POST": (LOGIN,     FEED_DONE, FEED_DONE, FEED_DONE, 403,    403),
    },
    "visits.feed_revoke": {  # ... and revokes it
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     FEED_DONE, FEED_DONE, FEED_DONE, 403,    403),
    },
    "visits.ics": {  # the calendar feed of a live address: no login
        "GET":  (200,       200,      200,      200,       200,      200),
    },
    "visits.reactivation": {
        "GET":  (LOGIN,     200,      200,      200,       403,      403),
    },
    "visits.reactivation_work": {
        "GET":  (LOGIN,     200,      200,      200,       403,      403),
        "POST": (LOGIN,     422,      422,      422,       403,      403),
    },
    "visits.cases": {
        "GET":  (LOGIN,     200,      200,      200,       200,      200),
    },
    "visits.case_new": {
        "GET":  (LOGIN,     200,      200,      200,       403,      403),
        "POST": (LOGIN,     422,      422,      422,       403,      403),
    },
    "visits.case": {
        "GET":  (LOGIN,     200,      200,      200,       200,      200),
    },
    "visits.case_respond": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     422,      422,      422,       403,      403),
    },
    "visits.case_evidence": {  # no file chosen
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     422,      422,      422,       403,      403),
    },
    "visits.evidence": {
        "GET":  (LOGIN,     200,      200,      200,       200,      200),
    },
    "visits.case_resolve": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     422,      422,      422,       403,      403),
    },
    "visits.case_claim": {  # no version: stale (the form comes back)
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     409,      409,      409,       403,      403),
    },
    "visits.case_handler": {  # a supervisor's
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     403,      403,      422,       403,      403),
    },
    "visits.case_callback": {
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     422,      422,      422,       403,      403),
    },
    "visits.meeting_new": {
        "GET":  (LOGIN,     200,      200,      200,       403,      403),
        "POST": (LOGIN,     422,      422,      422,       403,      403),
    },
    "visits.meeting": {
        "GET":  (LOGIN,     200,      200,      200,       200,      200),
    },
    "visits.action_done": {  # no version: stale
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     ACTION_REFUSED, ACTION_REFUSED, ACTION_REFUSED, 403, 403),
    },
    "visits.care_page": {
        "GET":  (LOGIN,     200,      200,      200,       403,      403),
    },
    "visits.care_greet": {  # no greeting written
        "GET":  (405,       405,      405,      405,       405,      405),
        "POST": (LOGIN,     GREET_REFUSED, GREET_REFUSED, GREET_REFUSED, 403, 403),
    },
    "visits.team": {
        "GET":  (LOGIN,     403,      403,      200,       403,      403),
    },
    "visits.settings": {
        "GET":  (LOGIN,     403,      403,      200,       403,      200),
        "POST": (LOGIN,     403,      403,      422,       403,      422),
    },
    "visits.hand_over": {  # a colleague's visits work (here the agent's): no receiver chosen
        "GET":  (LOGIN,     403,      403,      200,       403,      200),
        "POST": (LOGIN,     403,      403,      422,       403,      422),
    },
}

# Record-level rules: on a customer owned by someone else an agent (new hire included) may
# look but not change; everything else is as in EXPECTED.
OWNER_ONLY = {"customers.edit", "customers.contact_add", "customers.contact_edit", "customers.contact_delete",
              "visits.log_call"}
AGENTS = {"agent", "new_hire"}
# On a quote of another agent's, the same: an agent reads and duplicates it but changes nothing,
# and finishes only follow-ups of their own.
AUTHOR_ONLY = {"quotes.edit", "quotes.submit_for_approval", "quotes.send", "quotes.won", "quotes.lost", "quotes.revise",
               "quotes.follow_up_done", "quotes.holding", "quotes.decline"}

# Which sample a route argument takes where it is not the sample of the same name.
SAMPLE_OF = {
    ("customers.contact_delete", "contact_id"): "delete_contact_id",
    ("handover.item_delete", "item_id"): "delete_item_id",
    ("handover.acknowledge", "note_id"): "inbox_note_id",
    ("handover.addendum", "note_id"): "acked_note_id",
    ("shipments.container_delete", "container_id"): "delete_container_id",
    ("shipments.document_delete", "document_id"): "delete_document_id",
    ("shipments.document_received", "document_id"): "received_document_id",
    ("shipments.link_revoke", "link_id"): "revoke_link_id",
    ("shipments.space_decide", "request_id"): "space_request_id",
    ("visits.ics", "token"): "feed_token",
    ("visits.action_done", "item_id"): "action_item_id",
}
# Calls that end what the calls after them work on: last for each role (logging out the very last).
FINAL = (("handover.submit_note", "POST"), ("auth.logout", "POST"))


def _routes(app):
    """Every rule but static's, as (endpoint, rule) pairs: one endpoint may have several rules
    (/handover/shifts/new and /handover/shifts/<id>), and each of them is walked."""
    return [(rule.endpoint, rule) for rule in app.url_map.iter_rules() if rule.endpoint != "static"]


def _methods(rule):
    """The methods to try: the route's own, and GET always (a POST-only route answers 405)."""
    return sorted((rule.methods - {"HEAD", "OPTIONS"}) | {"GET"})


def _expected(endpoint, method, role, samples):
    value = EXPECTED[endpoint][method][ROLES.index(role)]
    status, location, flashed = (value + (None,) * 3)[:3] if isinstance(value, tuple) else (value, None, None)
    return status, location.format(**samples) if location else None, flashed


def _setup(app, make_user, make_customer):
    """Users of every role, logged-in clients, and their sample customers and contacts."""
    users = {
        "agent": make_user("agent", "agent-own"),
        "new_hire": make_user("agent", "agent-newhire", is_new_hire=True,
                              probation_ends_on=utcnow().date() + timedelta(days=90)),
        "supervisor": make_user("supervisor", "supervisor1"),
        "finance": make_user("finance", "finance1"),
        "admin": make_user("admin", "admin1"),
        "other_agent": make_user("agent", "agent-other"),
    }
    # One contact to show and edit, and one to delete per role (a delete must not hide the
    # next role's answer behind a 404).
    contacts = [{"name": "Keep Me", "phone": "+886 2 2345 6789"}] + [{"name": f"Delete {role}"} for role in ROLES]
    customers = {key: make_customer(users[key], contacts=contacts, code=f"SEC-{i}")
                 for i, key in enumerate(("agent", "new_hire", "other_agent"))}
    clients = {"anonymous": app.test_client()}
    for role in ROLES[1:]:
        clients[role] = app.test_client()
        clients[role].login_as(users[role])
    return users, customers, clients


def _day_shift(app):
    from portal.handover.models import Shift
    with app.app_context():
        return db.session.scalar(sa.select(Shift.id).where(Shift.name_en == "Day"))


def _handover_notes(app, users):
    """Through the rules: for the agent, the new hire and the supervisor, a note handed to them
    by the other agent (to acknowledge); for the agent and the new hire one they took over
    already (for addenda), and a draft of their own with a fresh item to keep and one to delete.
    Returns {key: {"draft", "keep", "delete", "inbox", "acked"}} of ids."""
    from portal.auth.models import User
    from portal.handover import rules
    from portal.handover.models import Shift
    notes = {key: {} for key in ("agent", "new_hire", "supervisor")}
    with app.test_request_context():
        person = {key: db.session.get(User, u.id) for key, u in users.items()}
        shift = db.session.get(Shift, _day_shift(app))
        day = utcnow().date()

        def handed_over(author, to, acknowledged=False):
            note, _ = rules.start_note(person[author], shift, day, person[to])
            rules.save_summary(person[author], note, f"Remarks for {to}")
            rules.add_item(person[author], note, {"text": f"Open item for {to}", "priority": "normal",
                                                  "category": "other"})
            rules.submit_note(person[author], note)
            if acknowledged:
                rules.acknowledge(person[to], note)
            return note.id

        for key in notes:
            notes[key]["inbox"] = handed_over("other_agent", key)
        for key in ("agent", "new_hire"):
            notes[key]["acked"] = handed_over("other_agent", key, acknowledged=True)
            draft, carried = rules.start_note(person[key], shift, day, person["other_agent"])
            assert carried == 1  # the open item of the note they took over
            keep = rules.add_item(person[key], draft, {"text": "Keep me", "priority": "urgent", "category": "booking"})
            delete = rules.add_item(person[key], draft, {"text": "Delete me", "priority": "info", "category": "other"})
            notes[key].update(draft=draft.id, keep=keep.id, delete=delete.id)
        db.session.commit()
    return notes


def _handover_samples(notes, role):
    """The agent and the new hire work on their own notes; the supervisor acknowledges its own
    note and otherwise works on the agent's; everyone else works on the agent's notes."""
    own = notes["new_hire" if role == "new_hire" else "agent"]
    inbox = notes["supervisor" if role == "supervisor" else "new_hire" if role == "new_hire" else "agent"]["inbox"]
    return {"note_id": own["draft"], "item_id": own["keep"],
            "delete_item_id": own["delete"] if role in AGENTS else own["keep"],
            "inbox_note_id": inbox, "acked_note_id": own["acked"]}


def _quote_values(customer_id):
    """A general-cargo quote that needs no approval from an agent out of probation (sold above
    the minimum, not self-sourced, a direct customer), still valid for a month."""
    values = {"customer_id": customer_id, "contact_id": None, "inquiry_at": utcnow() - timedelta(hours=1),
              "mode": "fcl", "pol": "TWKHH", "pod": "USLAX", "carrier": "EGLV", "container_type": "40HQ",
              "container_qty": 2, "gross_weight_kg": Decimal("18000"), "commodity": "Machine tools",
              "incoterm": "FOB", "valid_until": utcnow().date() + timedelta(days=30), "currency": "USD",
              "dg_fees_confirmed": False, "notes": "", "remarks": ""}
    lines = [{"charge_code": "OFR", "basis": "container", "quantity": Decimal("2"), "sell_rate": Decimal("1850.00"),
              "buy_rate": Decimal("1500.00"), "min_sell_rate": Decimal("1700.00"), "currency": "USD",
              "direction": "receivable", "includes": ""}]
    return values, lines


def _quotes(app, users, customers, author="agent", finishers=("agent", "supervisor")):
    """Through the rules, as author (an agent) on its sample customer: a released draft, and for
    each of finishers a quote sent already with a follow-up for that role to finish.
    Returns {"quote_id": the draft, "follow_ups": {finisher: follow-up id}}."""
    from portal.auth.models import User
    from portal.quotes import rules
    from tests.rate_cards import ensure_card
    with app.test_request_context():
        agent = db.session.get(User, users[author].id)
        ensure_card()   # the ocean freight comes from a rate card
        draft = rules.create_quote(agent, *_quote_values(customers[author]))
        assert draft.status == "draft" and not draft.approval_reasons and rules.is_released(draft)
        follow_ups = {}
        for key in finishers:
            sent = rules.create_quote(agent, *_quote_values(customers[author]))
            follow_ups[key] = rules.send(agent, sent, sent.version)[0].id
        db.session.commit()
        return {"quote_id": draft.id, "follow_ups": follow_ups}


def _quote_samples(quotes, role):
    """Everyone works on the one draft; the finishers each on a follow-up of their own, the
    others on the first finisher's."""
    follow_ups = quotes["follow_ups"]
    return {"quote_id": quotes["quote_id"],
            "follow_up_id": follow_ups.get(role, next(iter(follow_ups.values())))}


def _rate_samples(app, users):
    """A rate of the card the draft is priced from, and a file uploaded by the supervisor, waiting."""
    from portal.auth.models import User
    from portal.rates import rules
    from portal.rates.models import Rate
    with app.test_request_context():
        rate_id = db.session.scalar(sa.select(Rate.id).order_by(Rate.id).limit(1))
        record = rules.start_import(db.session.get(User, users["supervisor"].id), "rates.csv",
                                    ["carrier", "pol", "pod"], [["EGLV", "TWKHH", "USLAX"]])
        db.session.commit()
        return {"rate_id": rate_id, "import_id": record.id}


def _rate_state(app):
    from portal.rates.models import Rate, RateImport
    with app.app_context():
        return (dict(db.session.execute(sa.select(Rate.id, Rate.version)).all()),
                dict(db.session.execute(sa.select(RateImport.id, RateImport.state)).all()))


def _quote_state(app):
    """Every quote's (number, revision, status, version, current) and every follow-up's done flag."""
    from portal.quotes.models import FollowUp, Quote
    with app.app_context():
        quotes = {q.id: (q.number, q.revision, q.status, q.version, q.is_current, q.agent_id)
                  for q in db.session.scalars(sa.select(Quote))}
        done = {f.id: f.done_at is not None for f in db.session.scalars(sa.select(FollowUp))}
        return quotes, done


def _shipments(app, users, customers):
    """Through the rules: a vessel call at Kaohsiung and Los Angeles, and for the agent's and the
    new hire's customers a confirmed shipment with a leg, a container, a milestone from the feed,
    a rolled container the customer was told about, a free-time and a space request waiting for
    the carrier, a status link; for each of agent, new hire and supervisor, a container, two
    documents and a link of their own to remove. The Los Angeles call's schedule changed and the
    customers were told. Returns {owner key: samples} and the shared samples."""
    from portal.auth.models import User
    from portal.customers.models import Customer
    from portal.shipments import dcsa, documents, queries, rules
    from portal.shipments.models import DocumentKind, Source
    secret = app.config["SECRET_KEY"]
    numbers = iter(["CSQU3054383", "MSKU9070323", "TGHU1234567", "EGHU9011122", "TCNU7654328", "OOLU1234567",
                    "CAIU2345678", "TRHU3456781", "FSCU4567898", "GESU5678905", "BMOU6789011", "SEGU7890121"])
    with app.test_request_context():
        person = {key: db.session.get(User, u.id) for key, u in users.items()}
        lead = person["supervisor"]
        start = utcnow()
        base = {"carrier": "EGLV", "vessel_name": "EVER GIVEN", "imo": "9811000", "voyage": "2001E",
                "terminal": "T5"}
        khh = rules.create_call(lead, base | {"port": "TWKHH", "eta": start + timedelta(days=3),
                                              "etd": start + timedelta(days=4), "doc_cutoff": start + timedelta(days=1)})
        lax = rules.create_call(lead, base | {"port": "USLAX", "eta": start + timedelta(days=18),
                                              "etd": start + timedelta(days=19)})
        integration, _token = rules.create_integration(person["admin"], "Feed", "EGLV")
        by_owner = {}
        for key in ("agent", "new_hire"):
            owner = person[key]
            customer = db.session.get(Customer, customers[key])
            shipment = rules.create_shipment(owner, {
                "customer_id": customer.id, "carrier": "EGLV", "booking_no": f"BK-{key.upper().replace('_', '')}",
                "mode": "fcl", "pol": "TWKHH", "pod": "USLAX", "container_type": "40HQ", "container_qty": 1,
                "commodity": "Machine tools"})
            rules.add_leg(owner, shipment, "TWKHH", "USLAX", khh, lax)
            keep = rules.add_container(owner, shipment, {"number": next(numbers), "container_type": "40HQ"})
            rules.confirm_booking(owner, shipment, shipment.version)
            fed = rules.record_milestone(None, shipment, "loaded", utcnow(), container=keep, source=Source.API,
                                         integration=integration, external_id=f"ev-{key}")
            rolled = rules.record_exception(owner, shipment, {
                "kind": "rolled", "container_id": keep.id, "missed_call_id": khh.id, "reason": "Overbooked",
                "rebooked_call_id": None, "fee": None, "fee_currency": None, "documents_cancelled": False,
                "redeclared": False})
            draft = documents.exception_notice(shipment, rolled, None, company())
            rules.tell_customer(owner, shipment, rolled, draft, email_ready=False)
            free = rules.request_free_time(owner, shipment, "detention", 14)
            space = rules.request_space(owner, shipment, "Urgent")
            _link, token = rules.create_link(owner, shipment, secret, "sample")
            samples = {"shipment_id": shipment.id, "container_id": keep.id, "leg_id": shipment.legs[0].id,
                       "milestone_id": fed.id, "exception_id": rolled.id, "request_id": free.id,
                       "space_request_id": space.id, "token": token, "actors": {}}
            for actor_key in (("agent", "supervisor") if key == "agent" else ("new_hire",)):
                actor = person[actor_key]
                mine = rules.add_container(actor, shipment, {"number": next(numbers), "container_type": "20GP"})
                received = rules.require_document(actor, shipment, DocumentKind.PACKING_LIST if actor_key != "supervisor"
                                                  else DocumentKind.COMMERCIAL_INVOICE)
                dropped = rules.require_document(actor, shipment, DocumentKind.DG_DECLARATION
                                                 if actor_key != "supervisor" else DocumentKind.SI) \
                    if actor_key != "supervisor" else next(d for d in queries.documents_of(shipment.id)
                                                           if d.kind == DocumentKind.SI)
                link, _t = rules.create_link(actor, shipment, secret, f"revoke {actor_key}")
                samples["actors"][actor_key] = {"delete_container_id": mine.id, "received_document_id": received.id,
                                                "delete_document_id": dropped.id, "revoke_link_id": link.id}
            by_owner[key] = samples
        change = rules.change_schedule(lead, lax, lax.version, lax.eta + timedelta(days=1), None,
                                       lax.etd + timedelta(days=1), "typhoon")
        shipments = queries.shipments_on(lax)
        tokens = rules.ensure_links(lead, shipments, secret)
        drafts = documents.schedule_notices(change, shipments, {k: f"/s/{v}" for k, v in tokens.items()}, company())
        notices = rules.notify_schedule_change(lead, change, drafts, email_ready=False)
        notice = notices[0]
        shared = {"call_id": khh.id, "change_id": change.id, "integration_id": integration.id,
                  "notice_id": notice.id, "notice_shipment_id": notice.shipments[0].id}
        db.session.commit()
        assert dcsa  # the feed's milestone above stands for what dcsa.import_events records
    return by_owner, shared


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64


def _visits(app, users, customers):
    """Through the rules, for the agent's and the new hire's customers: a contact with a next
    action of the owner's, a planned visit, a complaint case with a photo, a review meeting with an
    action item of the owner's; every customer in the reactivation queue (listed as if half a year
    had passed); a calendar address for the other agent. Returns {owner key: samples}, feed token."""
    from portal.auth.models import User
    from portal.customers.models import Customer
    from portal.visits import rules
    with app.test_request_context():
        person = {key: db.session.get(User, u.id) for key, u in users.items()}
        by_owner = {}
        for n, key in enumerate(("agent", "new_hire")):
            owner, customer = person[key], db.session.get(Customer, customers[key])
            day = rules._today()
            entry = rules.log_contact(owner, customer, rules.ContactFields(
                channel="phone", purpose="rate_review", notes="Rates for March", next_action="Send the rates",
                next_due_on=day, next_owner=owner))
            start = utcnow().replace(second=0, microsecond=0) + timedelta(days=2, hours=n * 3)
            visit = rules.plan_visit(owner, customer, rules.VisitFields(starts_at=start,
                                                                        ends_at=start + timedelta(hours=1)))
            case = rules.open_case(owner, customer, rules.CaseFields(
                channel="phone", category="damage", severity="urgent", summary="Wet cartons"))
            evidence = rules.add_evidence(owner, case, "wet.jpg", JPEG)
            meeting = rules.record_meeting(owner, customer, None, "Quarterly review",
                                           [rules.ActionFields("Report the dwell times", owner, day)])
            by_owner[key] = {"entry_id": entry.id, "visit_id": visit.id, "case_id": case.id,
                             "evidence_id": evidence.id, "meeting_id": meeting.id, "action_item_id": meeting.actions[0].id}
        rules.list_dormant(utcnow() + timedelta(days=200))
        from portal.visits.models import Reactivation
        for key in by_owner:
            by_owner[key]["target_id"] = db.session.scalar(sa.select(Reactivation.id).where(
                Reactivation.customer_id == customers[key]))
        _feed, token = rules.make_feed(person["other_agent"], app.config["SECRET_KEY"])
        db.session.commit()
    return by_owner, token


def _visit_samples(visits, role):
    by_owner, token = visits
    return by_owner["new_hire" if role == "new_hire" else "agent"] | {"feed_token": token}


def _shipment_samples(shipments, role):
    by_owner, shared = shipments
    own = by_owner["new_hire" if role == "new_hire" else "agent"]
    actor = own["actors"].get(role) or next(iter(own["actors"].values()))
    return {k: v for k, v in own.items() if k != "actors"} | actor | shared


def _contact_ids(app, customer_id):
    with app.app_context():
        rows = db.session.execute(sa.select(Contact.name, Contact.id).where(Contact.customer_id == customer_id))
        return dict(rows.all())


def _samples(app, role, customer_id, user_id):
    contacts = _contact_ids(app, customer_id)
    return {"customer_id": customer_id, "user_id": user_id, "digest": "0" * 64,
            "contact_id": contacts["Keep Me"], "delete_contact_id": contacts[f"Delete {role}"]}


def _versions(app):
    with app.app_context():
        return dict(db.session.execute(sa.select(Customer.id, Customer.version)).all())


def _url(app, rule, samples):
    values = {arg: samples[SAMPLE_OF.get((rule.endpoint, arg), arg)] for arg in rule.arguments}
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def _flashed(client) -> list[str]:
    """The categories of the messages flashed and not yet shown; they are taken off the session."""
    with client.session_transaction() as session:
        return [category for category, _message in session.pop("_flashes", [])]


def _check(client, method, url, expected, label, mismatches):
    status, location, flashed = expected
    _flashed(client)
    response = client.get(url) if method == "GET" else client.form(url, {})
    got_location = urlsplit(response.location).path if response.location else None
    got_flashed = _flashed(client)
    if location is not None and "*" in location and got_location is not None and fnmatchcase(got_location, location):
        location = got_location  # a location known only in part (a new record's id)
    if response.status_code != status or (location is not None and got_location != location) or (
            flashed is not None and got_flashed != [flashed]):
        mismatches.append(f"{label:<12} {method:<4} {url:<40} expected {status} {location or ''}"
                          f" {flashed or ''} got {response.status_code} {response.location or ''}"
                          f" {' '.join(got_flashed) if flashed else ''}".rstrip())


WRITES = ("INSERT", "UPDATE", "DELETE")


def _walk(app, clients, routes, sample_for, expected_for, mismatches, tag=""):
    """Every role, every route, every method; FINAL calls come last for each role. A GET that
    writes to the database is a mismatch too, whoever sends it (time-driven changes are jobs)."""
    with app.app_context():
        engine = db.engine
    for role in ROLES:
        samples = sample_for(role)
        calls = [(endpoint, rule, method) for endpoint, rule in routes for method in _methods(rule)]
        calls.sort(key=lambda call: (FINAL.index(call[::2]) if call[::2] in FINAL else -1, call[2] == "POST"))
        for endpoint, rule, method in calls:
            url = _url(app, rule, samples)
            with QueryCounter(engine) as counter:
                _check(clients[role], method, url, expected_for(endpoint, method, role, samples),
                       f"{role}{tag}", mismatches)
            if method == "GET":
                writes = [s for s in counter.statements if s.lstrip().upper().startswith(WRITES)]
                if writes:
                    mismatches.append(f"{role}{tag} GET {url} wrote: {writes[0][:80]}")


def _assert_matrix_covers(routes):
    endpoints = {endpoint for endpoint, _rule in routes}
    assert endpoints == set(EXPECTED), (
        f"routes without a row in EXPECTED: {sorted(endpoints - set(EXPECTED))}; "
        f"rows for routes that do not exist: {sorted(set(EXPECTED) - endpoints)}")


def test_every_route_is_in_the_matrix(app):
    routes = _routes(app)
    _assert_matrix_covers(routes)
    for endpoint, rule in routes:
        assert set(_methods(rule)) == set(EXPECTED[endpoint]), f"{endpoint} {rule.rule}: methods {_methods(rule)}"
        for method, row in EXPECTED[endpoint].items():
            assert len(row) == len(ROLES), f"{endpoint} {method}"


def _handover_state(app):
    """Every note's state and every item's (text, state, version), to compare before and after."""
    from portal.handover.models import HandoverItem, HandoverNote
    with app.app_context():
        notes = dict(db.session.execute(sa.select(HandoverNote.id, HandoverNote.state)).all())
        items = {i.id: (i.text, i.state, i.version) for i in db.session.scalars(sa.select(HandoverItem))}
        return notes, items


def test_every_route_for_every_role(app, make_user, make_customer):
    from portal.extensions import limiter
    with app.app_context():
        limiter.reset()   # the status page's per-address allowance starts afresh
    routes = _routes(app)
    _assert_matrix_covers(routes)
    users, customers, clients = _setup(app, make_user, make_customer)
    notes = _handover_notes(app, users)
    quotes = _quotes(app, users, customers)
    shipments = _shipments(app, users, customers)
    rates = _rate_samples(app, users)
    visits = _visits(app, users, customers)
    shift_id = _day_shift(app)
    before = _versions(app)
    notes_before, items_before = _handover_state(app)
    quotes_before, follow_ups_before = _quote_state(app)
    rates_before = _rate_state(app)

    def sample_for(role):
        owned = customers["new_hire"] if role == "new_hire" else customers["agent"]
        return _samples(app, role, owned, users["agent"].id) | _handover_samples(notes, role) \
            | _quote_samples(quotes, role) | _shipment_samples(shipments, role) | rates \
            | _visit_samples(visits, role) | {"shift_id": shift_id}

    mismatches = []
    _walk(app, clients, routes, sample_for, _expected, mismatches)
    print("\n".join(mismatches))
    assert not mismatches, f"{len(mismatches)} route/role mismatches:\n" + "\n".join(mismatches)

    # Nothing but the permitted deletes changed anything: no refused POST slipped through.
    assert _versions(app)[customers["other_agent"]] == before[customers["other_agent"]]
    left = {key: set(_contact_ids(app, cid)) for key, cid in customers.items()}
    assert left["agent"] == {"Keep Me", "Delete anonymous", "Delete new_hire", "Delete finance"}
    assert left["new_hire"] == {"Keep Me", *(f"Delete {r}" for r in ROLES if r != "new_hire")}
    assert left["other_agent"] == {"Keep Me", *(f"Delete {r}" for r in ROLES)}

    # Handover: the writers' drafts were handed over, the inboxes acknowledged, the two fresh
    # "Delete me" items removed; no note was started, no item added, closed or reworded. The
    # open item of the note each writer acknowledged was carried into their draft (R-H3).
    notes_after, items_after = _handover_state(app)
    changed = {n: (notes_before[n], s) for n, s in notes_after.items() if notes_before.get(n) != s}
    assert changed == {**{notes[k]["draft"]: ("draft", "submitted") for k in AGENTS},
                       **{notes[k]["inbox"]: ("submitted", "acknowledged") for k in notes}}
    assert set(notes_after) == set(notes_before)
    assert items_after == {i: v for i, v in items_before.items() if i not in {notes[k]["delete"] for k in AGENTS}}
    from portal.handover.models import HandoverNote, Shift
    with app.app_context():
        def item_ids(note_id):
            return {e.item_id for e in db.session.get(HandoverNote, note_id).entries}
        for key in AGENTS:  # started with the acknowledged note's item, then the inbox's came along
            assert item_ids(notes[key]["draft"]) == {notes[key]["keep"]} | item_ids(notes[key]["acked"]) \
                | item_ids(notes[key]["inbox"])
    # The shift an admin's empty form was posted to is as it was.
    with app.app_context():
        shift = db.session.get(Shift, shift_id)
        assert (shift.name_en, shift.version, shift.active) == ("Day", 1, True)

    # Quotes: the refused workflow calls left every quote as it was and made none; the agent and
    # the supervisor finished their follow-ups and nothing else.
    quotes_after, follow_ups_after = _quote_state(app)
    assert quotes_after == quotes_before
    assert follow_ups_after == follow_ups_before | {quotes["follow_ups"][k]: True for k in ("agent", "supervisor")}
    # Rate cards: the empty forms changed no rate, and the file is still waiting for its import.
    assert _rate_state(app) == rates_before

    # Shipments: the refused buttons left each sample shipment as it was (loaded, its leg, its
    # kept container); only each actor's own container, documents and link went.
    from portal.shipments.models import Container, Leg, RequiredDocument, Shipment, StatusLink
    with app.app_context():
        for own in shipments[0].values():
            shipment = db.session.get(Shipment, own["shipment_id"])
            assert (shipment.status, shipment.cancelled_at) == ("loaded", None)
            assert db.session.get(Leg, own["leg_id"]) is not None
            assert db.session.get(Container, own["container_id"]) is not None
            for mine in own["actors"].values():
                assert db.session.get(Container, mine["delete_container_id"]) is None
                assert db.session.get(RequiredDocument, mine["delete_document_id"]) is None
                assert db.session.get(RequiredDocument, mine["received_document_id"]).received_at is not None
                assert db.session.get(StatusLink, mine["revoke_link_id"]).revoked_at is not None


def test_record_level_access_to_someone_elses_customer(app, make_user, make_customer):
    """Agents read every customer but change only their own; supervisors and admins change any.
    The same for quotes: another agent's quote (and follow-up) is changed by its author and a
    supervisor only."""
    users, customers, clients = _setup(app, make_user, make_customer)
    quotes = _quotes(app, users, customers, author="other_agent", finishers=("supervisor",))
    quotes_before, follow_ups_before = _quote_state(app)
    routes = [(e, r) for e, r in _routes(app) if e in EXPECTED and {"customer_id", "quote_id", "follow_up_id"}
              & set(r.arguments)]
    assert OWNER_ONLY | AUTHOR_ONLY <= {e for e, _r in routes}

    def sample_for(role):
        return _samples(app, role, customers["other_agent"], users["agent"].id) | _quote_samples(quotes, role)

    def expected_for(endpoint, method, role, samples):
        status, location, flashed = _expected(endpoint, method, role, samples)
        if role in AGENTS and endpoint in OWNER_ONLY | AUTHOR_ONLY and status != 405:
            return 403, None, None
        return status, location, flashed

    mismatches = []
    _walk(app, clients, routes, sample_for, expected_for, mismatches, tag=" (other)")
    print("\n".join(mismatches))
    assert not mismatches, f"{len(mismatches)} record-level mismatches:\n" + "\n".join(mismatches)

    left = set(_contact_ids(app, customers["other_agent"]))
    assert left == {"Keep Me", "Delete anonymous", "Delete agent", "Delete new_hire", "Delete finance"}
    # The other agent's quotes are as they were; only the supervisor finished the follow-up.
    quotes_after, follow_ups_after = _quote_state(app)
    assert quotes_after == quotes_before
    assert follow_ups_after == follow_ups_before | {quotes["follow_ups"]["supervisor"]: True}


# Who reads which note (R-H1, R-H2): its writer, its recipient or a member of the receiving
# team, whoever acknowledged it, supervisors and admins. Everyone else gets 403, on the page and
# on every other route of the note.
#                 writer recipient member mover  outsider newhire supervisor finance admin
READERS = {
    "draft":     (200,   200,      403,   403,   403,     403,    200,       403,    200),
    "to_person": (200,   200,      403,   403,   403,     403,    200,       403,    200),
    "to_team":   (200,   403,      200,   403,   403,     200,    200,       403,    200),
    "team_acked": (200,  403,      200,   200,   403,     200,    200,       403,    200),
}
READER_KEYS = ("writer", "recipient", "member", "mover", "outsider", "newhire", "supervisor", "finance", "admin")
# Who, besides reading the page, tries every other route of the note (the near misses: the
# writer's team-mate, the recipient of a team note, the acknowledger's old team, finance).
SWEEP = {"draft": ("member", "finance"), "to_person": ("member", "newhire"), "to_team": ("recipient", "mover"),
         "team_acked": ("recipient", "outsider")}


def test_record_level_access_to_handover_notes(app, make_user):
    """Notes to a person and to a team, a draft, and a team note acknowledged by a member who
    has since moved to the other team: the page is open to the note's readers only, and every
    route of a note (reading or writing) is 403 for those who may not read it."""
    from portal.auth import rules as auth_rules
    from portal.auth.models import User
    from portal.handover import rules
    from portal.handover.models import Shift
    people = {
        "writer": make_user("agent", "hw-writer", team="direct"),
        "recipient": make_user("agent", "hw-recipient", team="peer"),
        "member": make_user("agent", "hw-member", team="direct"),
        "mover": make_user("agent", "hw-mover", team="direct"),
        "outsider": make_user("agent", "hw-outsider", team="peer"),
        "newhire": make_user("agent", "hw-newhire", team="direct", is_new_hire=True,
                             probation_ends_on=utcnow().date() + timedelta(days=90)),
        "supervisor": make_user("supervisor", "hw-supervisor"),
        "finance": make_user("finance", "hw-finance"),
        "admin": make_user("admin", "hw-admin"),
    }
    notes, items = {}, {}
    with app.test_request_context():
        get = {key: db.session.get(User, u.id) for key, u in people.items()}
        shift = db.session.get(Shift, _day_shift(app))
        day = utcnow().date()
        for key, (to, team) in {"team_acked": (None, "direct"), "to_person": (get["recipient"], None),
                                "to_team": (None, "direct"), "draft": (get["recipient"], None)}.items():
            note, _ = rules.start_note(get["writer"], shift, day, to, team)
            items[key] = rules.add_item(get["writer"], note, {"text": f"Item on {key}", "priority": "normal",
                                                              "category": "other"}).id
            if key != "draft":
                rules.submit_note(get["writer"], note)
            if key == "team_acked":
                rules.acknowledge(get["mover"], note)
            notes[key] = note.id
        # The acknowledger moves to the peer team: they still read the note they took over.
        mover = get["mover"]
        auth_rules.update_user(get["admin"], mover, mover.version, team="peer")
        db.session.commit()
    clients = {key: app.test_client() for key in people}
    for key, c in clients.items():
        c.login_as(people[key])
    notes_before, items_before = _handover_state(app)

    note_routes = [(e, r) for e, r in _routes(app) if "note_id" in r.arguments]
    mismatches = []
    for kind, row in READERS.items():
        samples = {"note_id": notes[kind], "item_id": items[kind], "delete_item_id": items[kind],
                   "inbox_note_id": notes[kind], "acked_note_id": notes[kind]}
        for key, expected in zip(READER_KEYS, row):
            c = clients[key]
            page = f"/handover/notes/{notes[kind]}"
            for response in (c.get(page), c.hx("GET", page)):
                if response.status_code != expected:
                    mismatches.append(f"{key:<10} GET  {kind:<10} expected {expected} got {response.status_code}")
            if key in SWEEP[kind]:
                assert expected == 403
                data = {"text": "x", "summary": "x", "version": "1", "direction": "up"}
                for n, (_endpoint, rule) in enumerate(note_routes):
                    url = _url(app, rule, samples)
                    for method in _methods(rule):
                        want = 405 if method not in rule.methods else 403
                        if method == "GET":
                            response = c.hx("GET", url) if n % 2 else c.get(url)
                        else:  # plain forms and htmx in turn: both go through the same checks
                            response = c.hx("POST", url, data=data) if n % 2 else c.form(url, data)
                        if response.status_code != want:
                            mismatches.append(f"{key:<10} {method:<4} {url} ({kind}) expected {want}"
                                              f" got {response.status_code}")
    print("\n".join(mismatches))
    assert not mismatches, f"{len(mismatches)} note access mismatches:\n" + "\n".join(mismatches)
    assert _handover_state(app) == (notes_before, items_before)  # the refused calls changed nothing


def test_refused_writes_with_valid_data_change_nothing(app, as_role, make_user, make_customer):
    """A valid, well-formed form from a role that may not act is refused and nothing is written."""
    c, agent = as_role("agent")
    other = make_user("agent")
    cid = make_customer(other, contacts=[{"name": "Chen Li"}], code="OTHER-1", name_en="Other Co")
    contact_id = _contact_ids(app, cid)["Chen Li"]
    version = _versions(app)[cid]
    profile = {"code": "MINE-1", "name_en": "Stolen", "kind": "direct", "source": "self_sourced",
               "preferred_locale": "en", "version": str(version)}
    attempts = [
        (f"/customers/{cid}/edit", profile),
        (f"/customers/{cid}/contacts", {"name": "Planted Contact"}),
        (f"/customers/{cid}/contacts/{contact_id}/edit", {"name": "Renamed", "version": "1"}),
        (f"/customers/{cid}/contacts/{contact_id}/delete", {}),
        (f"/customers/{cid}/owner", {"owner_id": str(agent.id), "version": str(version)}),
        (f"/customers/{cid}/grade", {"grade": "A", "reason": "I say so", "version": str(version)}),
        (f"/customers/{cid}/credit", {"credit_terms_days": "90", "credit_limit": "1000000",
                                      "credit_currency": "USD", "version": str(version)}),
        ("/admin/users/new", {"username": "mole", "display_name": "Mole", "password": "long-enough-pw",
                              "role": "admin", "locale": "en", "timezone": "UTC", "active": "y"}),
        (f"/admin/users/{agent.id}", {"display_name": "Me", "role": "admin", "locale": "en",
                                      "timezone": "UTC", "active": "y", "version": "1"}),
        (f"/admin/users/{other.id}/password", {"password": "taken-over-123"}),
    ]
    for url, data in attempts:
        assert c.form(url, data).status_code == 403, url
        assert c.hx("POST", url, data=data).status_code == 403, url
    finance, _ = as_role("finance")
    assert finance.form("/customers/new", profile).status_code == 403

    with app.app_context():
        from portal.auth.models import User
        customer = db.session.get(Customer, cid)
        assert (customer.version, customer.owner_id, customer.grade, customer.name_en) == (version, other.id, "B", "Other Co")
        assert customer.credit_terms_days == 0
        assert [x.name for x in customer.contacts] == ["Chen Li"]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Customer)) == 1
        assert db.session.get(User, agent.id).role == "agent"
        assert db.session.scalar(sa.select(User).where(User.username == "mole")) is None
    # The other agent's password still works.
    fresh = app.test_client()
    fresh.login_as(other)


def test_anonymous_htmx_request_gets_401_with_hx_redirect(client, make_user, make_customer):
    owner = make_user("agent")
    cid = make_customer(owner)
    plain = client.get(f"/customers/{cid}")
    assert plain.status_code == 302
    assert urlsplit(plain.location).path == "/login"
    assert parse_qs(urlsplit(plain.location).query)["next"] == [f"/customers/{cid}"]

    response = client.get(f"/customers/{cid}/timeline", headers={
        "HX-Request": "true", "HX-Current-URL": f"http://localhost/customers/{cid}?tab=timeline"})
    assert response.status_code == 401
    target = urlsplit(response.headers["HX-Redirect"])
    assert target.path == "/login" and not target.netloc
    assert parse_qs(target.query)["next"] == [f"/customers/{cid}?tab=timeline"]
    assert "<html" not in response.get_data(as_text=True)  # never a login page swapped into a panel

    # A foreign page named as the current URL does not become an open redirect.
    response = client.get("/customers", headers={"HX-Request": "true", "HX-Current-URL": "https://evil.example//x"})
    assert response.status_code == 401
    target = urlsplit(response.headers["HX-Redirect"])
    assert target.path == "/login" and not target.netloc
    assert all(not n.startswith("//") and "evil" not in n for n in parse_qs(target.query).get("next", []))

    # An htmx POST without a session is a 401 as well, not a redirect swapped into the page.
    response = client.hx("POST", f"/customers/{cid}/contacts", data={"name": "X"})
    assert response.status_code == 401
    assert urlsplit(response.headers["HX-Redirect"]).path == "/login"


def test_deactivated_user_is_logged_out_at_the_next_request(app, as_role, make_user):
    c, agent = as_role("agent")
    assert c.get("/customers").status_code == 200
    with app.test_request_context():
        from portal.auth import rules
        from portal.auth.models import User
        admin = db.session.get(User, make_user("admin").id)
        user = db.session.get(User, agent.id)
        rules.update_user(admin, user, user.version, active=False)
        db.session.commit()
    response = c.get("/customers")
    assert response.status_code == 302 and urlsplit(response.location).path == "/login"
    assert c.form(f"/admin/users/{agent.id}", {}).status_code == 302
