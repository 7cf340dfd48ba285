-- A union tree of any depth (province, city, county or district, street or park, grassroots ...):
-- a union's level is a label from data, not one of four fixed values. Scope checks already walk
-- ``ancestors``, whatever the depth.
ALTER TABLE unions DROP CONSTRAINT unions_level_check;
ALTER TABLE unions ADD CONSTRAINT unions_level_label CHECK (level ~ '^[a-z][a-z0-9_]{1,31}$');
