-- Drop-folder candidates are read from a file on disk instead of a URL: remember where it is.
ALTER TABLE candidates ADD COLUMN local_path VARCHAR;
