"""Surveys: union staff open a demand survey before a programme (families say where they live, their
children's ages and the weeks they want care) or a satisfaction survey after a term (a family rates
a class its child attended). Members of the union's subtree answer once; staff above the union read
the results aggregated (by area, age and week; by class and provider); a family reads only its own."""

from __future__ import annotations

import uuid

from services.enrollment.access import ensure_manages, not_found
from services.enrollment.db import organisation
from services.enrollment.db import surveys as db
from services.enrollment.domain.commands import DemandAnswer, OpenSurvey, SatisfactionAnswer
from shared.errors import Conflict, Invalid
from shared.outcomes import Created
from shared.principal import forbidden, require_role
from shared.timezones import LOCAL_TIME
from shared.uow import UnitOfWork


async def open_survey(cmd: OpenSurvey, uow: UnitOfWork) -> Created:
    tx, actor = uow.tx, uow.issuer
    if await organisation.get_union(tx, cmd.union_id) is None:
        raise not_found("union_id", "union")
    await ensure_manages(tx, actor.principal, cmd.union_id)
    if cmd.programme_id is not None:
        programme = await organisation.get_programme(tx, cmd.programme_id)
        if programme is None:
            raise not_found("programme_id", "programme")
        if not await organisation.is_within(tx, programme["union_id"], cmd.union_id):
            raise Invalid("the programme is run outside the survey's union", field="programme_id")
    survey_id = uuid.uuid4()
    await db.insert_survey(tx, survey_id, cmd, actor.principal.sub)
    return Created({"survey_id": str(survey_id), "kind": cmd.kind})


async def answer(survey_id: uuid.UUID, cmd: DemandAnswer | SatisfactionAnswer, uow: UnitOfWork) -> Created:
    """A member of the survey's union (or one below it) answers, once (a rating: once per class)."""
    tx, actor = uow.tx, uow.issuer
    survey = await db.get_survey(tx, survey_id)
    if survey is None:
        raise not_found("survey_id", "survey")
    member = actor.principal
    require_role(member, "parent")
    if (
        member.member_id is None
        or member.union_id is None
        or not await organisation.is_within(tx, member.union_id, survey["union_id"])
    ):
        raise forbidden("the survey asks members of another part of the union tree")
    if actor.now.astimezone(LOCAL_TIME).date() > survey["closes_on"]:
        raise Conflict(f"the survey closed on {survey['closes_on'].isoformat()}", field="survey_id")
    if cmd.kind != survey["kind"]:
        raise Invalid(f"this is a {survey['kind']} survey: answer with kind {survey['kind']}", field="kind")
    answer_id = uuid.uuid4()
    if isinstance(cmd, DemandAnswer):
        if cmd.area not in survey["areas"]:
            raise Invalid("choose one of the survey's areas: " + ", ".join(survey["areas"]), field="area")
        if not await db.insert_demand(tx, answer_id, survey_id, member.member_id, cmd):
            raise Conflict("you answered this survey already", field="survey_id")
    else:
        care_class = await organisation.get_class(tx, cmd.class_id)
        if care_class is None or care_class["programme_id"] != survey["programme_id"]:
            raise Invalid("the class is not one of the programme the survey asks about", field="class_id")
        if not await db.attended(tx, cmd.class_id, member.member_id):
            raise forbidden("only the family of a child who attended the class rates it")
        provider_id = care_class["provider_id"]
        if not await db.insert_rating(tx, answer_id, survey_id, member.member_id, provider_id, cmd):
            raise Conflict("you rated this class in this survey already", field="class_id")
    return Created({"answer_id": str(answer_id), "survey_id": str(survey_id)})
