"""Shared foundations: settings, the vocabulary (kinds, industries, regions), the process container."""
