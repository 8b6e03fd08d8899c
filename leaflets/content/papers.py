"""The paper sizes a leaflet is made on: a plain tuple, so the command line reads it without loading the schema."""

PAPERS = ("a4", "letter")
