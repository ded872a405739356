"""Data rights and the audit trail's integrity: export, erasure, retention, chain checks."""
