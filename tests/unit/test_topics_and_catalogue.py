"""Topic declarations and the generated event catalogue."""

from __future__ import annotations

from deploy.endpoints import ROOT
from shared.contracts.catalogue import render
from shared.envelope import Event
from shared.topics import FEEDS, STREAMS, SUBSCRIPTIONS, all_topics, partners


def test_every_consumed_stream_has_a_dead_letter_topic_per_consumer() -> None:
    names = {t.name for t in all_topics("city1")}
    for service, streams in SUBSCRIPTIONS.items():
        for stream in streams:
            assert f"city1.{stream}" in names
            assert f"city1.{stream}.dlq.{service}" in names


def test_every_event_type_is_published_on_a_declared_stream_or_partner_feed() -> None:
    assert Event.REGISTRY, "contracts are registered"
    for type_name, model in Event.REGISTRY.items():
        declared = model.STREAM in STREAMS or model.STREAM in {f"partner.{feed}" for feed in FEEDS}
        assert declared, f"{type_name} names an undeclared stream {model.STREAM}"


def test_each_partner_gets_its_own_feed_topic() -> None:
    names = {t.name for t in all_topics("city1")}
    for partner in partners():
        assert f"city1.partner.{partner.name}.{partner.feed}" in names


def test_the_event_catalogue_in_docs_matches_the_code() -> None:
    committed = (ROOT / "docs/events.md").read_text()
    assert committed == render(), "regenerate with: ./tuoguan contracts"
