"""A local stand-in for an SMS or WeChat gateway that speaks docs/gateway-contract.md.

    python -m tests.support.fake_gateway --port 18555 --secret s3cret [--fail-first N]

It checks the Standard Webhooks signature (key: the UTF-8 bytes of the secret), keeps what it
accepted (answering 409 to a repeated Idempotency-Key), and lists it at GET /v1/messages.
``--fail-first N`` answers 503 to the first N requests.
"""

from __future__ import annotations

import argparse
import json

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.notify.channels.signing import verify


def build(secret: str, fail_first: int) -> FastAPI:
    app = FastAPI()
    accepted: dict[str, dict] = {}
    state = {"requests": 0}

    @app.post("/v1/messages")
    async def accept(request: Request) -> JSONResponse:
        state["requests"] += 1
        if state["requests"] <= fail_first:
            return JSONResponse({"error": "busy"}, status_code=503)
        body = await request.body()
        if not verify(secret.encode(), dict(request.headers), body):
            return JSONResponse({"error": "bad signature"}, status_code=401)
        key = request.headers.get("idempotency-key", "")
        if key in accepted:
            return JSONResponse({"message_id": key, "duplicate": True}, status_code=409)
        message = json.loads(body)
        if not message.get("to") or not message.get("text") or message.get("channel") not in ("sms", "wechat"):
            return JSONResponse({"error": "to, text and channel are required"}, status_code=422)
        accepted[key] = message
        return JSONResponse({"message_id": key}, status_code=202)

    @app.get("/v1/messages")
    async def listing() -> dict:
        return {"requests": state["requests"], "messages": [{"idempotency_key": k, **v} for k, v in accepted.items()]}

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--fail-first", type=int, default=0)
    args = parser.parse_args()
    uvicorn.run(build(args.secret, args.fail_first), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
