"""The demo data set written for this product, and its loader."""
