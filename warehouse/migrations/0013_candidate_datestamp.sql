-- The catalogue datestamp (OAI) of the record each candidate was last found under, so a
-- rejection on its content remembers which version of the record it was made under (a record
-- whose datestamp lies in the future, clock skew at the source, no longer defeats the verdict).
ALTER TABLE candidates ADD COLUMN catalogued_at TIMESTAMP;
