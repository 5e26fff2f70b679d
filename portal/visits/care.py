"""Care reminders (R-V7): whom to greet this week, for a birthday or a festival, with the greeting
drafted in the contact's language (their customer's preferred language)."""
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import gettext as _, lazy_gettext as _l

from portal.core.i18n import force_locale
from portal.visits import queries

OCCASIONS = {
    "birthday": _l("Birthday"),
    "lunar_new_year": _l("Lunar New Year"),
    "dragon_boat": _l("Dragon Boat Festival"),
    "mid_autumn": _l("Mid-Autumn Festival"),
}


def occasion_label(kind: str) -> str:
    return str(OCCASIONS.get(kind, kind))


@dataclass
class CareRow:
    kind: str
    day: date
    contact: object
    customer: object
    lang: str
    greeting: str
    greeted: object = None

    @property
    def occasion(self) -> str:
        return f"{self.kind}-{self.day.year}"


def _customer_name(customer, lang: str) -> str:
    return (customer.name_zh if lang.startswith("zh") else customer.name_en) or customer.display_name


def greeting(kind: str, contact, customer, agent) -> str:
    """The greeting for one contact, in its customer's language, signed by the agent."""
    lang = str(customer.preferred_locale or "en")
    with force_locale(lang):
        name = contact.name
        if kind == "birthday":
            text = _("Dear %(name)s, happy birthday! Thank you for your trust and support. Wishing you good health "
                     "and every success in the year ahead.", name=name)
        elif kind == "lunar_new_year":
            text = _("Dear %(name)s, happy Lunar New Year! Thank you for your support over the past year. We wish "
                     "you and everyone at %(customer)s good health, prosperity and smooth sailing in the year ahead.",
                     name=name, customer=_customer_name(customer, lang))
        elif kind == "dragon_boat":
            text = _("Dear %(name)s, wishing you a happy and healthy Dragon Boat Festival. Thank you for working "
                     "with us.", name=name)
        else:
            text = _("Dear %(name)s, happy Mid-Autumn Festival! May you and your family enjoy the full moon "
                     "together. Thank you for your continued support.", name=name)
    company = current_app.config.get("PORTAL_COMPANY_NAME") or ""
    signature = f"{agent.display_name}, {company}" if company else agent.display_name
    return f"{text}\n{signature}"


def _greeted_contact(customer):
    """Whom a festival greeting goes to: the customer's main contact (or its first)."""
    contacts = list(customer.contacts)
    return next((c for c in contacts if c.is_primary), contacts[0] if contacts else None)


def rows(birthdays, festivals, customers, agent) -> list[CareRow]:
    """Birthdays of the week, then for each festival the customers' main contacts."""
    found = [CareRow("birthday", day, contact, contact.customer, str(contact.customer.preferred_locale or "en"),
                     greeting("birthday", contact, contact.customer, agent)) for day, contact in birthdays]
    for kind, day in festivals:
        for customer in customers:
            contact = _greeted_contact(customer)
            if contact is not None:
                found.append(CareRow(kind, day, contact, customer, str(customer.preferred_locale or "en"),
                                     greeting(kind, contact, customer, agent)))
    done = queries.greeted([r.contact.id for r in found], [r.occasion for r in found])
    for row in found:
        row.greeted = done.get((row.contact.id, row.occasion))
    return found
