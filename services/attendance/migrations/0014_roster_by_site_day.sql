-- The kiosk lists a site's classes of a day, and each site's classes of a day.
CREATE INDEX roster_entries_site_day ON roster_entries (site_id, day);
