"""Worksheets given to clients: assigning, the lifecycle, review and comments."""
