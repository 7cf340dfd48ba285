"""What the tests, the benchmarks and the demo share to build a city and drive the real system.

Test-only helpers stay in tests/support/; the benchmarks in bench/ and the demo (deploy/demo.py)
import from here and never from tests/, which is not installed. Nothing here runs in production.

- ``stack``      a fresh namespace on shared infrastructure: databases, roles, topics; dropped afterwards
- ``processes``  services started as real OS processes, the way ``./tuoguan up`` starts them
- ``city``       drives the enrollment API as union staff and parents do: unions, networks, classes, bookings
- ``funds``      subsidy money set up the way union staff do, through the subsidy API
- ``scenarios``  domain events that read like the real programmes, wrapped in envelopes
- ``kafka``      publish raw records, read topics, wait for a consumer group to catch up
"""
