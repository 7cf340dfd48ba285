"""Tuoguan's shared plumbing: event envelope and contracts, topics, outbox, idempotent consumer (processed events),
dead letters, settings, logging, metrics and the one way every service is started."""
