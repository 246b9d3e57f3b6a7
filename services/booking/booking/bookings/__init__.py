"""bookings"""
