"""Read stage: PDF to DocumentText (extract) and DocumentText to Report (normalize)."""
