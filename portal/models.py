"""Every feature's models, imported in one place for Alembic autogenerate and the shell."""
from portal.auth.models import LoginAttempt, User  # noqa: F401
from portal.company.models import CompanyProfile  # noqa: F401
from portal.core.audit import AuditEntry  # noqa: F401
from portal.core.search import SearchDocument  # noqa: F401
from portal.core.sequence import Counter  # noqa: F401
from portal.customers.models import Contact, Customer, GradeChange  # noqa: F401
from portal.handover.models import Addendum, HandoverItem, HandoverNote, NoteEntry, Shift  # noqa: F401
from portal.quotes.models import ApprovalDecision, ChargeLine, FollowUp, Quote  # noqa: F401
from portal.shipments.models import (BLRevision, Container, CourierDispatch, FreeTimeRequest, Integration,  # noqa: F401
                                     Leg, LoadingException, Milestone, Notice, OutboxMessage, RequiredDocument,
                                     ScheduleChange, Shipment, SpaceRequest, StatusLink, VesselCall)
from portal.rates.models import Rate, RateImport  # noqa: F401
from portal.visits.models import (ActionItem, CadenceRule, CalendarFeed, CaseEvent, ComplaintCase,  # noqa: F401
                                  ContactEntry, CustomerCadence, Evidence, PlannedVisit, Reactivation,
                                  ReactivationAttempt, ReviewMeeting, VisitSettings)
