"""Offline fakes of the chat platforms' servers: a wechaty puppet service and the Telegram Bot API.

Import the one you need (``tests.fakes.puppet`` or ``tests.fakes.botapi``); see README.md here.
"""
