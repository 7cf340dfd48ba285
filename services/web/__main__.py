"""`python -m services.web`: serve the web front end."""

import uvicorn

from services.web.app import create_app
from services.web.config import WebSettings

settings = WebSettings()
uvicorn.run(create_app(settings), host=settings.http_host, port=settings.http_port, log_level="info")
