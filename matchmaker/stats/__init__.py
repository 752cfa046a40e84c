"""Park statistics: recommendation funnel, items and freshness, events, digests, XLSX report."""
