"""Matchmaking events (园校企对接活动): choose pairs, slots and tables; check and export plans."""
