"""The handout service: `leaflets serve`, HTTP and FHIR R4 for a records system (docs/service.md)."""
