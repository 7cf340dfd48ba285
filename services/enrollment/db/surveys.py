"""Surveys, their answers, and the answers aggregated for union staff."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from services.enrollment.domain.commands import DemandAnswer, OpenSurvey, SatisfactionAnswer
from shared.db import Conn


async def insert_survey(tx: Conn, survey_id: uuid.UUID, cmd: OpenSurvey, opened_by: str) -> None:
    await tx.execute(
        """INSERT INTO surveys (survey_id, union_id, kind, title, closes_on, areas, programme_id, opened_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""",
        survey_id,
        cmd.union_id,
        cmd.kind,
        cmd.title,
        cmd.closes_on,
        cmd.areas,
        cmd.programme_id,
        opened_by,
    )


async def get_survey(conn: Conn, survey_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """SELECT survey_id, union_id, kind, title, closes_on, areas, programme_id, opened_at
           FROM surveys WHERE survey_id = $1""",
        survey_id,
    )


async def attended(conn: Conn, class_id: uuid.UUID, member_id: uuid.UUID) -> bool:
    """Whether a child of the member (a linked guardian) had a confirmed day in the class."""
    return bool(
        await conn.fetchval(
            """SELECT EXISTS (SELECT 1 FROM booking_days bd JOIN guardianships g USING (child_id)
                              WHERE bd.class_id = $1 AND bd.state = 'confirmed' AND g.guardian_id = $2
                                AND g.accepted_at IS NOT NULL)""",
            class_id,
            member_id,
        )
    )


async def insert_demand(
    tx: Conn, answer_id: uuid.UUID, survey_id: uuid.UUID, member_id: uuid.UUID, cmd: DemandAnswer
) -> bool:
    """The answer; False when the member answered the survey already."""
    return bool(
        await tx.fetchval(
            """INSERT INTO survey_answers (answer_id, survey_id, member_id, area, children_ages, weeks)
               VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING true""",
            answer_id,
            survey_id,
            member_id,
            cmd.area,
            cmd.children_ages,
            sorted(cmd.weeks),
        )
    )


async def insert_rating(
    tx: Conn,
    answer_id: uuid.UUID,
    survey_id: uuid.UUID,
    member_id: uuid.UUID,
    provider_id: uuid.UUID,
    cmd: SatisfactionAnswer,
) -> bool:
    """The rating; False when the member rated this class in the survey already."""
    return bool(
        await tx.fetchval(
            """INSERT INTO survey_answers (answer_id, survey_id, member_id, class_id, provider_id, rating, comment)
               VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING true""",
            answer_id,
            survey_id,
            member_id,
            cmd.class_id,
            provider_id,
            cmd.rating,
            cmd.comment,
        )
    )


async def answers_of(conn: Conn, survey_id: uuid.UUID, member_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        """SELECT answer_id, answered_at, area, children_ages, weeks, class_id, rating, comment FROM survey_answers
           WHERE survey_id = $1 AND member_id = $2 ORDER BY answered_at, answer_id""",
        survey_id,
        member_id,
    )
    return [dict(r) for r in rows]


async def demand_results(conn: Conn, survey_id: uuid.UUID) -> dict[str, Any]:
    """Families and children by area, children by age, families by wanted week."""
    by_area = await conn.fetch(
        """SELECT area, count(*) AS families, sum(cardinality(children_ages)) AS children FROM survey_answers
           WHERE survey_id = $1 GROUP BY area ORDER BY area""",
        survey_id,
    )
    by_age = await conn.fetch(
        """SELECT age, count(*) AS children FROM survey_answers, unnest(children_ages) AS age
           WHERE survey_id = $1 GROUP BY age ORDER BY age""",
        survey_id,
    )
    by_week = await conn.fetch(
        """SELECT week, count(*) AS families FROM survey_answers, unnest(weeks) AS week
           WHERE survey_id = $1 GROUP BY week ORDER BY week""",
        survey_id,
    )
    return {
        "answers": sum(r["families"] for r in by_area),
        "by_area": [dict(r) for r in by_area],
        "by_age": [dict(r) for r in by_age],
        "by_week": [dict(r) for r in by_week],
    }


async def satisfaction_results(conn: Conn, survey_id: uuid.UUID) -> dict[str, Any]:
    """Ratings by class and by provider: how many, their mean, and how many of each score."""
    by_class = await conn.fetch(
        """SELECT a.class_id, c.name, a.provider_id, count(*) AS answers, round(avg(a.rating), 2)::float AS mean,
                  array_agg(a.rating) AS ratings
           FROM survey_answers a JOIN classes c USING (class_id) WHERE a.survey_id = $1
           GROUP BY a.class_id, c.name, a.provider_id ORDER BY c.name, a.class_id""",
        survey_id,
    )
    by_provider = await conn.fetch(
        """SELECT a.provider_id, p.name, count(*) AS answers, round(avg(a.rating), 2)::float AS mean,
                  array_agg(a.rating) AS ratings
           FROM survey_answers a JOIN providers p USING (provider_id) WHERE a.survey_id = $1
           GROUP BY a.provider_id, p.name ORDER BY p.name, a.provider_id""",
        survey_id,
    )
    return {
        "answers": sum(r["answers"] for r in by_class),
        "by_class": [_scores(r) for r in by_class],
        "by_provider": [_scores(r) for r in by_provider],
    }


def _scores(row: asyncpg.Record) -> dict[str, Any]:
    ratings = row["ratings"]
    return {
        **{k: v for k, v in dict(row).items() if k != "ratings"},
        "scores": {s: ratings.count(s) for s in range(1, 6)},
    }
