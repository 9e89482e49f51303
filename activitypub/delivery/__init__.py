"""Outgoing delivery: choosing inboxes, queueing one row per inbox, and sending signed POSTs."""
