"""attendance: each day's roster (built from enrollment events), check-in, pick-up, absences."""
