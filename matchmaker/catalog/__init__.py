"""The catalogue of matchable items: parks, organisations, achievements, needs, scenarios; import."""
