"""Topic declarations and the generated event catalogue."""

from __future__ import annotations

from deploy.endpoints import ROOT
from deploy.kafka_access import partner_access, service_user
from shared.contracts.catalogue import render
from shared.envelope import Event
from shared.topics import FEEDS, INBOUND, STREAMS, SUBSCRIPTIONS, Partner, all_topics, partners, topics_of


def test_every_consumed_stream_has_a_dead_letter_topic_per_consumer() -> None:
    names = {t.name for t in all_topics("city1")}
    for service, streams in SUBSCRIPTIONS.items():
        for stream in streams:
            assert topics_of(stream), stream
            for topic in topics_of(stream):
                assert f"city1.{topic}" in names
                assert f"city1.{topic}.dlq.{service}" in names


def test_every_event_type_is_published_on_a_declared_stream_or_partner_feed() -> None:
    assert Event.REGISTRY, "contracts are registered"
    for type_name, model in Event.REGISTRY.items():
        declared = model.STREAM in STREAMS or model.STREAM in {f"partner.{feed}" for feed in FEEDS} | {INBOUND}
        assert declared, f"{type_name} names an undeclared stream {model.STREAM}"


def test_each_partner_gets_its_own_feed_topic() -> None:
    names = {t.name for t in all_topics("city1")}
    for partner in partners():
        assert f"city1.partner.{partner.name}.{partner.feed}" in names


def test_the_event_catalogue_in_docs_matches_the_code() -> None:
    committed = (ROOT / "docs/events.md").read_text()
    assert committed == render(), "regenerate with: ./tuoguan contracts"


def test_each_insurer_and_only_an_insurer_gets_an_inbound_topic_that_enrollment_consumes() -> None:
    names = {t.name for t in all_topics("city1")}
    for partner in partners():
        inbound = f"city1.partner.{partner.name}.inbound"
        assert (inbound in names) == (partner.feed == "insurance"), partner
        assert (f"{inbound}.dlq.enrollment" in names) == (partner.feed == "insurance"), partner
    assert sorted(topics_of(INBOUND)) == ["partner.pingan.inbound", "partner.taiping.inbound"]


def test_an_insurer_may_write_only_its_inbound_topic_which_only_enrollment_reads() -> None:
    pingan = partner_access(Partner("pingan", "insurance"), "city1", "x")
    assert pingan.user.writes == ("city1.partner.pingan.inbound",)
    assert pingan.user.reads == ("city1.partner.pingan.insurance",)
    assert partner_access(Partner("henan-stats", "statistics"), "city1", "x").user.writes == ()
    readers = {s for s in SUBSCRIPTIONS if "city1.partner.pingan.inbound" in service_user(s, "city1", "x").reads}
    assert readers == {"enrollment"}
    enrollment = service_user("enrollment", "city1", "x")
    assert "city1.partner.pingan.inbound.dlq.enrollment" in enrollment.writes
    assert enrollment.group == "city1.enrollment"
