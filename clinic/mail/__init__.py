"""Email to clients: invitations and reminders that hold no clinical detail, sent through the queue."""
