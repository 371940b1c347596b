"""WeChat adapter: drives a WeChat account through python-wechaty and a wechaty puppet service.

Import ``bot.adapters.wechat.compat`` before anything that imports ``wechaty``: on Python 3.11+
the published wechaty 0.10.7 does not import without it.
"""
