"""PDFs with WeasyPrint: filled worksheets, blank printables, session-prep packets."""
