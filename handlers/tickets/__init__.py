"""Tickets: turning group-chat messages into issue reports (see parser.py)."""
