"""The client's side: secure links, filling in worksheets with autosave, submitting."""
