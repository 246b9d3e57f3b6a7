"""Agendas: booking hours, exceptions, holidays, in the place's time zone."""
