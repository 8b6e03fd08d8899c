"""The quality gate: the words (reading level, plain words, actionability), the pages (contrast, type size)
and the PDF/UA-1 structure."""
