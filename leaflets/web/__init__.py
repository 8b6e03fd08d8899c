"""The web edition: every leaflet as an accessible HTML page, in one folder any static host can serve.

`address` says where each page lives (and so what the printed leaflets' second QR code opens); `pages`
renders the pages from the same content, wording and template pieces as the print; `site` writes the folder.
"""
