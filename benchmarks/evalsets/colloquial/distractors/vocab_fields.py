"""All unrelated-field domains, gathered from the per-sector vocabulary modules."""

from __future__ import annotations

from .model import Domain
from .vocab_fields_build import BUILD
from .vocab_fields_health import HEALTH
from .vocab_fields_heavy import HEAVY
from .vocab_fields_light import LIGHT
from .vocab_fields_rural import RURAL
from .vocab_fields_services import SERVICES
from .vocab_fields_trade import TRADE

UNRELATED_DOMAINS: tuple[Domain, ...] = (*HEALTH, *LIGHT, *HEAVY, *SERVICES, *TRADE, *BUILD, *RURAL)
