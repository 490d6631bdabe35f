"""地域診断, the community view: expected new cases per district and issue, with intervals."""
