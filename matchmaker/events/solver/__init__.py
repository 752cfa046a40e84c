"""The event solver: pure planning (pair selection, slots, tables), its file format and checker."""
