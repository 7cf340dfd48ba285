"""Union staff open demand and satisfaction surveys and read their results; members answer and
read only their own answers (handlers/surveys.py)."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.enrollment.access import ensure_manages, not_found
from services.enrollment.api import responses
from services.enrollment.db import organisation
from services.enrollment.db import surveys as db
from services.enrollment.domain.commands import AnswerSurvey, OpenSurvey
from services.enrollment.handlers import surveys as handlers
from shared.auth import Caller
from shared.http_commands import IdempotencyKey, respond
from shared.principal import forbidden, require_role
from shared.service import Runtime, ServiceRuntime

router = APIRouter(tags=["supervision"])


@router.post(
    "/surveys",
    status_code=201,
    response_model=responses.SurveyOpened,
    summary="Open a demand survey (before a programme) or a satisfaction survey (after a term)",
)
async def open_survey(
    body: OpenSurvey, request: Request, rt: ServiceRuntime, caller: Caller, key: IdempotencyKey
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: handlers.open_survey(body, uow))


@router.get("/surveys/{survey_id}", response_model=responses.Survey, summary="A survey and what it asks")
async def read_survey(survey_id: uuid.UUID, rt: ServiceRuntime, caller: Caller) -> dict[str, Any]:
    survey = await _survey(rt, survey_id)
    if caller.role == "parent":
        if not (caller.union_id and await organisation.is_within(rt.pool, caller.union_id, survey["union_id"])):
            raise forbidden("the survey asks members of another part of the union tree")
    else:
        await ensure_manages(rt.pool, caller, survey["union_id"])
    return dict(survey)


@router.post(
    "/surveys/{survey_id}/answers",
    status_code=201,
    response_model=responses.SurveyAnswered,
    summary="Answer a survey (members of its union or one below it; once, or once per class rated)",
)
async def answer_survey(
    survey_id: uuid.UUID,
    body: AnswerSurvey,
    request: Request,
    rt: ServiceRuntime,
    caller: Caller,
    key: IdempotencyKey,
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: handlers.answer(survey_id, body, uow))


@router.get(
    "/surveys/{survey_id}/answers/mine",
    response_model=responses.MyAnswers,
    summary="The caller's own answers to the survey (a family sees no one else's)",
)
async def my_answers(survey_id: uuid.UUID, rt: ServiceRuntime, caller: Caller) -> dict[str, Any]:
    require_role(caller, "parent")
    await _survey(rt, survey_id)
    mine = await db.answers_of(rt.pool, survey_id, caller.member_id) if caller.member_id else []
    return {"survey_id": survey_id, "member_id": caller.member_id, "answers": mine}


@router.get(
    "/surveys/{survey_id}/results",
    response_model=responses.SurveyResults,
    response_model_exclude_unset=True,
    summary="The answers aggregated: by area, age and week (demand); by class and provider (satisfaction)",
)
async def results(survey_id: uuid.UUID, rt: ServiceRuntime, caller: Caller) -> dict[str, Any]:
    survey = await _survey(rt, survey_id)
    await ensure_manages(rt.pool, caller, survey["union_id"])
    if survey["kind"] == "demand":
        figures = await db.demand_results(rt.pool, survey_id)
    else:
        figures = await db.satisfaction_results(rt.pool, survey_id)
    return {"survey_id": survey_id, "kind": survey["kind"], **figures}


async def _survey(rt: Runtime, survey_id: uuid.UUID) -> asyncpg.Record:
    survey = await db.get_survey(rt.pool, survey_id)
    if survey is None:
        raise not_found("survey_id", "survey")
    return survey
