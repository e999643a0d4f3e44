"""Passwords, JWTs and API keys."""
