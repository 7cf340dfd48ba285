"""enrollment: unions, sites, classes, children and guardians, bookings and the waitlist.
It publishes child.enrolled and the other booking events on ``enrollment.events``."""
