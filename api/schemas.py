"""The API's body schemas live in `matchmaker.catalog.schemas` (one family for the API, the forms and
the importer); the vocabularies the search routes document are re-exported here for them."""

from matchmaker.catalog.schemas import COOP_VALUES, INDUSTRY_VALUES

__all__ = ["COOP_VALUES", "INDUSTRY_VALUES"]
