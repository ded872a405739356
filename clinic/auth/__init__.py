"""Clinician sign-in, sign-out, sessions and passwords."""
