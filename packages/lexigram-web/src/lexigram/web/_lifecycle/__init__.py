"""Lifecycle events: their payloads and the hub of subscribers; imports no other room."""
