"""matchmaker — 园校企对接推荐引擎 (park–campus–enterprise matchmaking engine)."""

__version__ = "0.1.0"
