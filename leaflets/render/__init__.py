"""Content to HTML (Jinja2) and HTML to tagged PDF (WeasyPrint), with the layout rules checked on the laid-out pages."""
