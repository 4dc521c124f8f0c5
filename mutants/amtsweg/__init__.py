"""Amtsweg: online forms and payment for the member municipalities of an association."""
