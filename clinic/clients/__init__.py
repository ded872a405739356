"""Clients of a clinician: the dashboard, client pages, notes and agenda."""
