"""Telegram adapter: a python-telegram-bot Application serving the configured group chats."""
