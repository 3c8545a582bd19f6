"""Decorators, parameter markers, metadata, protocols, startup errors; imports no other room."""
