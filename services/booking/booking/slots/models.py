import datetime as dt

from sqlalchemy import CheckConstraint, Column, DateTime, ForeignKey, Integer
from sqlmodel import Field

from booking.db import BookingModel

# Named by the metadata's convention once the table is declared: ``ck_slot_load_within_capacity``.
WITHIN_CAPACITY = CheckConstraint("used >= 0 AND used <= capacity", name="within_capacity")


class SlotLoad(BookingModel, table=True):
    """How many appointments occupy one time unit of an agenda: the double-booking guarantee.

    Booking increments ``used`` on every unit its appointment (plus buffer) covers, in one statement that
    locks the rows; the CHECK makes PostgreSQL refuse any increment beyond ``capacity``.
    """

    __tablename__ = "slot_load"
    __table_args__ = (WITHIN_CAPACITY,)

    agenda_id: int = Field(
        sa_column=Column(Integer, ForeignKey("agenda.id", ondelete="CASCADE"), primary_key=True)
    )
    starts_at: dt.datetime = Field(sa_column=Column(DateTime(timezone=True), primary_key=True))
    capacity: int
    used: int = 0
