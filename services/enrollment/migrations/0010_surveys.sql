-- Surveys by union staff: a demand survey before a programme opens (families answer their area,
-- their children's ages and the weeks they want care) and a satisfaction survey after a term (a
-- family rates a class its child attended). Staff read results aggregated; a family reads only its own.
CREATE TABLE surveys (
    survey_id    uuid        PRIMARY KEY,
    union_id     uuid        NOT NULL REFERENCES unions,
    kind         text        NOT NULL CHECK (kind IN ('demand', 'satisfaction')),
    title        text        NOT NULL,
    closes_on    date        NOT NULL,
    areas        text[]      NOT NULL DEFAULT '{}',             -- a demand survey's areas to choose from
    programme_id uuid        REFERENCES programmes,             -- the term a satisfaction survey asks about
    opened_by    text        NOT NULL,
    opened_at    timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'satisfaction') = (programme_id IS NOT NULL))
);
CREATE INDEX surveys_union ON surveys (union_id);

CREATE TABLE survey_answers (
    answer_id     uuid        PRIMARY KEY,
    survey_id     uuid        NOT NULL REFERENCES surveys,
    member_id     uuid        NOT NULL,                         -- the answering union member
    answered_at   timestamptz NOT NULL DEFAULT now(),
    area          text,                                         -- demand: where the family lives
    children_ages integer[],                                    -- demand: each child's age in years
    weeks         text[],                                       -- demand: ISO weeks care is wanted
    class_id      uuid REFERENCES classes,                      -- satisfaction: the class rated
    provider_id   uuid REFERENCES providers,                    -- satisfaction: who ran it
    rating        integer CHECK (rating BETWEEN 1 AND 5),
    comment       text
);
CREATE UNIQUE INDEX survey_answers_one_demand ON survey_answers (survey_id, member_id) WHERE class_id IS NULL;
CREATE UNIQUE INDEX survey_answers_one_rating ON survey_answers (survey_id, member_id, class_id)
    WHERE class_id IS NOT NULL;
