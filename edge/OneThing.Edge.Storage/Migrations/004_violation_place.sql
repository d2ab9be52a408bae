-- Where a camera case's car stood at confirmation (x1,y1,x2,y2 in frame pixels): after a restart or takeover the
-- engine is seeded with it, so the car still standing there is the same case and its departure clears it.
ALTER TABLE violations ADD COLUMN place TEXT;
