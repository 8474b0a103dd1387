-- Real ODS documents (issue 11): a reissued file's note, every symbol of a joint document,
-- its job number, and footnotes kept apart from the running text.
ALTER TABLE documents ADD COLUMN reissue VARCHAR;
ALTER TABLE documents ADD COLUMN symbols VARCHAR[];
ALTER TABLE documents ADD COLUMN job_number VARCHAR;
ALTER TABLE paragraphs ADD COLUMN kind VARCHAR NOT NULL DEFAULT 'paragraph';

-- current_documents lists the columns of documents, the new ones included.
CREATE OR REPLACE VIEW current_documents AS
SELECT * FROM documents WHERE is_current;
