"""HTTP API of the enrollment service."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Request
from fastapi.responses import JSONResponse

from services.enrollment import db, handlers
from services.enrollment.domain import EnrollmentRequest
from shared.idempotency import run_once
from shared.service import Runtime, runtime

router = APIRouter(tags=["enrollments"])
IdempotencyKey = Annotated[str, Header(alias="Idempotency-Key", min_length=8, max_length=200)]


@router.post("/enrollments", status_code=201, summary="Enrol a child for the given days")
async def create_enrollment(
    body: EnrollmentRequest,
    request: Request,
    idempotency_key: IdempotencyKey,
    rt: Annotated[Runtime, Depends(runtime)],
) -> JSONResponse:
    async with rt.pool.acquire() as tx, tx.transaction():
        status, response = await run_once(
            tx, scope="POST /enrollments", key=idempotency_key, request=body.model_dump(mode="json"),
            command=lambda: handlers.enroll(body, tx=tx, outbox=rt.outbox,
                                            correlation_id=request.state.correlation_id),
        )
    return JSONResponse(response, status_code=status)


@router.get("/enrollments/{enrollment_id}", summary="One enrollment")
async def read_enrollment(enrollment_id: uuid.UUID, rt: Annotated[Runtime, Depends(runtime)]) -> dict[str, Any]:
    found = await db.get_enrollment(rt.pool, enrollment_id)
    if found is None:
        raise HTTPException(404, "no such enrollment")
    return found
