"""The web front end: a parent portal, a check-in kiosk for site staff and a union dashboard,
server-rendered (FastAPI, Jinja2, htmx). No database and no Kafka: every page calls the services'
HTTP APIs with the signed-in person's token (docs/architecture.md, "The web front end")."""
