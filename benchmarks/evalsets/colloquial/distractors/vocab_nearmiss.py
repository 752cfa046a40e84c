"""All near-miss domains: they share words with the demo items but are about something else."""

from __future__ import annotations

from .model import Domain
from .vocab_nearmiss_power import NEAR_POWER
from .vocab_nearmiss_process import NEAR_PROCESS

NEAR_MISS_DOMAINS: tuple[Domain, ...] = (*NEAR_POWER, *NEAR_PROCESS)
