"""Inbox handlers, one module per group of activity types; `registry.handler_for` finds them."""
