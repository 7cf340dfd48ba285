"""Events published by the attendance service on ``attendance.events`` (key: child id).

The walking skeleton publishes none yet; check-in, pick-up and absence events land here.
"""
