"""Park innovation maps: industry chains, link coverage, gap candidates, SVG/PNG/XLSX output."""
