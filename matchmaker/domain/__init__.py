"""Vocabulary shared by every layer: industries, cooperation modes, regions, kinds, statuses."""
