"""Test helpers: databases on both engines and an errbot-style conversation driver."""
