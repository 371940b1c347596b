"""Repository functions: keyword-only, given a session; they flush, never commit."""
