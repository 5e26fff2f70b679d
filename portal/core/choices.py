"""States and kinds with their label and badge tone in one place.

A `Choice` is a StrEnum whose members carry a translated label and a badge tone, so templates,
forms, exports and the change history ask the enum instead of keeping label maps of their own.
A `ChoiceColumn` stores the member's value as text and loads it back as the member.
"""
from enum import StrEnum

import sqlalchemy as sa
from wtforms.fields.choices import SelectChoice

TONES = ("neutral", "info", "good", "warn", "bad")


class Choice(StrEnum):
    """Members are declared as NAME = "value", _l("Label"), "tone"."""

    def __new__(cls, value, label=None, tone="neutral"):
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label if label is not None else value
        member.tone = tone
        return member

    @property
    def label(self) -> str:
        from portal.core.i18n import text   # i18n's Language is itself a Choice
        return text(self._label)

    @classmethod
    def get(cls, value):
        """The member for a stored or submitted value, or None."""
        try:
            return cls(value)
        except ValueError:
            return None

    @classmethod
    def label_of(cls, value) -> str:
        member = cls.get(value)
        return member.label if member is not None else ("" if value is None else str(value))

    @classmethod
    def choices(cls) -> list[SelectChoice]:
        """Every member as a select option: a WTForms `choices=` callable."""
        return cls.options()

    @classmethod
    def options(cls, members=None, blank: str | None = None) -> list[SelectChoice]:
        """Select options in declaration order, labelled in the viewer's language."""
        pairs = [("", blank)] if blank is not None else []
        pairs += [(m.value, m.label) for m in (members or cls)]
        return [SelectChoice(value, label) for value, label in pairs]


class ChoiceColumn(sa.types.TypeDecorator):
    """A Choice stored as its value (VARCHAR), read back as the member."""

    impl = sa.String
    cache_ok = True

    def __init__(self, choice: type[Choice], length: int):
        super().__init__(length)
        self.choice = choice

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        member = self.choice.get(value)
        if member is None:
            raise ValueError(f"{value!r} is not a {self.choice.__name__}")
        return member.value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return self.choice.get(value) or value
